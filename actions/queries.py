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

from actions.common import bound_customer, latest_text, start_binding_then, yuan
from bot import clock
from bot.backends import get_billing, get_crm
from bot.backends.crm import Customer
from bot.months import months_in
from bot.privacy import mask_mobile

logger = logging.getLogger(__name__)

LOW_BALANCE = 10
DATA_WARNING_RATIO = 0.8
_UNIT_ORDER = {"MB": 0, "分钟": 1, "条": 2}


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


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
            self.answer(customer, dispatcher, tracker)
        except Exception:  # a back end down must still give the follower an answer
            logger.exception("query failed action=%s", self.name())
            dispatcher.utter_message(response="utter_data_missing")
        return [SlotSet("pending_action", None)]

    @abc.abstractmethod
    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker) -> None: ...


class ActionQueryBalance(BoundQueryAction):
    def name(self) -> Text:
        return "action_query_balance"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        balance = get_billing().balance(customer.customer_id)
        masked = mask_mobile(customer.mobile)
        if balance is None:
            dispatcher.utter_message(response="utter_data_missing")
        elif balance.amount < 0 or balance.status != "active":
            dispatcher.utter_message(response="utter_balance_arrears", masked_mobile=masked, amount=yuan(abs(balance.amount)),
                                             reason=balance.suspension_reason or "停机")
        else:
            dispatcher.utter_message(response="utter_balance", masked_mobile=masked, amount=yuan(balance.amount))
            if balance.amount < LOW_BALANCE:
                dispatcher.utter_message(response="utter_balance_low")


class ActionQueryBill(BoundQueryAction):
    def name(self) -> Text:
        return "action_query_bill"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        today = clock.today()
        request = months_in(latest_text(tracker), today)
        masked = mask_mobile(customer.mobile)
        if request.problem == "invalid_month":
            dispatcher.utter_message(response="utter_bill_bad_month")
            return
        if request.problem == "future_month":
            dispatcher.utter_message(response="utter_bill_future_month", month_label="这个月份")
            return
        billing = get_billing()
        if request.is_comparison:
            bills = [b for b in (billing.bill(customer.customer_id, m) for m in request.months) if b is not None]
            if not bills:
                dispatcher.utter_message(response="utter_bill_missing", month_label=f"最近{len(request.months)}个月")
                return
            lines = "\n".join(f"{_month_label(b.month)}：{yuan(b.total)} 元" for b in bills)
            newest, oldest = bills[0].total, bills[-1].total
            trend = ("较{0}增加 {1} 元" if newest > oldest else "较{0}减少 {1} 元" if newest < oldest else "与{0}持平").format(
                _month_label(bills[-1].month), yuan(abs(newest - oldest)))
            dispatcher.utter_message(response="utter_bill_comparison", masked_mobile=masked, count=len(bills), lines=lines,
                                             trend=f"{_month_label(bills[0].month)}{trend}")
            return
        month = request.months[0]
        if month == f"{today.year:04d}-{today.month:02d}":
            dispatcher.utter_message(response="utter_bill_not_issued", month_label="本月")
            return
        bill = billing.bill(customer.customer_id, month)
        if bill is None:
            dispatcher.utter_message(response="utter_bill_missing", month_label=_month_label(month))
            return
        items = "\n".join(f"· {item.name}：{yuan(item.amount)} 元" for item in bill.items)
        dispatcher.utter_message(response="utter_bill", masked_mobile=masked, month_label=_month_label(month), total=yuan(bill.total),
                                         paid="已缴清" if bill.paid else "待缴费", items=items)


class ActionQueryData(BoundQueryAction):
    def name(self) -> Text:
        return "action_query_data"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        buckets = get_billing().usage(customer.customer_id)
        if not buckets:
            dispatcher.utter_message(response="utter_data_missing")
            return
        buckets = sorted(buckets, key=lambda b: _UNIT_ORDER.get(b.unit, 9))
        lines = "\n".join(
            f"{b.name}：已用 {_amount_unit(b.used, b.unit)}，剩余 {_amount_unit(b.remaining, b.unit)}，共 {_amount_unit(b.total, b.unit)}"
            for b in buckets
        )
        dispatcher.utter_message(response="utter_data_usage", masked_mobile=mask_mobile(customer.mobile), lines=lines,
                                         resets_on=f"{buckets[0].resets_on:%Y年%m月%d日}")
        for bucket in buckets:
            if bucket.used_ratio > DATA_WARNING_RATIO:
                dispatcher.utter_message(response="utter_data_warning", bucket=bucket.name, percent=int(bucket.used_ratio * 100))


class ActionQueryPoints(BoundQueryAction):
    def name(self) -> Text:
        return "action_query_points"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        points = get_billing().points(customer.customer_id)
        if points is None:
            dispatcher.utter_message(response="utter_data_missing")
            return
        dispatcher.utter_message(response="utter_points", masked_mobile=mask_mobile(customer.mobile), balance=points.balance)
        if points.expiring and points.expiring_on:
            dispatcher.utter_message(response="utter_points_expiring", expiring=points.expiring, expiring_on=f"{points.expiring_on:%Y年%m月%d日}")


class ActionQueryPackage(BoundQueryAction):
    def name(self) -> Text:
        return "action_query_package"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        package = get_billing().package(customer.customer_id)
        if package is None:
            dispatcher.utter_message(response="utter_data_missing")
            return
        dispatcher.utter_message(response="utter_package", masked_mobile=mask_mobile(customer.mobile), name=package.name,
                                         fee=yuan(package.monthly_fee), description=package.description,
                                         renews_on=f"{package.renews_on:%Y年%m月%d日}")


class ActionShowManager(BoundQueryAction):
    def name(self) -> Text:
        return "action_show_manager"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        manager = get_crm().account_manager(customer.manager_id) if customer.is_vip and customer.manager_id else None
        if manager is None:
            dispatcher.utter_message(response="utter_no_manager")
            return
        dispatcher.utter_message(response="utter_manager_card", name=manager.name, phone=manager.phone, greeting=manager.greeting)
        dispatcher.utter_message(json_message={"wechat_article": {
            "title": f"专属客户经理 {manager.name}", "description": f"{manager.greeting}\n电话：{manager.phone}",
            "url": f"tel:{manager.phone}", "picurl": manager.photo_url}})

