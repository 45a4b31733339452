"""The consent registry and the survey store on the seeded database (SQLite, and PostgreSQL when given)."""
from datetime import datetime, timedelta

import pytest

from bot.backends.consent import OUTAGE_NOTICES, USAGE_REMINDERS
from bot.backends.sql.consent import SqlConsentRegistry
from bot.backends.sql.surveys import SqlSurveyStore
from bot.backends.surveys import CHECKIN, HANDOFF, REPAIR, STARS_SCALE, WORDS_SCALE, SurveyStats, is_satisfied

NOW = datetime(2026, 11, 23, 10, 0)


@pytest.fixture()
def consent(database_url: str) -> SqlConsentRegistry:
    return SqlConsentRegistry(database_url)


@pytest.fixture()
def surveys(database_url: str) -> SqlSurveyStore:
    return SqlSurveyStore(database_url)


def test_every_choice_is_kept_and_the_latest_counts(consent: SqlConsentRegistry) -> None:
    consent.record("o-c1", USAGE_REMINDERS, True, NOW)
    consent.record("o-c1", USAGE_REMINDERS, False, NOW + timedelta(minutes=5))
    latest = consent.latest("o-c1", USAGE_REMINDERS)
    assert (latest.granted, latest.at) == (False, NOW + timedelta(minutes=5))
    assert "o-c1" not in consent.followers_with(USAGE_REMINDERS)
    consent.record("o-c1", USAGE_REMINDERS, True, NOW + timedelta(minutes=9))
    assert "o-c1" in consent.followers_with(USAGE_REMINDERS)
    assert consent.latest("o-c1", OUTAGE_NOTICES) is None            # topics are separate
    assert consent.forget_follower("o-c1") == 3                      # the whole history went
    assert consent.latest("o-c1", USAGE_REMINDERS) is None


def test_the_latest_by_time_wins_even_when_recorded_out_of_order(consent: SqlConsentRegistry) -> None:
    consent.record("o-c2", USAGE_REMINDERS, False, NOW + timedelta(hours=1))
    consent.record("o-c2", USAGE_REMINDERS, True, NOW)               # an older choice arriving late
    assert consent.latest("o-c2", USAGE_REMINDERS).granted is False
    assert "o-c2" not in consent.followers_with(USAGE_REMINDERS)
    consent.record("o-c3", USAGE_REMINDERS, True, NOW)
    consent.record("o-c3", OUTAGE_NOTICES, False, NOW + timedelta(hours=1))   # another topic does not count
    assert "o-c3" in consent.followers_with(USAGE_REMINDERS)


def test_a_survey_is_asked_once_per_service_and_answered_once(surveys: SqlSurveyStore) -> None:
    asked = surveys.ask(REPAIR, "GZ-T1", "o-s1", NOW)
    assert asked is not None and not asked.answered
    assert surveys.ask(REPAIR, "GZ-T1", "o-s2", NOW) is None          # one survey per service, whoever
    assert surveys.was_asked(REPAIR, "GZ-T1") and not surveys.was_asked(CHECKIN, "GZ-T1")
    assert not surveys.answer(asked.survey_id, "o-other", WORDS_SCALE, 3, None, NOW)   # not this follower's
    assert not surveys.answer(asked.survey_id, "o-s1", WORDS_SCALE, 4, None, NOW)      # outside the scale
    assert surveys.answer(asked.survey_id, "o-s1", WORDS_SCALE, 1, None, NOW + timedelta(minutes=1))
    assert not surveys.answer(asked.survey_id, "o-s1", STARS_SCALE, 5, "改主意了", NOW + timedelta(minutes=2))
    stored = surveys.latest("o-s1")
    assert (stored.scale, stored.score, stored.answered_at) == (WORDS_SCALE, 1, NOW + timedelta(minutes=1))
    assert surveys.add_comment(asked.survey_id, "o-s1", "师傅迟到了") and not surveys.add_comment(asked.survey_id, "o-s1", "再补充")
    assert surveys.latest("o-s1").comment == "师傅迟到了"


def test_a_comment_needs_an_answer_first(surveys: SqlSurveyStore) -> None:
    asked = surveys.ask(HANDOFF, "h-1", "o-s3", NOW)
    assert not surveys.add_comment(asked.survey_id, "o-s3", "客服很耐心")


@pytest.mark.parametrize("scale, score, satisfied", [(3, 3, True), (3, 2, False), (3, 1, False), (5, 5, True),
                                                     (5, 4, True), (5, 3, False), (5, 1, False)])
def test_satisfied_means_manyi_or_four_and_five_stars(scale: int, score: int, satisfied: bool) -> None:
    assert is_satisfied(scale, score) is satisfied


def test_satisfaction_and_response_rate_come_from_the_store(database_url: str) -> None:
    from bot.backends.sql.database import session_factory
    from bot.backends.sql import models as m
    from sqlalchemy import delete

    with session_factory(database_url).begin() as session:
        session.execute(delete(m.SurveyRow))
    store = SqlSurveyStore(database_url)
    assert store.stats() == SurveyStats(0, 0, 0) and store.stats().satisfaction is None and store.stats().response_rate is None
    answers = [(WORDS_SCALE, 3), (WORDS_SCALE, 2), (STARS_SCALE, 5), (STARS_SCALE, 4), (STARS_SCALE, 3), None, None, None]
    for number, answer in enumerate(answers):
        survey = store.ask(CHECKIN if number < 4 else REPAIR, f"svc-{number}", f"o-r{number}", NOW + timedelta(hours=number))
        if answer:
            assert store.answer(survey.survey_id, f"o-r{number}", answer[0], answer[1], None, NOW)
    everything = store.stats()
    assert (everything.asked, everything.answered, everything.satisfied) == (8, 5, 3)
    assert everything.satisfaction == pytest.approx(3 / 5) and everything.response_rate == pytest.approx(5 / 8)
    assert store.stats(CHECKIN) == SurveyStats(4, 4, 3)
    assert store.stats(REPAIR) == SurveyStats(4, 1, 0)
    assert store.stats(since=NOW + timedelta(hours=2), until=NOW + timedelta(hours=5)) == SurveyStats(3, 3, 2)


def test_unfollowing_removes_the_follower_but_keeps_the_figures(surveys: SqlSurveyStore) -> None:
    asked = surveys.ask(CHECKIN, "b-forget", "o-s9", NOW)
    surveys.answer(asked.survey_id, "o-s9", STARS_SCALE, 5, "值机很方便，张伟", NOW)
    before = surveys.stats(CHECKIN)
    assert surveys.forget_follower("o-s9") == 1
    assert surveys.latest("o-s9") is None and surveys.stats(CHECKIN) == before
