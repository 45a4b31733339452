"""Satisfaction: repair ratings (stored through the repairs back end's `rate`, seen in the conversations as
`utter_rating_saved` with its stars) and, once the survey work lands, survey answers."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from bot.console.report import definitions as d

if TYPE_CHECKING:
    from bot.console.report.figures import Period


def survey_answers(period: "Period") -> Optional[Dict[str, Any]]:
    """SURVEY HOOK — the satisfaction survey's answers for the period, or None while there is no survey store.

    To wire the survey-answers store (being added in parallel): return
    {"answers": n, "invited": n, "satisfied": n} from its satisfaction function for period.first..period.last;
    the report then shows the survey's satisfaction share and response rate beside the repair ratings.
    """
    return None


def satisfaction(ratings: Counter, tickets_created: int, period: "Period") -> Dict[str, Any]:
    rated = sum(ratings.values())
    stars = {str(n): ratings.get(str(n), 0) for n in range(1, 6)}
    satisfied = sum(count for n, count in stars.items() if int(n) >= d.SATISFIED_RATING)
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
