"""The NLU normaliser as configured in config.yml: one form of numbers before any regex or classifier reads them."""
from pathlib import Path

import pytest
import yaml

from bot.nlu.normalizer import TextNormalizer

CONFIG = Path(__file__).resolve().parents[1] / "config.yml"


@pytest.fixture(scope="module")
def normaliser() -> TextNormalizer:
    pipeline = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["pipeline"]
    return TextNormalizer(next(c for c in pipeline if c["name"].endswith("TextNormalizer")))


@pytest.mark.parametrize("typed, normalised", [
    ("１３８００１３８０００", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("0086-138-0013-8000", "13800138000"),
    ("选第二个", "选第2个"),
    ("三", "3"),
    ("十一月的账单", "11月的账单"),
    ("十月", "10月"),
    ("八月份账单", "8月份账单"),
    ("最近三个月的账单", "最近3个月的账单"),
    ("近仨月话费", "近3月话费"),
    ("这两个月话费多少", "这2个月话费多少"),
    ("三四个月", "三四个月"),          # not one number: left as typed
    ("上个月账单", "上个月账单"),
    ("/inform{\"x\": \"三个月\"}", "/inform{\"x\": \"三个月\"}"),   # payloads are canonical already
])
def test_numbers_are_normalised(normaliser: TextNormalizer, typed: str, normalised: str) -> None:
    assert normaliser.normalise(typed) == normalised
