"""The held-out conversations (tests/conversations/heldout.yml), written from the README only and never used
for training, run against the real bot: most through REST, the WeChat ones through the stand-in in safe mode.

Issue 10's bar is the share of conversations that pass end to end; the report of every turn goes to
var/test/heldout-conversations.txt so a trainer sees what failed and why.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from bot.devstack import RunningBot
from tests.e2e.conversations import ConversationRunner, load_conversations, report

# Issue 10 asks for 0.95. Each guard is per channel and below today's share, because retraining moves single NLU
# decisions (the WeChat parts are 22, 10 and 15 conversations). A trainer looking into some failures runs only those: BOT_HELDOUT_ONLY=name,name (the share is then not judged).
ONLY = {name for name in os.environ.get("BOT_HELDOUT_ONLY", "").split(",") if name}
REPORT = Path(__file__).resolve().parents[2] / "var" / "test" / "heldout-conversations.txt"
# The sets (tests/conversations/) and the share each must keep. Each was written from the README only, after the
# previous set's failure classes were fixed; only a set's first run measures unseen conversations (README,
# "Held-out conversations"): heldout.yml 110/138, heldout_round2.yml 51/60, heldout_round3.yml 57/70,
# heldout_round5.yml 58/60.
# BOT_HELDOUT_SET runs one set only; it may also name a set that is not guarded yet (heldout_round4.yml: its
# first run, 55/70, was on a candidate model that is not on main; it joins SETS with its guard once it has been
# measured on the model main trains), judged by BOT_HELDOUT_REQUIRED_SHARE (default 0.85).
SETS = {"heldout.yml": 0.90, "heldout_round2.yml": 0.85, "heldout_round3.yml": 0.85, "heldout_round5.yml": 0.90}
CHOSEN_SETS = [os.environ["BOT_HELDOUT_SET"]] if os.environ.get("BOT_HELDOUT_SET") else list(SETS)


def _run(runner: ConversationRunner, conversations: List[Dict[str, Any]]) -> Tuple[int, List[str]]:
    passed, failures = 0, []
    for conversation in conversations:
        results = runner.run(conversation)
        if all(not r.problems for r in results):
            passed += 1
        else:
            failures.append(report(conversation["name"], results))
    return passed, failures


def _write(channel: str, passed: int, total: int, failures: List[str]) -> None:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with REPORT.open("a", encoding="utf-8") as handle:
        handle.write(f"== {channel}: {passed}/{total} passed\n" + "\n".join(failures) + "\n")


@pytest.mark.parametrize("conversation_set", CHOSEN_SETS)
@pytest.mark.parametrize("channel", ["rest", "wechat"])
def test_heldout_conversations_pass(conversation_set: str, channel: str, request: pytest.FixtureRequest) -> None:
    from bot.demo.seed import seed

    required = float(os.environ.get("BOT_HELDOUT_REQUIRED_SHARE", SETS.get(conversation_set, 0.85)))
    conversations = [c for c in load_conversations(conversation_set) if c.get("channel", "rest") == channel and (not ONLY or c["name"] in ONLY)]
    if not conversations:
        pytest.skip(f"no held-out {channel} conversation selected")
    if channel == "wechat":
        wechat = request.getfixturevalue("wechat_bot")
        runner = ConversationRunner(wechat.bot, lambda: seed(wechat.database_url, reset=True), wechat_bot=wechat)
    else:
        bot: RunningBot = request.getfixturevalue("rest_bot")
        runner = ConversationRunner(bot, lambda: seed(f"sqlite:///{bot.workdir}/backends.db", reset=True))
    passed, failures = _run(runner, conversations)
    _write(f"{conversation_set} {channel}", passed, len(conversations), failures)
    share = passed / len(conversations)
    print(f"held-out {conversation_set} {channel}: {passed}/{len(conversations)} = {share:.1%}")
    assert ONLY or share >= required, f"{passed}/{len(conversations)} passed; failures:\n" + "\n".join(failures[:10])
