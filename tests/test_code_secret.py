"""The code secret: from BOT_CODE_SECRET, else a development file made once (0600), never missing in production."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.code_secret import MissingCodeSecretError, load_code_secret
from bot.settings import PROJECT_ROOT


@pytest.fixture(autouse=True)
def _no_configured_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_CODE_SECRET", raising=False)
    monkeypatch.delenv("BOT_ENV", raising=False)


def test_the_environment_secret_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BOT_CODE_SECRET", "s" * 40)
    assert load_code_secret(tmp_path / "code-secret") == b"s" * 40
    assert not (tmp_path / "code-secret").exists()


def test_a_short_secret_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BOT_CODE_SECRET", "short")
    with pytest.raises(MissingCodeSecretError):
        load_code_secret(tmp_path / "code-secret")


def test_development_makes_one_random_secret_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "code-secret"
    first = load_code_secret(path)
    assert len(first) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_code_secret(path) == first                       # kept: every process of the run shares it
    assert load_code_secret(tmp_path / "other") != first          # random, not a constant
    assert [p.name for p in path.parent.iterdir()] == ["code-secret"]   # no draft left behind


def test_the_development_secret_lives_in_the_git_ignored_var_folder() -> None:
    from bot.code_secret import DEVELOPMENT_SECRET_FILE

    assert DEVELOPMENT_SECRET_FILE == PROJECT_ROOT / "var" / "code-secret"
    ignored = subprocess.run(["git", "check-ignore", "-q", "var/code-secret"], cwd=PROJECT_ROOT)
    assert ignored.returncode == 0


def test_production_without_a_secret_refuses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BOT_ENV", "production")
    with pytest.raises(MissingCodeSecretError):
        load_code_secret(tmp_path / "code-secret")
    assert not (tmp_path / "code-secret").exists()


@pytest.mark.parametrize("secret, starts", [(None, False), ("p" * 32, True)])
def test_the_action_server_does_not_start_in_production_without_a_secret(secret: str, starts: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_CODE_SECRET"} | {"BOT_ENV": "production"}
    if secret:
        env["BOT_CODE_SECRET"] = secret
    loaded = subprocess.run([sys.executable, "-c", "import actions.binding"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert (loaded.returncode == 0) is starts
    assert ("MissingCodeSecretError" in loaded.stderr) is not starts
