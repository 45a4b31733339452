"""`python -m bot notify …`: the operator's side of the account speaking first.

    notify outage announce --area 荔湾区 --until "2026-11-25 18:00" --cause 光缆抢修 [--no-send] [--dry-run]
    notify outage restore 3 [--dry-run]
    notify outage list
    notify run restore-notices|outage-notices|… [--campaign ID | --period day] [--dry-run]
    notify campaign status outage-3-announce

Bad input (unknown area, outage, source or campaign; a time that is not "YYYY-MM-DD HH:MM" China time in the
future) exits 2 with one line saying what is wrong; a run WeChat stopped (daily quota, token, unreachable)
exits 3, and running the same command again sends the rest, never anything twice.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import replace
from datetime import datetime
from typing import Any, List

import yaml

from bot import clock
from bot.settings import PROJECT_ROOT

BAD_INPUT, STOPPED = 2, 3
TIME_FORMAT = "%Y-%m-%d %H:%M"
PERIODS = {"hour": "%Y-%m-%dT%H", "day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m"}
MAX_TEMPLATE_VALUE = 20


class BadInput(Exception):
    """The operator's input is wrong: one line, exit 2."""


def add_commands(commands: argparse._SubParsersAction) -> None:
    notify = commands.add_parser("notify", help="outbound: outage notices, restore notices, campaigns")
    notify.set_defaults(handler=main)
    sub = notify.add_subparsers(dest="notify_command", required=True)

    outage = sub.add_parser("outage", help="announce, restore or list outages").add_subparsers(dest="outage_command", required=True)
    announce = outage.add_parser("announce", help="record an outage in an area and tell the bound followers there")
    announce.add_argument("--area", required=True, help="a district (荔湾区) or the start of lines' addresses")
    announce.add_argument("--until", required=True, help='expected restore time, China time: "YYYY-MM-DD HH:MM"')
    announce.add_argument("--cause", required=True, help=f"short cause, at most {MAX_TEMPLATE_VALUE} characters")
    announce.add_argument("--no-send", action="store_true", help="only record it (the diagnosis answers at once)")
    announce.add_argument("--dry-run", action="store_true", help="record nothing, show who would get what")
    restore = outage.add_parser("restore", help="mark an outage over and tell the followers who asked")
    restore.add_argument("outage_id", type=int)
    restore.add_argument("--dry-run", action="store_true")
    outage.add_parser("list", help="outages still going on")

    run = sub.add_parser("run", help="run a source's due messages as a campaign")
    run.add_argument("source")
    run.add_argument("--campaign", help="campaign id (default: <source>-<period>, e.g. reminders-2026-11-24)")
    run.add_argument("--period", choices=sorted(PERIODS), default="day", help="period the default campaign id names")
    run.add_argument("--dry-run", action="store_true", help="show who would get what; send and claim nothing")

    campaign = sub.add_parser("campaign", help="a campaign's delivery log").add_subparsers(dest="campaign_command", required=True)
    status = campaign.add_parser("status", help="counts by outcome, and what WeChat reported for templates")
    status.add_argument("campaign_id")


def main(args: argparse.Namespace) -> int:
    try:
        if args.notify_command == "outage":
            return {"announce": _announce, "restore": _restore, "list": _list}[args.outage_command](args)
        if args.notify_command == "run":
            return _run(args)
        return _status(args)
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT


# -- wiring -------------------------------------------------------------------------------------------
def wechat_settings() -> Any:
    """The WeChat account's settings from credentials.yml (same environment overrides as the channel)."""
    from bot.wechat_sim.cli import CHANNEL_KEY
    from channels.wechat.settings import settings_from_credentials

    raw = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
    return settings_from_credentials(raw.get(CHANNEL_KEY))


def build_runner(out: Any = None, progress: Any = None) -> Any:
    from bot import backends
    from bot.outbound.campaign import CampaignRunner, RateLimiter
    from bot.outbound.config import load_outbound_settings
    from bot.outbound.delivery import Deliverer
    from bot.outbound.wechat_api import OutboundApi

    wechat = wechat_settings()
    session = None
    if wechat.redis_url:  # the bot's own token: fetching another would invalidate the bot's
        import redis
        from wechatpy.session.redisstorage import RedisStorage

        session = RedisStorage(redis.Redis.from_url(wechat.redis_url), prefix="wechat:token")
    settings = load_outbound_settings()
    deliverer = Deliverer(OutboundApi(wechat, session), backends.get_interactions(), settings.templates)
    return CampaignRunner(deliverer, backends.get_deliveries(), RateLimiter(settings.rate_per_second),
                          out=out or sys.stdout, progress=progress or sys.stderr)


def _campaign(runner: Any, campaign: str, source: Any, dry_run: bool) -> int:
    from bot import backends

    summary = runner.run(campaign, source.due_messages(clock.now()), dry_run=dry_run, on_sent=getattr(source, "on_sent", None))
    if not dry_run and hasattr(source, "after_campaign"):
        source.after_campaign(backends.get_deliveries().deliveries(campaign))
    for line in summary.lines():
        print(line)
    return STOPPED if summary.stopped else 0


# -- commands -----------------------------------------------------------------------------------------
def parse_until(text: str, now: datetime) -> datetime:
    try:
        moment = datetime.strptime(text.strip(), TIME_FORMAT)
    except ValueError:
        raise BadInput(f'--until {text!r} is not a time like "2026-11-25 18:00" (China time)') from None
    if moment <= now:
        raise BadInput(f"--until {text!r} is not in the future (now {now:{TIME_FORMAT}} China time)")
    return moment


def _template_value(name: str, value: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_TEMPLATE_VALUE or "\n" in value or "\r" in value:
        raise BadInput(f"{name} must be 1–{MAX_TEMPLATE_VALUE} characters on one line (it goes into a template field)")
    return value


def _announce(args: argparse.Namespace) -> int:
    from bot import backends
    from bot.backends.outages import Outage, UnknownArea
    from bot.outbound.notices import OutageNoticeSource

    now = clock.now()
    until = parse_until(args.until, now)
    area, cause = _template_value("--area", args.area), _template_value("--cause", args.cause)
    board = backends.get_outages()
    if args.dry_run:
        if not board.lines_in(area):
            raise BadInput(f"unknown area {area!r}: no broadband line lies there (a district such as 荔湾区, or an address prefix)")
        existing = next((o for o in board.active() if o.area == area), None)
        preview = Outage(existing.outage_id if existing else 0, area, cause, until, now)
        source = OutageNoticeSource(preview=preview)
        return _campaign(build_runner(), f"outage-{preview.outage_id}-announce", source, dry_run=True)
    try:
        outage = board.announce(area, until, cause, now)
    except UnknownArea as error:
        raise BadInput(f"unknown area {area!r}: {error}") from None
    print(f"outage {outage.outage_id}: {outage.area}, until {outage.expected_restore_at:{TIME_FORMAT}} China time, cause {outage.cause}")
    if args.no_send:
        return 0
    return _campaign(build_runner(), f"outage-{outage.outage_id}-announce", OutageNoticeSource(outage.outage_id), dry_run=False)


def _restore(args: argparse.Namespace) -> int:
    from bot import backends
    from bot.backends.outages import UnknownOutage
    from bot.outbound.notices import RestoreNoticeSource

    board = backends.get_outages()
    try:
        outage = board.get(args.outage_id) if args.dry_run else board.restore(args.outage_id, clock.now())
    except UnknownOutage:
        raise BadInput(f"unknown outage {args.outage_id} (`python -m bot notify outage list` shows the active ones)") from None
    if args.dry_run:
        source = RestoreNoticeSource(preview=replace(outage, restored_at=outage.restored_at or clock.now()))
    else:
        print(f"outage {outage.outage_id}: {outage.area} restored at {outage.restored_at:{TIME_FORMAT}} China time")
        source = RestoreNoticeSource(outage.outage_id)
    return _campaign(build_runner(), f"outage-{outage.outage_id}-restore", source, dry_run=args.dry_run)


def _list(args: argparse.Namespace) -> int:
    from bot import backends

    active = backends.get_outages().active()
    if not active:
        print("no outage is going on")
    for outage in active:
        print(f"{outage.outage_id}  {outage.area}  until {outage.expected_restore_at:{TIME_FORMAT}}  {outage.cause}  "
              f"(announced {outage.announced_at:{TIME_FORMAT}})")
    return 0


def campaign_id(source: str, period: str, now: datetime) -> str:
    return f"{source}-{now.strftime(PERIODS[period])}"


def _run(args: argparse.Namespace) -> int:
    from bot.outbound.sources import UnknownSource, load_source

    try:
        source = load_source(args.source)
    except UnknownSource as error:
        raise BadInput(str(error.args[0])) from None
    campaign = args.campaign or campaign_id(args.source, args.period, clock.now())
    if not campaign.strip() or len(campaign) > 64:
        raise BadInput("--campaign must be 1–64 characters")
    return _campaign(build_runner(), campaign, source, dry_run=args.dry_run)


def _status(args: argparse.Namespace) -> int:
    from bot import backends
    from bot.backends.deliveries import CLAIMED

    records = backends.get_deliveries().deliveries(args.campaign_id)
    if not records:
        raise BadInput(f"unknown campaign {args.campaign_id!r}: no delivery recorded under that id")
    print(f"campaign {args.campaign_id}: {len(records)} deliveries, first {min(r.claimed_at for r in records):{TIME_FORMAT}}, "
          f"last {max((r.finished_at or r.claimed_at) for r in records):{TIME_FORMAT}}")
    lines: List[str] = []
    for (status, route, reason, errcode), count in sorted(
            Counter((r.status, r.route or "-", r.reason or "-", r.errcode) for r in records).items(), key=str):
        lines.append(f"  {status:8} {route:16} {reason}{f' ({errcode})' if errcode else ''}: {count}")
    results = Counter(r.template_status for r in records if r.msgid)
    lines += [f"  template {status or 'awaiting result'}: {count}" for status, count in sorted(results.items(), key=str)]
    doubtful = sum(1 for r in records if r.status == CLAIMED)
    if doubtful:
        lines.append(f"  {doubtful} claimed but never settled (a run died mid-send): not sent again automatically")
    print("\n".join(lines))
    return 0
