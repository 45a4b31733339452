"""The console's web server: the report and conversation review behind a login (Sanic, as Rasa itself uses).

Nothing is served without a session except the login page. Pages only read the per-day summaries and the
conversation index; a background task refreshes them every `BOT_CONSOLE_REFRESH_SECONDS` (default 300) in a
worker thread, so reading never touches the bot's message path.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import os
import secrets
from datetime import date, timedelta
from typing import Any, Dict, Optional, Tuple

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import clock
from bot.console.auth.accounts import Accounts
from bot.console.auth.audit import AuditLog
from bot.console.auth.sessions import COOKIE, Session, Sessions, csrf_ok
from bot.console.auth.throttle import LoginThrottle
from bot.console.report.daily import DailySummaries
from bot.console.report.figures import Period, build_report
from bot.console.report.render import echarts_source, environment, render_report
from bot.console.settings import ConsoleSettings
from bot.console.transcript import OUTCOMES, find_conversations, transcript
from bot.logs import log_event

logger = logging.getLogger(__name__)
LOGIN_CSRF_COOKIE = "console_login_csrf"
REFRESH_SECONDS = float(os.environ.get("BOT_CONSOLE_REFRESH_SECONDS") or 300)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_names = itertools.count()


def _set_cookie(resp: HTTPResponse, name: str, value: str, max_age: Optional[int] = None) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    if os.environ.get("BOT_CONSOLE_SECURE_COOKIES"):   # behind HTTPS (a reverse proxy): cookies only over TLS
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def _period(request: Request) -> Tuple[date, date]:
    try:
        last = date.fromisoformat(request.args.get("to")) if request.args.get("to") else clock.today()
        first = date.fromisoformat(request.args.get("from")) if request.args.get("from") else last - timedelta(days=29)
    except ValueError:
        last = clock.today()
        first = last - timedelta(days=29)
    return (first, last) if first <= last else (last, first)


def create_app(settings: ConsoleSettings, refresh_seconds: float = REFRESH_SECONDS) -> Sanic:
    app = Sanic(f"bot_console_{next(_names)}", configure_logging=False)
    summaries = DailySummaries(settings.database_url, settings.tracker_url)
    accounts, sessions = Accounts(settings.database_url), Sessions(settings.database_url)
    throttle, audit = LoginThrottle(settings.database_url), AuditLog(settings.database_url)
    pages = environment()

    def page(template: str, status: int = 200, **values: Any) -> HTTPResponse:
        return response.html(pages.get_template(template).render(**values), status=status, headers=SECURITY_HEADERS)

    def current(request: Request) -> Tuple[Optional[Session], Optional[str]]:
        session = sessions.get(request.cookies.get(COOKIE))
        return (session, accounts.role(session.operator)) if session else (None, None)

    def nav(session: Session, role: str) -> Dict[str, Any]:
        return {"operator": session.operator, "role": role, "csrf": session.csrf_token}

    def to_login() -> HTTPResponse:
        return response.redirect("/login", headers=SECURITY_HEADERS)

    @app.get("/login")
    async def login_form(request: Request) -> HTTPResponse:
        token = secrets.token_urlsafe(32)
        resp = page("login.html", csrf=token, error=None, page={})
        _set_cookie(resp, LOGIN_CSRF_COOKIE, token, max_age=3600)
        return resp

    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
        name, password = request.form.get("name") or "", request.form.get("password") or ""
        cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
        address = request.ip or "-"
        token = secrets.token_urlsafe(32)
        if not cookie_token or not secrets.compare_digest(cookie_token, request.form.get("csrf_token") or ""):
            resp = page("login.html", status=403, csrf=token, error="表单已过期，请重新登录。", page={})
        elif await asyncio.to_thread(throttle.blocked, name, address):
            audit.record(name or "-", "login_refused", "throttled", address)
            resp = page("login.html", status=429, csrf=token, error="密码错误次数过多，请 15 分钟后再试。", page={})
        elif (await asyncio.to_thread(accounts.verify, name, password)) is None:
            throttle.failed(name, address)
            audit.record(name or "-", "login_refused", "wrong password", address)
            resp = page("login.html", status=401, csrf=token, error="用户名或密码不正确。", page={})
        else:
            throttle.succeeded(name)
            audit.record(name, "login", None, address)
            resp = response.redirect("/", headers=SECURITY_HEADERS)
            _set_cookie(resp, COOKIE, sessions.open(name))
            del resp.cookies[LOGIN_CSRF_COOKIE]
            return resp
        _set_cookie(resp, LOGIN_CSRF_COOKIE, token, max_age=3600)
        return resp

    @app.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        session, _ = current(request)
        if session is None:
            return to_login()
        if not csrf_ok(session, request.form.get("csrf_token")):
            return response.text("forbidden", status=403, headers=SECURITY_HEADERS)
        sessions.close(request.cookies.get(COOKIE))
        audit.record(session.operator, "logout", None, request.ip)
        resp = to_login()
        del resp.cookies[COOKIE]
        return resp

    @app.get("/")
    async def report(request: Request) -> HTTPResponse:
        session, role = current(request)
        if session is None or role is None:
            return to_login()
        first, last = _period(request)
        figures = build_report(summaries.console, Period(first, last))
        html = render_report(figures, inline_charts=False, page=nav(session, role))
        return response.html(html, headers=SECURITY_HEADERS)

    @app.get("/assets/echarts.min.js")
    async def chart_library(request: Request) -> HTTPResponse:
        session, _ = current(request)
        if session is None:
            return response.text("login required", status=401, headers=SECURITY_HEADERS)
        return response.text(echarts_source(), content_type="application/javascript; charset=utf-8",
                             headers={**SECURITY_HEADERS, "Cache-Control": "private, max-age=86400"})

    @app.get("/conversations")
    async def conversations(request: Request) -> HTTPResponse:
        session, role = current(request)
        if session is None or role is None:
            return to_login()
        if role != "reviewer":
            return page("message.html", status=403, message="只有审阅员可以查看会话。", page=nav(session, role))
        first, last = _period(request)
        outcome = request.args.get("outcome") if request.args.get("outcome") in OUTCOMES else None
        found = find_conversations(summaries.console, first, last, outcome)
        return page("conversations.html", rows=found, outcome=outcome, first=first, last=last, outcomes=OUTCOMES,
                    page=nav(session, role))

    @app.get("/conversations/<conversation_id:str>")
    async def conversation(request: Request, conversation_id: str) -> HTTPResponse:
        session, role = current(request)
        if session is None or role is None:
            return to_login()
        if role != "reviewer":
            return page("message.html", status=403, message="只有审阅员可以查看会话。", page=nav(session, role))
        lines = transcript(summaries.console, summaries.tracker, conversation_id)
        if lines is None:
            return page("message.html", status=404, message="没有这个会话。", page=nav(session, role))
        audit.record(session.operator, "transcript_view", conversation_id, request.ip)
        return page("transcript.html", lines=lines, conversation_id=conversation_id, page=nav(session, role))

    async def refresh_forever(_app: Sanic) -> None:
        while True:
            try:
                result = await asyncio.to_thread(summaries.refresh)
                if result.days:
                    log_event(logger, "console.refreshed", days=len(result.days), conversations=result.conversations,
                              seconds=round(result.seconds, 2))
            except Exception as error:   # the console keeps serving the last summaries
                log_event(logger, "console.refresh_failed", logging.ERROR, error=type(error).__name__)
            await asyncio.sleep(refresh_seconds)

    if refresh_seconds > 0:
        app.add_task(refresh_forever)
    return app


def serve(settings: ConsoleSettings, host: str = "127.0.0.1", port: int = 8088) -> None:
    logging.basicConfig(level=logging.INFO)
    echarts_source()   # fail at start, not on the first page, when set-up did not vendor the chart library
    print(f"console: http://{host}:{port}/ (operators: python -m bot console user add NAME --role manager|reviewer)")
    create_app(settings).run(host=host, port=port, access_log=False, workers=1)
