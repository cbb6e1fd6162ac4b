"""The store `bench --browser` measures and what a person picks in it, for the dashboard and its bare twins.

A county's own store (the demo, by default): its county view, then a township picked in the sidebar's filter. A
store of many counties (`--data .bench/province`): the whole store's view (a province, the nation), then its first
county picked in the sidebar's county box, then that county's first township in the township filter: the views the
query benchmark measures (runner.views_of), reached as a person reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from socialwork.bench.budget import TOWNSHIP
from socialwork.data.storage import divisions

COUNTY_VIEW, TOWNSHIP_VIEW = "county", "township"


@dataclass(frozen=True)
class Store:
    """The measured store: its views in the order a person opens them, and the names typed to reach them."""

    # "demo" (the built-in county), "county" (another county's store), or a store of many counties' whole level
    name: str
    data: Path
    township: str  # the township's name, typed into the township filter
    township_code: str
    county: str | None = None  # in a store of many counties: the county's name, typed into the county box first
    county_code: str | None = None

    @property
    def views(self) -> tuple[str, ...]:
        """The first render's view, then each rerun's."""
        whole = () if self.county is None else (self.name,)
        return (*whole, COUNTY_VIEW, TOWNSHIP_VIEW)

    @property
    def many_counties(self) -> bool:
        return self.county is not None

    def query(self, view: str) -> tuple[str | None, str | None]:
        """(township name, scope code) that open the view by URL, as AppTest's query parameters."""
        township = self.township if view == TOWNSHIP_VIEW else None
        return township, self.county_code if view in (COUNTY_VIEW, TOWNSHIP_VIEW) else None


def store_of(data: Path, demo: bool, as_of: date) -> Store:
    """The store and its picks: the demo's township is the one the budget and the profile pick (TOWNSHIP)."""
    from socialwork.bench import runner
    from socialwork.figures import choices

    views = runner.views_of(data, as_of)
    township = views[-1]
    if len(views) == 2:
        known = choices.townships(as_of, data)
        if demo and TOWNSHIP in set(known["township_name"]):
            code = str(known.loc[known["township_name"] == TOWNSHIP, "township_code"].iloc[0])
            return Store("demo", data, TOWNSHIP, code)
        return Store("county", data, str(township.township_name), str(township.township))
    known = divisions.read(data)
    names = dict(zip(known["division_code"], known["division_name"], strict=True))
    county = str(views[1].scope)
    return Store(views[0].name, data, str(township.township_name), str(township.township), names[county], county)


def sidebar_spec(store: Store, as_of: date) -> dict[str, Any]:
    """The twins' sidebar: the township filter's options and, for a store of many counties, the dashboard's division
    boxes as they stand before a county is picked (socialwork/present/screen/scope.py's picker): a province box with
    more than one province, a city box with one province of several cities, and the county box, last."""
    from socialwork.figures import choices
    from socialwork.present.screen.scope import LABELS

    known = choices.townships(as_of, store.data)
    if not store.many_counties:
        return {"townships": list(known["township_name"]), "boxes": [], "whole": "全县"}
    townships = known[known["township_code"].str.startswith(store.county_code)]
    levels = divisions.read(store.data)
    names = {level: list(levels.loc[levels["division_level"] == level, "division_name"]) for level in LABELS}
    boxes = []
    if len(names["province"]) > 1:
        boxes.append({"label": LABELS["province"], "options": names["province"], "placeholder": "全部 · 输入名称搜索"})
    elif len(names["city"]) > 1:
        boxes.append({"label": LABELS["city"], "options": names["city"], "placeholder": "全省 · 输入名称搜索"})
    whole = "全部" if len(names["province"]) > 1 else "全省" if len(names["city"]) > 1 else "全市"
    boxes.append({"label": LABELS["county"], "options": names["county"], "placeholder": f"{whole} · 输入县名搜索"})
    return {"townships": list(townships["township_name"]), "boxes": boxes, "whole": whole}
