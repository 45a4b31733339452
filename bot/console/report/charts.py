"""ECharts options for the report's charts (trends, hours, funnels, reasons), built from the figures."""
from __future__ import annotations

from typing import Any, Dict, List

FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif"


def _base(title: str) -> Dict[str, Any]:
    return {"animation": False, "textStyle": {"fontFamily": FONT}, "title": {"text": title, "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"}, "grid": {"left": 50, "right": 50, "top": 50, "bottom": 40}}


def _bar(title: str, names: List[str], values: List[Any], horizontal: bool = False) -> Dict[str, Any]:
    option = _base(title)
    category, value = {"type": "category", "data": names}, {"type": "value"}
    option.update(xAxis=value if horizontal else category, yAxis=category if horizontal else value,
                  series=[{"type": "bar", "data": values, "label": {"show": True, "position": "right" if horizontal else "top"}}])
    if horizontal:
        option["grid"]["left"] = 120
    return option


def build_charts(report: Dict[str, Any], labels: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    fig, steps = labels["figures"], labels["steps"]
    trend = report["trend"]
    charts: Dict[str, Dict[str, Any]] = {}
    option = _base(fig["trend"]["label"])
    option.update(legend={"top": 22}, xAxis={"type": "category", "data": trend["days"]},
                  yAxis=[{"type": "value", "name": fig["conversations"]["label"]}, {"type": "value", "name": "%", "max": 100}],
                  series=[{"type": "bar", "name": fig["conversations"]["label"], "data": trend["conversations"]},
                          {"type": "line", "name": fig["containment"]["label"], "yAxisIndex": 1, "data": trend["containment"]},
                          {"type": "line", "name": fig["fallback_rate"]["label"], "yAxisIndex": 1, "data": trend["fallback_rate"]}])
    option["grid"]["top"] = 70
    charts["trend"] = option
    option = _base(fig["by_hour"]["label"])
    option.update(legend={"top": 22}, xAxis={"type": "category", "data": [f"{h}时" for h in range(24)]}, yAxis={"type": "value"},
                  series=[{"type": "bar", "name": fig["messages"]["label"], "data": report["by_hour"]["messages"]},
                          {"type": "bar", "name": fig["conversations"]["label"], "data": report["by_hour"]["conversations"]}])
    option["grid"]["top"] = 70
    charts["by_hour"] = option
    entries = report["scale"]["entries"]
    option = _base(fig["entries"]["label"])
    option.update(tooltip={"trigger": "item"}, series=[{"type": "pie", "radius": ["35%", "65%"], "top": 20,
                  "data": [{"name": labels["entries"].get(k, k), "value": v} for k, v in entries.items()]}])
    charts["entries"] = option
    reasons = report["automation"]["handoffs"]
    charts["handoffs"] = _bar(fig["handoff_rate"]["label"], [labels["reasons"][r] for r in reasons], list(reasons.values()), horizontal=True)
    for flow, series in report["resolution"]["funnels"].items():
        option = _base(fig[f"funnel_{flow}"]["label"])
        option.update(tooltip={"trigger": "item"}, series=[{
            "type": "funnel", "sort": "none", "top": 40, "bottom": 10, "minSize": "8%",
            "label": {"show": True, "position": "inside", "formatter": "{b}：{c}"},
            "data": [{"name": steps[step], "value": count} for step, count in series]}])
        charts[f"funnel_{flow}"] = option
    outcomes = report["resolution"]["fault_outcomes"]
    charts["fault_outcomes"] = _bar(fig["fault_outcomes"]["label"], [steps[s] for s, _ in outcomes], [c for _, c in outcomes])
    ratings = report["satisfaction"]["ratings"]
    charts["ratings"] = _bar(fig["ratings"]["label"], [f"{n}星" for n in ratings], list(ratings.values()))
    intents = report["understanding"]["intents"]
    charts["intents"] = _bar(fig["intents"]["label"], [name for name, _ in intents][::-1], [n for _, n in intents][::-1], horizontal=True)
    return charts
