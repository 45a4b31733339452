"""Self-service queries for a bound follower: balance, bill, data usage, points, package, account manager.

Every query reads the customer bound to the follower's own OpenID; numbers typed in the message are never
used to pick whose data is shown.
"""
from __future__ import annotations

import abc
import logging

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import bound_customer, entity_value, entity_values, start_binding_then, yuan
from actions.wording import day_text, listed, month_text, phrase
from bot import clock
from bot.backends import get_billing, get_crm
from bot.backends.crm import Customer
from bot.months import requested_months
from bot.privacy import mask_mobile
from bot.settings import low_balance_yuan

logger = logging.getLogger(__name__)

DATA_WARNING_RATIO = 0.8
DATA_UNIT = "MB"   # data buckets are listed first, then the others in the back end's order


def _amount_unit(value: int, unit: str) -> str:
    if unit == "MB" and value >= 1024:
        return f"{value / 1024:.2f}GB"
    return f"{value}{unit}"


class BoundQueryAction(Action, abc.ABC):
    """Base for queries: binds first when needed, then answers for the bound customer only."""

    @abc.abstractmethod
    def name(self) -> Text: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        customer = bound_customer(tracker)
        if customer is None:
            return start_binding_then(self.name(), dispatcher, tracker)
        try:
            self.answer(customer, dispatcher, tracker, domain)
        except Exception:  # a back end down must still give the follower an answer
            logger.exception("query failed action=%s", self.name())
            dispatcher.utter_message(response="utter_data_missing")
        return [SlotSet("pending_action", None)]

    @abc.abstractmethod
    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None: ...


class ActionQueryBalance(BoundQueryAction):
    def name(self) -> Text:
        return "action_query_balance"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None:
        balance = get_billing().balance(customer.customer_id)
        masked = mask_mobile(customer.mobile)
        if balance is None:
            dispatcher.utter_message(response="utter_data_missing")
        elif balance.amount < 0 or balance.status != "active":
            dispatcher.utter_message(response="utter_balance_arrears", masked_mobile=masked, amount=yuan(abs(balance.amount)),
                                             reason=balance.suspension_reason or phrase(domain, "utter_part_suspended"))
        else:
            dispatcher.utter_message(response="utter_balance", masked_mobile=masked, amount=yuan(balance.amount))
            if balance.amount < low_balance_yuan():   # the same threshold as the low-balance reminder
                dispatcher.utter_message(response="utter_balance_low")


class ActionQueryBill(BoundQueryAction):
    def name(self) -> Text:
        return "action_query_bill"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None:
        today = clock.today()
        named = entity_values(tracker, "bill_month")
        request = requested_months(today, month=named[0] if named else None, year=entity_value(tracker, "bill_year"),
                                   months_back=entity_value(tracker, "relative_month"),
                                   recent=entity_value(tracker, "recent_months"), through=named[-1] if len(named) > 1 else None)
        masked = mask_mobile(customer.mobile)
        if request.problem == "invalid_month":
            dispatcher.utter_message(response="utter_bill_bad_month")
            return
        if request.problem == "future_month":
            dispatcher.utter_message(response="utter_bill_future_month")
            return
        billing = get_billing()
        if request.is_comparison:
            bills = [b for b in (billing.bill(customer.customer_id, m) for m in request.months) if b is not None]
            if not bills:
                dispatcher.utter_message(response="utter_bill_missing",
                                         month_label=phrase(domain, "utter_part_recent_months", count=len(request.months)))
                return
            newest, oldest = bills[0].total, bills[-1].total
            trend = "utter_part_trend_up" if newest > oldest else "utter_part_trend_down" if newest < oldest else "utter_part_trend_flat"
            dispatcher.utter_message(response="utter_bill_comparison", masked_mobile=masked, count=len(bills),
                                     lines=listed(domain, "utter_part_bill_line",
                                                 ({"month_label": month_text(domain, b.month), "total": yuan(b.total)} for b in bills)),
                                     trend=phrase(domain, trend, newest=month_text(domain, bills[0].month),
                                                  oldest=month_text(domain, bills[-1].month), difference=yuan(abs(newest - oldest))))
            return
        month = request.months[0]
        if month == f"{today.year:04d}-{today.month:02d}":
            dispatcher.utter_message(response="utter_bill_not_issued", month_label=phrase(domain, "utter_part_this_month"))
            return
        bill = billing.bill(customer.customer_id, month)
        if bill is None:
            dispatcher.utter_message(response="utter_bill_missing", month_label=month_text(domain, month))
            return
        items = listed(domain, "utter_part_bill_item", ({"name": item.name, "amount": yuan(item.amount)} for item in bill.items))
        dispatcher.utter_message(response="utter_bill", masked_mobile=masked, month_label=month_text(domain, month), total=yuan(bill.total),
                                 paid=phrase(domain, "utter_part_paid" if bill.paid else "utter_part_unpaid"), items=items)


class ActionQueryData(BoundQueryAction):
    def name(self) -> Text:
        return "action_query_data"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None:
        buckets = get_billing().usage(customer.customer_id)
        if not buckets:
            dispatcher.utter_message(response="utter_data_missing")
            return
        buckets = sorted(buckets, key=lambda b: b.unit != DATA_UNIT)
        rows = ({"name": b.name, "used": _amount_unit(b.used, b.unit), "remaining": _amount_unit(b.remaining, b.unit),
                 "total": _amount_unit(b.total, b.unit)} for b in buckets)
        dispatcher.utter_message(response="utter_data_usage", masked_mobile=mask_mobile(customer.mobile),
                                 lines=listed(domain, "utter_part_usage_line", rows), resets_on=day_text(domain, buckets[0].resets_on))
        for bucket in buckets:
            if bucket.used_ratio > DATA_WARNING_RATIO:
                dispatcher.utter_message(response="utter_data_warning", bucket=bucket.name, percent=int(bucket.used_ratio * 100))


class ActionQueryPoints(BoundQueryAction):
    def name(self) -> Text:
        return "action_query_points"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None:
        points = get_billing().points(customer.customer_id)
        if points is None:
            dispatcher.utter_message(response="utter_data_missing")
            return
        dispatcher.utter_message(response="utter_points", masked_mobile=mask_mobile(customer.mobile), balance=points.balance)
        if points.expiring and points.expiring_on:
            dispatcher.utter_message(response="utter_points_expiring", expiring=points.expiring, expiring_on=day_text(domain, points.expiring_on))


class ActionQueryPackage(BoundQueryAction):
    def name(self) -> Text:
        return "action_query_package"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None:
        package = get_billing().package(customer.customer_id)
        if package is None:
            dispatcher.utter_message(response="utter_data_missing")
            return
        dispatcher.utter_message(response="utter_package", masked_mobile=mask_mobile(customer.mobile), name=package.name,
                                         fee=yuan(package.monthly_fee), description=package.description,
                                 renews_on=day_text(domain, package.renews_on))


class ActionShowManager(BoundQueryAction):
    def name(self) -> Text:
        return "action_show_manager"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None:
        manager = get_crm().account_manager(customer.manager_id) if customer.is_vip and customer.manager_id else None
        if manager is None:
            dispatcher.utter_message(response="utter_no_manager")
            return
        dispatcher.utter_message(response="utter_manager_card", name=manager.name, phone=manager.phone, greeting=manager.greeting)
        card = {"name": manager.name, "phone": manager.phone, "greeting": manager.greeting}
        dispatcher.utter_message(json_message={"wechat_article": {
            "title": phrase(domain, "utter_part_manager_article_title", **card),
            "description": phrase(domain, "utter_part_manager_article_description", **card),
            "url": f"tel:{manager.phone}", "picurl": manager.photo_url}})

