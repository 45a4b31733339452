"""The report as HTML (Jinja2): one self-contained file with ECharts inlined, or a console page that loads it."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot import clock
from bot.console.report.charts import build_charts
from bot.settings import PROJECT_ROOT

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ECHARTS = PROJECT_ROOT / "vendor" / "echarts" / "echarts.min.js"


class ChartLibraryMissing(RuntimeError):
    """vendor/echarts/echarts.min.js is not there: scripts/setup.sh (make install) downloads and verifies it."""


@lru_cache(maxsize=1)
def labels() -> Dict[str, Any]:
    with (Path(__file__).resolve().parent / "labels.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    env.filters["pct"] = lambda value: "–" if value is None else f"{value * 100:.1f}%"
    env.filters["ms"] = lambda value: "–" if value is None else f"{value:.0f} ms"
    env.filters["num"] = lambda value: f"{value:,}"
    return env


@lru_cache(maxsize=1)
def echarts_source() -> str:
    """The vendored chart library (about 1 MB), read once per process."""
    if not ECHARTS.exists():
        raise ChartLibraryMissing(f"{ECHARTS} is missing: run `make install` (scripts/setup.sh vendors Apache ECharts)")
    return ECHARTS.read_text(encoding="utf-8")


def render_report(report: Dict[str, Any], inline_charts: bool = True, page: Optional[Dict[str, Any]] = None) -> str:
    """HTML of the report; `inline_charts` puts ECharts into the page (the mailed file), else the console serves it."""
    charts = build_charts(report, labels())
    return environment().get_template("report.html").render(
        r=report, L=labels(), charts_json=json.dumps(charts, ensure_ascii=False).replace("</", "<\\/"),
        echarts_inline=echarts_source().replace("</script", "<\\/script") if inline_charts else None,
        generated=clock.now().strftime("%Y-%m-%d %H:%M"), page=page or {},
    )
