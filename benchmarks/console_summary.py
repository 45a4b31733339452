"""Scale of the operations console: a month of a large account (about 1 million Rasa events) summarised.

Generates the month with bot.console.synthetic (Rasa's own event format, written into Rasa's events table),
then times the first full summary (`DailySummaries.refresh`), an incremental refresh after one more day of
events, and building + rendering the month's report (what a console page does). Prints the figures.

    .venv/bin/python benchmarks/console_summary.py [--events 1000000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from bot.console import tables as t  # noqa: E402
from bot.console.report.daily import DailySummaries  # noqa: E402
from bot.console.report.figures import Period, build_report  # noqa: E402
from bot.console.report.render import render_report  # noqa: E402
from bot.console.synthetic import generate_month, latency_rows  # noqa: E402

FIRST = date(2026, 11, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", help="write the databases here instead of a temporary folder")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="console-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    tracker, console = folder / "tracker.db", folder / "console.db"
    for path in (tracker, console):
        path.unlink(missing_ok=True)
    started = time.monotonic()
    events, conversations = generate_month(str(tracker), FIRST, args.events)
    summaries = DailySummaries(f"sqlite:///{console}", f"sqlite:///{tracker}")
    with summaries.tracker.connect() as conn:
        starts = [row[0] for row in conn.execute(text("select timestamp from events where type_name = 'user'"))]
    with summaries.console.begin() as conn:
        conn.execute(insert(t.reply_latency), latency_rows(starts))
    print(f"generated {events:,} events, {conversations:,} conversations, {len(starts):,} latency rows "
          f"in {time.monotonic() - started:.0f} s ({folder})")

    result = summaries.refresh()
    print(f"full summary: {len(result.days)} days, {result.conversations:,} conversations in {result.seconds:.1f} s")

    extra, _ = generate_month(str(tracker), FIRST + timedelta(days=30), 30_000, seed=11, days=1)   # 1 December
    result = summaries.refresh()
    print(f"incremental refresh after {extra:,} more events: days {[d.isoformat() for d in result.days]} in {result.seconds:.1f} s")

    started = time.monotonic()
    report = build_report(summaries.console, Period(FIRST, FIRST + timedelta(days=29)))
    built = time.monotonic() - started
    html = render_report(report, inline_charts=False)
    print(f"month report page: figures {built * 1000:.0f} ms, with rendering {(time.monotonic() - started) * 1000:.0f} ms "
          f"({len(html):,} bytes); containment {report['automation']['containment']:.1%}, "
          f"p99 {report['service']['p99']} ms, {report['scale']['messages']:,} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
