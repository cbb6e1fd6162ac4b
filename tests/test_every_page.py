"""Every page renders for the county and for each single township: no error, no empty chart."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.figures import choices

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
PAGES = sorted(p.name for p in (settings.REPO_ROOT / "pages").glob("*.py"))
TOWNSHIPS = [None, *choices.townships(LAST_SNAPSHOT)["township_name"]]


def chart_has_data(spec: dict) -> bool:
    def points(trace: dict) -> int:
        values = trace.get("x") if trace.get("orientation") != "h" else trace.get("y")
        values = values if values is not None else trace.get("y")
        values = values if values is not None else trace.get("locations")  # a map's places (present/screen/maps.py)
        if isinstance(values, dict):  # numbers arrive base64-encoded as {"dtype", "bdata"}
            return 1 if values.get("bdata") else 0
        return len(values or [])

    return any(points(trace) > 0 for trace in spec.get("data", []))


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("township", TOWNSHIPS, ids=lambda t: t or "全县")
def test_page_renders_without_error_or_empty_chart(page, township):
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    if township:
        at.query_params["township"] = [township]
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        assert chart_has_data(spec), f"{page} / {township}: empty chart {spec['layout'].get('title')}"
