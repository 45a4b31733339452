"""The console's tests build tracker databases with Rasa's own SQLTrackerStore from scripted conversations."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest

from bot import clock
from bot.console.synthetic import save_with_rasa, scripted_events


def china(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
    """Epoch seconds of a China-time wall-clock moment."""
    return datetime(year, month, day, hour, minute, tzinfo=clock.zone()).timestamp()


@pytest.fixture()
def tracker_db(tmp_path: Path) -> Tuple[str, Callable[[List[Tuple[str, str, float]]], None]]:
    """(tracker URL, add(conversations)) where a conversation is (sender, kind, start)."""
    path = tmp_path / "tracker.db"
    history: Dict[str, list] = {}    # Rasa saves a tracker's events beyond those already stored: keep the whole history

    def add(conversations: List[Tuple[str, str, float]]) -> None:
        for sender, kind, start in conversations:
            history.setdefault(sender, []).extend(scripted_events(kind, start, message_seed=len(history[sender]) if sender in history else 0))
        save_with_rasa(str(path), [(sender, history[sender]) for sender in dict.fromkeys(s for s, _, _ in conversations)])

    return f"sqlite:///{path}", add
