from pathlib import Path

from bot.settings import PROJECT_ROOT, load_backend_settings


def test_defaults_come_from_endpoints_yml_with_sqlite_resolved_to_the_project(monkeypatch) -> None:
    for name in ("BOT_DATABASE_URL", "BOT_CRM_BACKEND", "BOT_BILLING_BACKEND", "BOT_ENDPOINTS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_backend_settings()
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT}/var/backends.db"
    assert settings.crm == "bot.backends.sql.crm:SqlCrm"


def test_environment_overrides_the_file(monkeypatch, tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("backends:\n  database_url: sqlite:///from-file.db\n  crm: a.b:C\n", encoding="utf-8")
    monkeypatch.setenv("BOT_DATABASE_URL", "postgresql+psycopg2://bot@db/bot")
    settings = load_backend_settings(endpoints)
    assert settings.database_url == "postgresql+psycopg2://bot@db/bot"
    assert settings.crm == "a.b:C"
