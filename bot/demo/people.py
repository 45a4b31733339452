"""The demo customers a tester uses (listed in the README) plus generated ones to make up the numbers."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import List, Optional

from bot.id_card import check_character


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    mobile: str
    birth: str              # YYYYMMDD, part of the ID-card number
    vip_level: int
    package_code: str
    balance_fen: int
    broadband: Optional[str]  # the line's diagnosis in the stub, None = no broadband
    district: str
    status: str = "active"
    suspension_reason: Optional[str] = None


# Hand-picked customers: each one covers a case a tester wants to see.
FEATURED: List[DemoCustomer] = [
    DemoCustomer("张伟", "13800138000", "19850312", 2, "5G-129", 8650, "no_fault", "天河区"),
    DemoCustomer("李娜", "13912345678", "19900725", 0, "5G-59", 320, "port_down", "越秀区"),
    DemoCustomer("王芳", "13712340001", "19780118", 3, "5G-199", 52300, "low_optical_power", "海珠区"),
    DemoCustomer("刘洋", "13612340002", "19951102", 0, "4G-38", -2580, "arrears", "白云区",
                 status="suspended", suspension_reason="欠费停机"),
    DemoCustomer("陈静", "13512340003", "19880609", 1, "5G-99", 15600, "auth_failure", "番禺区"),
    DemoCustomer("杨磊", "18812340004", "19920214", 0, "5G-59", 4210, "area_outage", "荔湾区"),
    DemoCustomer("赵敏", "18912340005", "19870930", 0, "5G-99", 12000, "no_fault", "黄埔区"),
    DemoCustomer("黄强", "15012340006", "19810505", 0, "4G-38", 9900, None, "天河区"),
]

_SURNAMES = "周吴郑孙马朱胡郭何高林罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
_GIVEN = "俊杰浩宇子涵欣怡梓萱思远雨桐一诺佳琪晨曦明轩志强秀英建华丽娟海燕文博"
_DIAGNOSES = ("no_fault", "port_down", "low_optical_power", "auth_failure", "area_outage", "no_fault")
_DISTRICTS = ("天河区", "越秀区", "海珠区", "荔湾区", "白云区", "番禺区", "黄埔区")
_PACKAGES = ("4G-38", "5G-59", "5G-99", "5G-129")


def generated_customers(count: int, seed: int = 20261123) -> List[DemoCustomer]:
    """`count` more customers from a fixed seed, so every seed run yields the same data."""
    rng = random.Random(seed)
    people = []
    for index in range(count):
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
        mobile = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
        birth = f"{rng.randrange(1960, 2004)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        people.append(DemoCustomer(
            name=name, mobile=mobile, birth=birth, vip_level=1 if index % 5 == 0 else 0,
            package_code=rng.choice(_PACKAGES), balance_fen=rng.randrange(500, 30000),
            broadband=rng.choice(_DIAGNOSES) if index % 3 else None, district=rng.choice(_DISTRICTS),
        ))
    return people


def id_card_for(index: int, person: DemoCustomer) -> str:
    """A checksum-valid Guangzhou (4401xx) ID-card number, unique per customer index."""
    first17 = f"440106{person.birth}{index:03d}"
    return first17 + check_character(first17)
