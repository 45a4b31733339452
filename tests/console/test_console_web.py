"""The console over HTTP: nothing without logging in, roles, CSRF, cookie flags, throttling, audit, masking."""
from __future__ import annotations

import re
import sqlite3
from typing import Dict

import pytest
import requests

from tests.console.conftest import PASSWORD

PERIOD = "?from=2026-11-01&to=2026-11-30"


def login(base: str, name: str, password: str = PASSWORD) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    browser.post(f"{base}/login", data={"name": name, "password": password, "csrf_token": token})
    return browser


def test_nothing_is_served_without_logging_in(console_server: Dict) -> None:
    base = console_server["url"]
    for path in ("/", "/conversations", "/assets/echarts.min.js", "/conversations/abc"):
        answer = requests.get(base + path, allow_redirects=False)
        assert answer.status_code in (302, 303, 401), path
        assert "营业厅" not in answer.text and "echarts" not in answer.text.lower()


def test_login_sets_a_strict_httponly_session_cookie_and_shows_the_report(console_server: Dict) -> None:
    base = console_server["url"]
    browser = requests.Session()
    form = browser.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = browser.post(f"{base}/login", data={"name": "manager1", "password": PASSWORD, "csrf_token": token}, allow_redirects=False)
    cookie = answer.headers["Set-Cookie"]
    assert "console_session=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = browser.get(f"{base}/?from=2026-11-10&to=2026-11-10").text
    assert "自助闭环率" in page and "85.0%" in page          # 20 conversations on 10 November, 3 handed over
    assert "/conversations\"" not in page                      # a manager has no review link


def test_a_login_without_the_forms_csrf_token_is_refused(console_server: Dict) -> None:
    base = console_server["url"]
    browser = requests.Session()
    browser.get(f"{base}/login")
    answer = browser.post(f"{base}/login", data={"name": "manager1", "password": PASSWORD, "csrf_token": "forged"}, allow_redirects=False)
    assert answer.status_code == 403 and "console_session=" not in answer.headers.get("Set-Cookie", "")


def test_logout_needs_the_sessions_csrf_token(console_server: Dict) -> None:
    base = console_server["url"]
    browser = login(base, "manager1")
    assert browser.post(f"{base}/logout", data={"csrf_token": "forged"}, allow_redirects=False).status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(f"{base}/").text).group(1)
    browser.post(f"{base}/logout", data={"csrf_token": token})
    assert browser.get(f"{base}/", allow_redirects=False).status_code == 302


def test_a_manager_sees_no_transcripts_a_reviewer_does_and_each_view_is_audited(console_server: Dict) -> None:
    base = console_server["url"]
    assert login(base, "manager1").get(f"{base}/conversations{PERIOD}").status_code == 403
    reviewer = login(base, "reviewer1")
    listing = reviewer.get(f"{base}/conversations{PERIOD}&outcome=low_rating").text
    ids = re.findall(r'href="/conversations/([0-9a-f]{32})"', listing)
    assert len(ids) == 1                                      # f-low, the one 2-star rating
    page = reviewer.get(f"{base}/conversations/{ids[0]}").text
    assert "rate_ticket（0.95）" in page                      # predicted intent and confidence per message
    assert "GZ2026112000045" not in page                      # ticket numbers are masked (the bot's text has none here)
    handed = re.findall(r'href="/conversations/([0-9a-f]{32})"', reviewer.get(f"{base}/conversations{PERIOD}&outcome=handed_over").text)
    assert len(handed) == 3
    with sqlite3.connect(console_server["console_db"]) as db:
        views = db.execute("select operator, subject from console_audit_log where action='transcript_view'").fetchall()
    assert ("reviewer1", ids[0]) in views


def test_wrong_passwords_are_rate_limited_per_account(console_server: Dict) -> None:
    base = console_server["url"]
    statuses = []
    for _ in range(6):
        browser = requests.Session()
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(f"{base}/login").text).group(1)
        statuses.append(browser.post(f"{base}/login", data={"name": "reviewer2", "password": "wrong-password!", "csrf_token": token}).status_code)
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
