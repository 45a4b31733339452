"""Every WeChat channel built by these tests journals its messages in the test's own folder, never in var/."""
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def own_inbound_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'wechat-inbound.db'}"
    monkeypatch.setenv("WECHAT_INBOUND_JOURNAL_URL", url)
    return url
