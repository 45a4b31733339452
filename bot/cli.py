"""`python -m bot …`: operator commands (seed the demo database, trainers' inbox, WeChat stand-in, outbound notices)."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from bot.settings import load_backend_settings


def _seed(args: argparse.Namespace) -> int:
    from bot.demo.seed import seed

    settings = load_backend_settings()
    print(f"seed: {seed(settings.database_url, reset=args.reset)}")
    return 0


def _sms_inbox(args: argparse.Namespace) -> int:
    from bot.backends.sms import DevInboxSmsGateway

    for item in DevInboxSmsGateway().messages(args.mobile or "")[-args.last:]:
        print(f"{item['at']}  {item['mobile']}  {item['text']}")
    return 0


def _nlu_heldout(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.trainers.heldout_nlu import HELDOUT_DIR, TARGETS, evaluate, parser_for_model, summary_markdown

    scores = evaluate(parser_for_model(Path(args.model)), HELDOUT_DIR / args.set if args.set else HELDOUT_DIR)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(summary_markdown(scores, TARGETS), encoding="utf-8")
    print(summary_markdown(scores, TARGETS, misses=False))
    return 0


def _inbox(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.privacy import redact
    from bot.trainers.conversations import conversation_events
    from bot.trainers.inbox import IgnoreList, candidates_in, group
    from bot.trainers.labelling import LabelError, add_examples, training_texts

    ignore_list = IgnoreList(Path(args.ignore_file))
    candidates = [c for events in conversation_events(Path(args.endpoints)) for c in candidates_in(events, args.low_confidence)]
    groups = group(candidates, training_texts(), ignore_list.texts())
    if args.action == "list":
        if not groups:
            print("inbox: empty (nothing fell back, was unsure, corrected or handed over that is not trained on)")
        for item in groups[:args.limit]:
            reasons = ", ".join(f"{reason} {count}" for reason, count in item.reasons.most_common())
            print(f"{item.id}  {len(item.messages)}×  guessed {item.guessed}  ({reasons})")
            for text in item.texts[:args.show]:
                print(f"    {redact(text)}")
        return 0
    chosen = next((item for item in groups if item.id == args.group), None)
    if chosen is None:
        print(f"error: inbox has no group {args.group} (run `python -m bot inbox` for the current ids)", file=sys.stderr)
        return 2
    if args.action == "ignore":
        ignore_list.add(chosen.texts)
        print(f"inbox: group {chosen.id} ignored ({len(chosen.texts)} messages)")
        return 0
    try:
        written = add_examples(args.label, chosen.texts)
    except LabelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"inbox: {len(written)} example(s) added to {args.label}; retrain (`make train`) to learn them")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="WeChat customer-service bot: operator commands")
    commands = parser.add_subparsers(dest="command", required=True)
    seed = commands.add_parser("seed", help="create the back-end tables and the deterministic demo data")
    seed.add_argument("--reset", action="store_true", help="drop all back-end tables first (deletes bindings and tickets)")
    seed.set_defaults(handler=_seed)
    inbox = commands.add_parser("sms-inbox", help="development run: the SMS the bot sent (verification codes)")
    inbox.add_argument("--mobile", help="only this number")
    inbox.add_argument("--last", type=int, default=10)
    inbox.set_defaults(handler=_sms_inbox)
    heldout = commands.add_parser("nlu-heldout", help="trainers: score a model on the held-out NLU set (tests/nlu/)")
    heldout.add_argument("--model", default="models/current.tar.gz")
    heldout.add_argument("--out", help="also write the summary and every miss to this Markdown file")
    heldout.add_argument("--set", help="a later held-out set in a folder of tests/nlu/ (e.g. round2), same three files")
    heldout.set_defaults(handler=_nlu_heldout)
    inbox_parser = commands.add_parser("inbox", help="trainers: messages the bot did not serve well, to label")
    inbox_parser.add_argument("--endpoints", default="endpoints.yml", help="whose tracker_store to read")
    inbox_parser.add_argument("--low-confidence", type=float, default=0.8, help="intent confidence below this is unsure")
    inbox_parser.add_argument("--ignore-file", default="var/inbox-ignored.json")
    inbox_actions = inbox_parser.add_subparsers(dest="action")
    inbox_parser.set_defaults(handler=_inbox, action="list", limit=20, show=3)
    listing = inbox_actions.add_parser("list", help="groups of similar messages, most frequent first (default)")
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--show", type=int, default=3, help="messages shown per group")
    label = inbox_actions.add_parser("label", help="add a group's messages to an intent or faq/<entry> in data/nlu")
    label.add_argument("group")
    label.add_argument("label", help="an intent (e.g. report_fault) or a knowledge-base entry (faq/携号转网)")
    ignore = inbox_actions.add_parser("ignore", help="leave a group out of the inbox for good")
    ignore.add_argument("group")
    from bot.outbound.cli import add_commands as add_notify_commands
    from bot.wechat_sim.cli import add_commands

    add_commands(commands)
    add_notify_commands(commands)
    from bot.console.commands import add_commands as add_console_commands

    add_console_commands(commands)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # operators get one clear line, not a traceback
        print(f"error: {args.command} failed: {error}", file=sys.stderr)
        return 1
