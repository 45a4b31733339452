"""Fill the SQL stubs with the deterministic demo data set.

Seeding an empty database inserts everything; seeding a populated one only re-times the demo flights
(their check-in windows are relative to now), so runtime data such as bindings and tickets survives.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Callable, Dict, List

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import clock
from bot.backends.sql import models as m
from bot.backends.sql.database import create_schema, drop_schema, session_factory
from bot.cycles import previous_months
from bot.demo.people import FEATURED, DemoCustomer, generated_customers, id_card_for

TOTAL_CUSTOMERS = 24

PACKAGES = [
    m.PackageRow(code="4G-38", name="4G畅享38元套餐", monthly_fee_fen=3800, data_mb=10240, voice_minutes=100,
                 description="国内通用流量10GB，国内通话100分钟，来电显示免费"),
    m.PackageRow(code="5G-59", name="5G畅享59元套餐", monthly_fee_fen=5900, data_mb=30720, voice_minutes=300,
                 description="国内通用流量30GB，国内通话300分钟，5G网络优先"),
    m.PackageRow(code="5G-99", name="5G智享99元套餐", monthly_fee_fen=9900, data_mb=61440, voice_minutes=800,
                 description="国内通用流量60GB，国内通话800分钟，含300M宽带"),
    m.PackageRow(code="5G-129", name="5G智享129元套餐", monthly_fee_fen=12900, data_mb=102400, voice_minutes=1000,
                 description="国内通用流量100GB，国内通话1000分钟，含500M宽带和视频会员"),
    m.PackageRow(code="5G-199", name="5G尊享199元套餐", monthly_fee_fen=19900, data_mb=204800, voice_minutes=2000,
                 description="国内通用流量200GB，国内通话2000分钟，含千兆宽带、视频会员和机场贵宾厅"),
]

MANAGERS = [
    m.AccountManagerRow(id=1, name="林晓琳", phone="13926000001", greeting="您好，我是您的专属客户经理林晓琳，工作日 9:00-18:00 随时为您服务。",
                        photo_url="https://example.com/managers/lin.png"),
    m.AccountManagerRow(id=2, name="郭志鹏", phone="13926000002", greeting="您好，我是客户经理郭志鹏，有任何业务问题欢迎直接联系我。",
                        photo_url="https://example.com/managers/guo.png"),
]

TECHNICIANS = [
    ("何师傅", "13660000001", "天河区"), ("梁师傅", "13660000002", "越秀区"), ("罗师傅", "13660000003", "海珠区"),
    ("宋师傅", "13660000004", "荔湾区"), ("谢师傅", "13660000005", "白云区"), ("韩师傅", "13660000006", "番禺区"),
    ("唐师傅", "13660000007", "黄埔区"),
]

# Real-looking Guangzhou addresses and coordinates (WGS-84, as WeChat's location messages report them).
SERVICE_HALLS = [
    ("天河城营业厅", "天河区", "天河路208号天河城一楼", 23.1322, 113.3235, "09:00-21:00", 12),
    ("珠江新城营业厅", "天河区", "花城大道85号高德置地广场B1", 23.1189, 113.3265, "09:00-20:00", 5),
    ("岗顶营业厅", "天河区", "天河路590号", 23.1350, 113.3430, "09:00-18:00", 8),
    ("北京路营业厅", "越秀区", "北京路268号", 23.1262, 113.2700, "09:00-21:00", 15),
    ("东山口营业厅", "越秀区", "署前路12号", 23.1262, 113.2983, "09:00-18:00", 3),
    ("江南西营业厅", "海珠区", "江南大道中168号", 23.1016, 113.2722, "09:00-20:00", 7),
    ("客村营业厅", "海珠区", "新港中路381号", 23.0970, 113.3196, "09:00-18:00", 4),
    ("上下九营业厅", "荔湾区", "上九路33号", 23.1195, 113.2487, "09:00-21:00", 9),
    ("白云万达营业厅", "白云区", "云城东路501号", 23.1723, 113.2645, "10:00-22:00", 6),
    ("市桥营业厅", "番禺区", "平康路2号", 22.9381, 113.3650, "09:00-18:00", 2),
    ("科学城营业厅", "黄埔区", "科学大道182号", 23.1707, 113.4493, "09:00-18:00", 1),
]

# Flight departures relative to now: open, open soon-to-close, not yet open, closed.
FLIGHTS = [
    ("CZ3101", "广州", "北京", timedelta(hours=5), "A12"),
    ("CZ3501", "广州", "上海", timedelta(hours=20), "B06"),
    ("CZ3301", "广州", "成都", timedelta(days=3), "A08"),
    ("CZ6301", "广州", "杭州", timedelta(minutes=30), "B18"),
]
SEAT_ROWS = range(11, 43)   # economy cabin of an A321: rows 11-42
SEAT_LETTERS = "ABCJKL"
EXIT_ROWS = {31, 32}


def _customer_rows(people: List[DemoCustomer]) -> List[m.CustomerRow]:
    rows = []
    for index, person in enumerate(people, start=1):
        rows.append(m.CustomerRow(
            id=index, name=person.name, mobile=person.mobile, id_card=id_card_for(index, person),
            vip_level=person.vip_level, manager_id=(1 if index % 2 else 2) if person.vip_level else None,
            package_code=person.package_code, billing_day=1, balance_fen=person.balance_fen,
            status=person.status, suspension_reason=person.suspension_reason,
        ))
    return rows


def _billing_rows(customer: m.CustomerRow, fee_fen: int, today: date, rng: random.Random) -> list:
    rows: list = []
    for age, month in enumerate(previous_months(today, 6)):
        extra_data = rng.choice((0, 0, 0, 500, 1500))
        value_added = rng.choice((0, 1000, 1500))
        calls = rng.choice((0, 0, 120, 360))
        items = [("套餐月费", fee_fen), ("超出套餐流量费", extra_data), ("增值业务费", value_added), ("套餐外通话费", calls)]
        items = [(name, amount) for name, amount in items if amount]
        bill = m.BillRow(customer_id=customer.id, month=month, total_fen=sum(a for _, a in items),
                         paid=age > 0 or customer.balance_fen >= 0)
        bill.items = [m.BillItemRow(name=name, amount_fen=amount) for name, amount in items]
        rows.append(bill)
    return rows


def _usage_rows(customer: m.CustomerRow, package: m.PackageRow, rng: random.Random) -> list:
    data_ratio = 0.92 if customer.id == 2 else rng.uniform(0.1, 0.75)  # 李娜 is above the 80 % warning
    return [
        m.UsageRow(customer_id=customer.id, bucket="国内通用流量", unit="MB", used=int(package.data_mb * data_ratio), total=package.data_mb),
        m.UsageRow(customer_id=customer.id, bucket="国内通话", unit="分钟", used=int(package.voice_minutes * rng.uniform(0.05, 0.7)), total=package.voice_minutes),
        m.UsageRow(customer_id=customer.id, bucket="国内短信", unit="条", used=rng.randrange(0, 50), total=100),
    ]


def _flight_rows(now: datetime) -> List[m.FlightRow]:
    base = now.replace(second=0, microsecond=0)
    return [
        m.FlightRow(id=index, flight_no=no, origin=origin, destination=dest, departure=base + offset, gate=gate)
        for index, (no, origin, dest, offset, gate) in enumerate(FLIGHTS, start=1)
    ]


def _seat_rows(flight_id: int) -> List[m.SeatRow]:
    return [
        m.SeatRow(flight_id=flight_id, seat_no=f"{row}{letter}", row=row, letter=letter,
                  is_window=letter in "AL", is_aisle=letter in "CJ", is_exit_row=row in EXIT_ROWS, blocked=False)
        for row in SEAT_ROWS for letter in SEAT_LETTERS
    ]


def _booking_rows(customers: List[m.CustomerRow], now: datetime) -> List[m.BookingRow]:
    """Bookings for the first customers: 张伟 on every flight (one already seated), 李娜 and 王芳 on one each."""
    plan = [(1, 1, None), (1, 2, None), (1, 3, None), (1, 4, None), (2, 1, "33A"), (3, 2, None)]
    rows = []
    for number, (customer_id, flight_id, seat) in enumerate(plan, start=1):
        customer = customers[customer_id - 1]
        rows.append(m.BookingRow(
            ticket_number=f"784{2100000000 + number:010d}", passenger_name=customer.name, id_card=customer.id_card,
            customer_id=customer.id, flight_id=flight_id, seat_no=seat,
            checked_in_at=now if seat else None,
        ))
    return rows


def _insert_demo_data(session: Session, now: datetime) -> None:
    rng = random.Random(20261123)
    people = FEATURED + generated_customers(TOTAL_CUSTOMERS - len(FEATURED))
    packages: Dict[str, m.PackageRow] = {p.code: p for p in PACKAGES}
    session.add_all([m.PackageRow(**{c.name: getattr(p, c.name) for c in m.PackageRow.__table__.columns}) for p in PACKAGES])
    session.add_all([m.AccountManagerRow(**{c.name: getattr(r, c.name) for c in m.AccountManagerRow.__table__.columns}) for r in MANAGERS])
    session.flush()
    customers = _customer_rows(people)
    session.add_all(customers)
    session.flush()
    for customer, person in zip(customers, people):
        package = packages[customer.package_code]
        session.add_all(_billing_rows(customer, package.monthly_fee_fen, now.date(), rng))
        session.add_all(_usage_rows(customer, package, rng))
        expiring = rng.choice((0, 200, 800))
        session.add(m.PointsRow(customer_id=customer.id, balance=rng.randrange(1000, 20000), expiring=expiring,
                                expiring_on=date(now.year, 12, 31) if expiring else None))
        if person.broadband:
            session.add(m.BroadbandLineRow(
                account=f"020{customer.id:08d}", customer_id=customer.id, address=f"广州市{person.district}示例路{customer.id}号",
                district=person.district, bandwidth_mbps=rng.choice((300, 500, 1000)), diagnosis=person.broadband,
            ))
    session.add_all([m.TechnicianRow(id=i, name=n, phone=p, district=d) for i, (n, p, d) in enumerate(TECHNICIANS, start=1)])
    session.flush()
    _demo_tickets(session, now)
    session.add_all([
        m.ServiceHallRow(id=i, name=n, district=d, address=a, latitude=lat, longitude=lng, opening_hours=h, queue_length=q)
        for i, (n, d, a, lat, lng, h, q) in enumerate(SERVICE_HALLS, start=1)
    ])
    flights = _flight_rows(now)
    session.add_all(flights)
    session.flush()
    for flight in flights:
        session.add_all(_seat_rows(flight.id))
    session.flush()
    session.add_all(_booking_rows(customers, now))


def _demo_tickets(session: Session, now: datetime) -> None:
    """张伟: a second line with an open ticket, and a completed ticket to rate; 陈静: a technician on the way."""
    zhang_second = m.BroadbandLineRow(account="02000000099", customer_id=1, address="广州市天河区体育西路99号",
                                      district="天河区", bandwidth_mbps=300, diagnosis="low_optical_power")
    session.add(zhang_second)
    session.flush()
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    tickets = [
        ("GZ2026112000045", 1, "频繁掉线", "已完成", 1, day - timedelta(days=3), None),
        ("GZ2026112200031", zhang_second.id, "无法上网", "已派单", 1, day - timedelta(days=1), day + timedelta(hours=14)),
        ("GZ2026112300123", 5, "网速慢", "师傅已出发", 6, day, now + timedelta(minutes=40)),
    ]
    for number, line_id, symptom, status, technician, created, arrival in tickets:
        session.add(m.FaultTicketRow(ticket_no=number, line_id=line_id, symptom=symptom, status=status,
                                     technician_id=technician, created_at=created, expected_arrival=arrival))
        if status != "已完成":
            session.add(m.OpenTicketLockRow(line_id=line_id, ticket_no=number))


def _retime_flights(session: Session, now: datetime) -> None:
    for fresh in _flight_rows(now):
        row = session.get(m.FlightRow, fresh.id)
        if row is not None:
            row.departure = fresh.departure


def seed(database_url: str, reset: bool = False, now: Callable[[], datetime] = clock.now) -> str:
    """Create the schema and demo data; returns what was done, for the command line to print."""
    if reset:
        from bot.verification import clear_binding_records

        drop_schema(database_url)
        clear_binding_records(database_url)
    create_schema(database_url)
    sessions = session_factory(database_url)
    with sessions.begin() as session:
        populated = session.execute(select(func.count()).select_from(m.CustomerRow)).scalar_one() > 0
        if populated:
            _retime_flights(session, now())
            return "demo data already present; flight times refreshed"
        _insert_demo_data(session, now())
        return f"demo data seeded: {TOTAL_CUSTOMERS} customers"
