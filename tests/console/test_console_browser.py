"""The console in a real browser (Debian's headless Chromium over the DevTools protocol): refused without login,
login, the report with its charts actually drawn, a reviewer reading a transcript, and the offline export."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator

import pytest

from bot.settings import PROJECT_ROOT
from tests.console.cdp import Browser, chromium_binary
from tests.console.conftest import PASSWORD

if chromium_binary() is None and not os.environ.get("BOT_TEST_REQUIRE_BROWSER"):
    pytest.skip("chromium is not installed (CI sets BOT_TEST_REQUIRE_BROWSER, and .ci/run installs it)", allow_module_level=True)

PERIOD = "?from=2026-11-01&to=2026-11-30"
# Every chart of the report has drawn SVG shapes (ECharts' SVG renderer): none is an empty frame.
CHARTS_DRAWN = """Array.from(document.querySelectorAll('[data-chart]')).map(el =>
    [el.dataset.chart, el.querySelectorAll('svg path, svg rect, svg text').length])"""


@pytest.fixture()
def browser() -> Iterator[Browser]:
    opened = Browser()
    try:
        yield opened
    finally:
        opened.close()


def log_in(browser: Browser, base: str, name: str) -> None:
    browser.open(f"{base}/login")
    browser.evaluate(f"document.getElementById('name').value = {json.dumps(name)};"
                     f"document.getElementById('password').value = {json.dumps(PASSWORD)};"
                     "document.getElementById('login-form').submit(); true")
    browser.wait_for("location.pathname === '/' && document.readyState === 'complete'")


def assert_charts_drawn(browser: Browser) -> None:
    browser.wait_for("document.body.dataset.chartsDrawn")
    drawn = dict(browser.evaluate(CHARTS_DRAWN))
    assert set(drawn) >= {"trend", "by_hour", "entries", "handoffs", "funnel_query", "funnel_fault", "funnel_checkin", "ratings"}
    assert all(count > 5 for count in drawn.values()), drawn


def test_without_login_the_browser_lands_on_the_login_page(console_server: Dict, browser: Browser) -> None:
    base = console_server["url"]
    browser.open(f"{base}/conversations{PERIOD}")
    browser.wait_for("location.pathname === '/login'")
    assert browser.evaluate("document.body.innerText.includes('运营控制台登录')")
    assert not browser.evaluate("document.body.innerText.includes('会话记录')")


def test_a_manager_logs_in_and_sees_the_report_with_its_charts_drawn(console_server: Dict, browser: Browser, tmp_path: Path) -> None:
    base = console_server["url"]
    log_in(browser, base, "manager1")
    browser.open(f"{base}/{PERIOD}")
    assert_charts_drawn(browser)
    text = browser.evaluate("document.body.innerText")
    assert "自助闭环率" in text and "首次解决率" in text and "维修评价" in text
    shot = Path(os.environ.get("BOT_CONSOLE_SCREENSHOT") or tmp_path / "report.png")
    browser.screenshot(str(shot))
    assert shot.stat().st_size > 50_000      # a drawn page, not a blank one


def test_a_reviewer_reads_a_transcript_with_intents_and_confidence(console_server: Dict, browser: Browser) -> None:
    base = console_server["url"]
    log_in(browser, base, "reviewer1")
    browser.open(f"{base}/conversations{PERIOD}&outcome=handed_over")
    browser.wait_for("document.querySelectorAll('#conversations a').length === 3")
    browser.evaluate("document.querySelector('#conversations a').click(); true")
    browser.wait_for("document.getElementById('transcript') !== null")
    rows = browser.evaluate("Array.from(document.querySelectorAll('#transcript tr.user td.meta')).map(td => td.innerText)")
    assert rows and all("human_handoff" in row or "nlu_fallback" in row for row in rows)
    assert all("（" in row and "）" in row for row in rows)   # intent（confidence）


def test_the_exported_report_opens_offline_with_its_charts(console_server: Dict, browser: Browser, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    env = dict(os.environ, BOT_CONSOLE_DATABASE_URL=f"sqlite:///{console_server['console_db']}",
               BOT_CONSOLE_TRACKER_URL=f"sqlite:///{console_server['console_db'].parent / 'tracker.db'}", PYTHONWARNINGS="ignore")
    subprocess.run([sys.executable, "-m", "bot", "report", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out)],
                   env=env, cwd=PROJECT_ROOT, check=True, capture_output=True)
    html = out.read_text(encoding="utf-8")
    assert "http://" not in html.split("<script>")[0] and "src=\"http" not in html and "cdn" not in html.lower().split("echarts.min")[0]
    browser.call("Network.enable")
    browser.call("Network.emulateNetworkConditions", offline=True, latency=0, downloadThroughput=-1, uploadThroughput=-1)
    browser.open(out.as_uri())
    assert_charts_drawn(browser)
