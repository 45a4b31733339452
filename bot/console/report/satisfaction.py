"""Satisfaction: repair ratings (stored through the repairs back end's `rate`, seen in the conversations as
`utter_rating_saved` with its stars) and the satisfaction surveys' answers (the survey store)."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Dict, Optional

from bot.backends.surveys import STARS_SCALE, is_satisfied

if TYPE_CHECKING:
    from bot.console.report.figures import Period


def survey_answers(period: "Period") -> Optional[Dict[str, Any]]:
    """The satisfaction surveys asked in the period (China-time days) and their answers, from the survey store
    (bot.backends.get_surveys); None when the store cannot be read, so the report still shows the ratings."""
    from datetime import datetime, time, timedelta

    from bot.backends import get_surveys

    # the store keeps naive China wall-clock times (bot.clock), the period's days are China days
    since = datetime.combine(period.first, time.min)
    until = datetime.combine(period.last + timedelta(days=1), time.min)
    try:
        stats = get_surveys().stats(since=since, until=until)
    except Exception:  # noqa: BLE001 - a survey store that is down must not take the whole report with it
        return None
    return {"answers": stats.answered, "invited": stats.asked, "satisfied": stats.satisfied}


def satisfaction(ratings: Counter, tickets_created: int, period: "Period") -> Dict[str, Any]:
    rated = sum(ratings.values())
    stars = {str(n): ratings.get(str(n), 0) for n in range(1, 6)}
    satisfied = sum(count for n, count in stars.items() if is_satisfied(STARS_SCALE, int(n)))
    survey = survey_answers(period)
    result: Dict[str, Any] = {
        "ratings": stars, "rated": rated,
        "average": (sum(int(n) * count for n, count in stars.items()) / rated) if rated else None,
        "satisfied": satisfied / rated if rated else None,
        "response_rate": min(rated / tickets_created, 1.0) if tickets_created else None,
        "tickets_created": tickets_created, "survey": None,
    }
    if survey:
        answers, invited = survey.get("answers", 0), survey.get("invited", 0)
        result["survey"] = {"answers": answers, "satisfied": survey.get("satisfied", 0) / answers if answers else None,
                            "response_rate": answers / invited if invited else None}
    return result
