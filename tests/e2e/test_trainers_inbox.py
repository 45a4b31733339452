"""The trainers' inbox end to end: real conversations with the running bot in, a labelled data file out."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import requests
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.devstack import PROJECT_ROOT, RunningBot

import uuid

TOKEN = f"zq{uuid.uuid4().hex[:6]}"                  # the bot is shared with other tests: find our own message
ODD_MESSAGE = f"{TOKEN} 咕噜咕噜 blorp 13912345678"


def say(bot: RunningBot, sender: str, text: str) -> None:
    requests.post(f"{bot.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60).raise_for_status()


def inbox(*args: str, cwd: Path, endpoints: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "inbox", "--endpoints", str(endpoints), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(PROJECT_ROOT),
                                                                            "PATH": str(Path(sys.executable).parent)})


def test_messages_that_ended_with_a_human_are_labelled_into_the_training_data(rest_bot: RunningBot, tmp_path: Path) -> None:
    for sender in ("inbox-follower-1", "inbox-follower-2"):
        say(rest_bot, sender, ODD_MESSAGE)
        say(rest_bot, sender, "转人工")
    endpoints = rest_bot.workdir / "endpoints.yml"

    listing = inbox("list", "--limit", "1000", "--show", "50", cwd=PROJECT_ROOT, endpoints=endpoints)
    assert listing.returncode == 0, listing.stderr
    assert "13912345678" not in listing.stdout                       # shown masked
    match = re.search(r"^(\w{6})  \d+×  guessed \S+  \(.*ended with a human \d.*\)\n(?:    .*\n)*?    "
                      + TOKEN + r" 咕噜咕噜 blorp 139\*\*\*\*5678", listing.stdout, re.M)
    assert match, listing.stdout
    group_id = match.group(1)

    project = tmp_path / "project"                                     # a trainer's checkout
    for name in ("data", "domain"):
        shutil.copytree(PROJECT_ROOT / name, project / name)
    shutil.copy(PROJECT_ROOT / "config.yml", project / "config.yml")
    labelled = inbox("label", group_id, "out_of_scope", cwd=project, endpoints=endpoints)
    assert labelled.returncode == 0, labelled.stderr
    written = {m.get("text"): m.get("intent") for path in (project / "data" / "nlu").glob("*.yml")
               for m in RasaYAMLReader().reads(path.read_text(encoding="utf-8")).intent_examples}
    example = next(text for text in written if text.startswith(f"{TOKEN} 咕噜咕噜 blorp 1"))
    assert written[example] == "out_of_scope" and "13912345678" not in example

    validate = subprocess.run([str(Path(sys.executable).parent / "rasa"), "data", "validate", "--data", "data",
                               "--domain", "domain", "--config", "config.yml"], cwd=project, capture_output=True,
                              text=True, timeout=300)
    assert validate.returncode == 0, validate.stdout[-2000:]

    again = inbox(cwd=project, endpoints=endpoints)
    assert again.returncode == 0 and TOKEN not in again.stdout        # labelled messages leave the inbox
    assert inbox("label", "zzzzzz", "out_of_scope", cwd=project, endpoints=endpoints).returncode == 2
