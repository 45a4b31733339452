"""Which actions, responses and intents of this bot mark each figure's events (read from domain/, data/rules, actions/).

A conversation designer renaming a response must rename it here too; tests/console check the names exist in the domain.
"""
from __future__ import annotations

from typing import Dict, FrozenSet, Tuple

from bot.handoff import (  # noqa: F401  (the console's names for them)
    HANDOFF_REASONS, REASON_ASKED, REASON_COMPLAINT, REASON_KEYWORD, REASON_MISUNDERSTOOD, REASON_OUT_OF_HOURS)

# Understanding: the bot said it did not understand (actions/fallback.py).
FALLBACK_RESPONSES: FrozenSet[str] = frozenset({"utter_default", "utter_did_you_mean", "utter_offer_human"})
OFFER_HUMAN = "utter_offer_human"          # the second misunderstanding in a row offers a person
FALLBACK_INTENT = "nlu_fallback"

# Automation: the conversation reached a person (actions/handoff.py).
HANDED_OVER = "utter_handoff"               # during service hours: WeChat's agents take over
OUT_OF_HOURS = "utter_handoff_closed"       # outside them: call-back offered
CALLBACK_RECORDED = "utter_callback_recorded"

# Handoff reasons (keys from bot.handoff; the report's labels are in report/labels.yml). action_handoff records
# the reason in its response's metadata (`handoff_reason`), so a later edit of data/handoff.yml does not change
# the reasons of past handoffs.
HANDOFF_REASON_KEY = "handoff_reason"

# Resolution funnels: flow → ordered steps; a step is reached when one of its actions ran or responses was sent.
QUERY_ACTIONS = frozenset({"action_query_balance", "action_query_bill", "action_query_data", "action_query_points",
                           "action_query_package", "action_show_manager"})
QUERY_ANSWERS = frozenset({"utter_balance", "utter_balance_low", "utter_balance_arrears", "utter_bill",
                           "utter_bill_comparison", "utter_bill_not_issued", "utter_bill_missing", "utter_data_usage",
                           "utter_data_warning", "utter_data_missing", "utter_points", "utter_points_expiring",
                           "utter_package", "utter_manager_card", "utter_no_manager"})
BIND_SUCCESS = "utter_bind_success"

FAULT_START = "action_start_fault_report"
FAULT_DIAGNOSED = "action_diagnose_line"
FAULT_OUTCOMES: Dict[str, str] = {       # response → outcome step
    "utter_fault_outage": "outage",
    "utter_fault_arrears": "arrears",
    "utter_fault_fixed_port_down": "fixed_remotely",
    "utter_fault_fixed_auth_failure": "fixed_remotely",
    "utter_ticket_created": "ticket",
    "utter_ticket_created_with_photo": "ticket",
    "utter_ticket_exists": "ticket",
}

CHECKIN_START = "action_start_check_in"
CHECKIN_IDENTIFIED = frozenset({"utter_checkin_own_bookings", "utter_segment_chosen", "utter_ask_checkin_booking",
                                "utter_already_checked_in", "utter_window_not_open", "utter_window_closed"})
CHECKIN_SEAT = frozenset({"utter_seat_proposed", "utter_ask_checkin_confirm", "utter_ask_exit_row_ok"})
CHECKIN_PASS = frozenset({"utter_boarding_pass_header_issued"})

FUNNELS: Dict[str, Tuple[str, ...]] = {
    "query": ("asked", "bound", "answered"),
    "fault": ("reported", "diagnosed", "outcome"),
    "checkin": ("started", "identified", "seat", "boarding_pass"),
}
FAULT_OUTCOME_STEPS: Tuple[str, ...] = ("outage", "arrears", "fixed_remotely", "ticket")

# Knowledge base: a retrieval intent answered by `utter_faq/<entry>`.
FAQ_INTENT = "faq"
FAQ_PREFIX = "utter_faq/"

# Satisfaction: a repair rating stored (actions/tickets.py sends the stars as ★ in the response's values).
RATING_SAVED = "utter_rating_saved"
TICKET_CREATED = frozenset({"utter_ticket_created", "utter_ticket_created_with_photo"})
LOW_RATING = 2                       # 1–2 stars is a low rating

# Service level: WeChat's passive reply window (seconds) and the latency histogram's bucket width (ms).
LATENCY_BUCKET_MS = 10
FCR_WINDOW_SECONDS = 24 * 3600
