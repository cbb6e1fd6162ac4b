"""A bare Streamlit twin of a dashboard page: the page's elements, kind by kind and size by size, drawn from
synthetic data, with no query and none of our code (socialwork/bench/bare_app.py serves the twins).

A page's layout is read from a run of the page itself (Streamlit's AppTest): every element and container in
order, with what sets its weight in the browser (a table's rows and columns, a chart's traces and points, a
metric's sparkline, a text's length). The twin draws the same tree with plain Streamlit calls.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

Node = dict[str, Any]  # one element or container of a page, as JSON

SPECS_ENV = "SOCIALWORK_BARE_SPECS"  # the JSON file of every twin, read by bare_app.py
TEXT_KINDS = ("title", "header", "subheader", "markdown", "caption", "badge", "alert", "other")
WIDGET_KINDS = ("button", "download_button")
ALERTS = ("info", "warning", "error", "success")
SUMMARY_KINDS = ("metrics", "charts", "tables", "texts", "widgets", "containers")
SCOPE_MARK = "范围："  # the page header's "#### 数据截至 … · 范围：…" line, which names the chosen townships
_FILLER = "社会工作人才专项数据示例文字"


# ---------------------------------------------------------------- reading a page
def quiet_bare_mode() -> None:
    """Silence AppTest's "missing ScriptRunContext" warning, printed on every call outside a script run.

    A filter, not a level: Streamlit sets its loggers' levels again when a script runs.
    """
    import logging

    logger = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    if _not_bare_mode_warning not in logger.filters:
        logger.addFilter(_not_bare_mode_warning)


def _not_bare_mode_warning(record: Any) -> bool:
    return "missing ScriptRunContext" not in record.getMessage()


def page_spec(page: str, township: str | None, timeout: float = 120, scope: str | None = None) -> list[Node]:
    """The main area of a dashboard page as a twin spec, from one AppTest run (county view without township; in a
    store of many counties, the whole store's view without scope, a county's with its code)."""
    from streamlit.testing.v1 import AppTest

    from socialwork.data import settings

    quiet_bare_mode()
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=timeout)
    if scope:
        at.query_params["scope"] = scope
    if township:
        at.query_params["township"] = [township]
    at.switch_page(f"pages/{page}.py").run()
    problems = [e.value for e in at.exception] + [e.value for e in at.error]
    if problems:
        raise RuntimeError(f"page {page} ({township or scope or 'county'}) failed: {problems}")
    return block_spec(at.main)


def block_spec(block: Any) -> list[Node]:
    """The children of an AppTest block, in order, as spec nodes."""
    return [node_spec(block.children[i]) for i in sorted(block.children)]


def node_spec(node: Any) -> Node:
    """One AppTest node (container or element) as a spec node."""
    kind = node.type
    if hasattr(node, "children") and kind not in ("dataframe",):
        return container_spec(node)
    reader = _READERS.get(kind)
    if reader is not None:
        return reader(node)
    if kind in ALERTS:
        return {"kind": "alert", "level": kind, "chars": len(str(node.value))}
    if kind in ("title", "header", "subheader", "caption"):
        return {"kind": kind, "chars": len(str(node.value))}
    return {"kind": "other", "type": kind, "chars": len(str(getattr(node, "value", "") or ""))}


def container_spec(block: Any) -> Node:
    """st.columns, st.container (bordered, horizontal) or st.expander, with their children."""
    children = block_spec(block)
    if block.type == "column":  # AppTest gives a column the Column message itself
        return {"kind": "column", "weight": block.proto.weight or 1.0, "children": children}
    if block.type in ("expandable", "expander"):  # AppTest gives st.expander its Expandable message itself
        expandable = block.proto if block.type == "expander" else block.proto.expandable
        return {"kind": "expander", "label": expandable.label, "children": children}
    if children and all(c["kind"] == "column" for c in children):
        weights, contents = [c["weight"] for c in children], [c["children"] for c in children]
        return {"kind": "columns", "weights": weights, "children": contents}
    flex = block.proto.flex_container if block.proto is not None and block.proto.HasField("flex_container") else None
    horizontal = flex is not None and flex.direction == flex.Direction.HORIZONTAL
    return {"kind": "container", "border": bool(flex and flex.border), "horizontal": horizontal, "children": children}


def markdown_spec(node: Any) -> Node:
    text = str(node.value)
    if text.startswith(":") and "-badge[" in text:
        colour = text[1 : text.index("-badge[")]
        return {"kind": "badge", "color": colour, "chars": len(text) - text.index("[") - 2}
    lines = text.splitlines() or [""]
    return {
        "kind": "markdown",
        "chars": len(text),
        "scope": text.startswith("#### ") and SCOPE_MARK in text,
        "bullets": len(lines) if all(line.startswith("- ") for line in lines) else 0,
    }


def metric_spec(node: Any) -> Node:
    proto = node.proto
    return {
        "kind": "metric",
        "chars": len(proto.label),
        "delta": bool(proto.delta),
        "chart": len(proto.chart_data),
        "border": bool(proto.show_border),
        "help": bool(proto.help),
    }


def frame_spec(node: Any) -> Node:
    """A table's rows, its columns' kinds and whether it is styled (pandas Styler)."""
    frame = node.value
    return {
        "kind": "dataframe",
        "rows": len(frame),
        "columns": [column_kind(frame[c]) for c in frame.columns],
        "styled": node.proto.arrow_data.HasField("styler"),
    }


def column_kind(column: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(column):
        return "bool"
    if pd.api.types.is_numeric_dtype(column):
        return "number"
    return "text"


def chart_spec(node: Any) -> Node:
    return figure_spec(node.proto.spec) | {"select": len(node.proto.selection_mode) > 0}


def figure_spec(spec_json: str) -> Node:
    """A plotly figure's weight: each trace's type, orientation, points and text labels; shapes, annotations."""
    spec = json.loads(spec_json)
    layout = spec.get("layout", {})
    traces = [
        {
            "type": trace.get("type", "scatter"),
            "orientation": trace.get("orientation", "v"),
            "mode": trace.get("mode"),
            "points": max(_length(trace.get("x")), _length(trace.get("y"))),
            "text": trace.get("text") is not None or trace.get("texttemplate") is not None,
        }
        for trace in spec.get("data", [])
    ]
    return {
        "kind": "plotly_chart",
        "traces": traces,
        "shapes": len(layout.get("shapes", [])),
        "annotations": len(layout.get("annotations", [])),
        "height": layout.get("height"),
    }


def _length(values: Any) -> int:
    """Points in a plotly array: a list, or numbers base64-encoded as {"dtype", "bdata"}."""
    if values is None:
        return 0
    if isinstance(values, dict) and "bdata" in values:
        size = np.dtype(values.get("dtype", "f8")).itemsize
        return len(base64.b64decode(values["bdata"])) // size
    return len(values) if isinstance(values, list) else 1


def button_spec(node: Any) -> Node:
    return {"kind": node.type, "chars": len(node.proto.label)}


_READERS = {
    "markdown": markdown_spec,
    "metric": metric_spec,
    "dataframe": frame_spec,
    "plotly_chart": chart_spec,
    "button": button_spec,
    "download_button": button_spec,
}


# ---------------------------------------------------------------- counting
def summary_kind(kind: str) -> str:
    """The column an element kind is counted in."""
    if kind == "metric":
        return "metrics"
    if kind == "plotly_chart":
        return "charts"
    if kind == "dataframe":
        return "tables"
    if kind in TEXT_KINDS:
        return "texts"
    if kind in WIDGET_KINDS:
        return "widgets"
    return "containers"


def count_kinds(nodes: list[Node]) -> dict[str, int]:
    """Elements by summary kind (metrics, charts, tables, texts, widgets, containers), containers' contents included."""
    counts: Counter[str] = Counter(dict.fromkeys(SUMMARY_KINDS, 0))
    for node in nodes:
        counts[summary_kind(node["kind"])] += 1
        for child in _children(node):
            counts.update(count_kinds(child))
    return dict(counts)


def _children(node: Node) -> list[list[Node]]:
    if node["kind"] == "columns":
        return node["children"]
    return [node["children"]] if "children" in node else []


def counts_text(counts: dict[str, int]) -> str:
    """ "6 / 3 / 2 / 14 / 5": metrics, charts, tables, texts, widgets."""
    return " / ".join(str(counts[k]) for k in SUMMARY_KINDS[:-1])


# ---------------------------------------------------------------- drawing the twin
def date_text(iso: str) -> str:
    """2026-10-31 as 2026年10月31日."""
    year, month, day = iso.split("-")
    return f"{year}年{month}月{day}日"


def filler(chars: int) -> str:
    """Chinese text of the given length."""
    return (_FILLER * (chars // len(_FILLER) + 1))[: max(1, chars)]


def synthetic_frame(node: Node, rng: np.random.Generator) -> pd.DataFrame:
    """A table of the node's rows and column kinds, with random values."""
    rows = node["rows"]
    columns = {}
    for i, kind in enumerate(node["columns"]):
        if kind == "number":
            values: Any = rng.integers(0, 500, rows)
        elif kind == "bool":
            values = rng.random(rows) < 0.5
        else:
            values = [filler(2 + int(v)) for v in rng.integers(0, 6, rows)]
        columns[f"{filler(2)}{i + 1}"] = values
    return pd.DataFrame(columns)


def synthetic_figure(node: Node, rng: np.random.Generator):
    """A plotly figure with the node's traces (same type, orientation and points), shapes and annotations."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for trace in node["traces"]:
        n = max(1, trace["points"])
        labels = [f"{filler(3)}{i}" for i in range(n)]
        values = rng.integers(0, 100, n)
        text = values if trace["text"] else None
        if trace["type"] == "bar":
            x, y = (values, labels) if trace["orientation"] == "h" else (labels, values)
            figure.add_trace(go.Bar(x=x, y=y, orientation=trace["orientation"], text=text, name=filler(4)))
        else:
            figure.add_trace(go.Scatter(x=labels, y=values, mode=trace["mode"] or "lines", text=text, name=filler(4)))
    for i in range(node["shapes"]):
        figure.add_shape(type="line", x0=0, x1=1, xref="paper", y0=i, y1=i, line={"dash": "dash"})
    for i in range(node["annotations"]):
        figure.add_annotation(x=0.5, y=i, xref="paper", text=filler(6), showarrow=False)
    figure.update_layout(title=filler(12), height=node["height"], margin={"t": 60})
    return figure


class Drawer:
    """Draws a twin spec with plain Streamlit calls; the numbers come from a generator seeded per view."""

    def __init__(self, rng: np.random.Generator, scope: str, stamp: str) -> None:
        self.rng, self.scope, self.stamp, self.keys = rng, scope, stamp, 0

    def draw(self, nodes: list[Node]) -> None:
        for node in nodes:
            getattr(self, f"_{node['kind']}", self._other)(node)

    def _key(self) -> str:
        self.keys += 1
        return f"twin_{self.keys}"

    def _columns(self, node: Node) -> None:
        import streamlit as st

        for column, children in zip(st.columns(node["weights"]), node["children"], strict=True):
            with column:
                self.draw(children)

    def _container(self, node: Node) -> None:
        import streamlit as st

        with st.container(border=node["border"], horizontal=node["horizontal"]):
            self.draw(node["children"])

    def _expander(self, node: Node) -> None:
        import streamlit as st

        with st.expander(node["label"]):
            self.draw(node["children"])

    def _title(self, node: Node) -> None:
        import streamlit as st

        st.title(filler(node["chars"]))

    def _header(self, node: Node) -> None:
        import streamlit as st

        st.header(filler(node["chars"]))

    def _subheader(self, node: Node) -> None:
        import streamlit as st

        st.subheader(filler(node["chars"]))

    def _markdown(self, node: Node) -> None:
        import streamlit as st

        if node.get("scope"):
            st.markdown(f"#### {self.stamp} · {SCOPE_MARK}{self.scope}")
        elif node.get("bullets"):
            each = node["chars"] // node["bullets"] - 2
            st.markdown("\n".join(f"- {filler(each)}" for _ in range(node["bullets"])))
        else:
            st.markdown(filler(node["chars"]))

    def _caption(self, node: Node) -> None:
        import streamlit as st

        st.caption(filler(node["chars"]))

    def _badge(self, node: Node) -> None:
        import streamlit as st

        st.badge(filler(node["chars"]), color=node["color"])

    def _alert(self, node: Node) -> None:
        import streamlit as st

        getattr(st, node["level"])(filler(node["chars"]))

    def _metric(self, node: Node) -> None:
        import streamlit as st

        value = float(self.rng.uniform(0, 500))
        chart = list(self.rng.uniform(0, 500, node["chart"])) if node["chart"] else None
        st.metric(
            filler(node["chars"]), f"{value:,.1f}人", delta=f"{value / 10:+.1f}人" if node["delta"] else None,
            chart_data=chart, chart_type="line", border=node["border"], help=filler(20) if node["help"] else None,
        )  # fmt: skip

    def _dataframe(self, node: Node) -> None:
        import streamlit as st

        frame = synthetic_frame(node, self.rng)
        shown: Any = frame
        if node["styled"]:
            fills = self.rng.choice(["background-color: #2ca02c33", "background-color: #d6272833", ""], frame.shape)
            tints = pd.DataFrame(fills, index=frame.index, columns=frame.columns)
            shown = frame.style.apply(lambda _: tints, axis=None)
        # As the dashboard's tables: every row shown up to 20, then an inner scrollbar (cards.table_height).
        st.dataframe(shown, hide_index=True, width="stretch", height=38 + 35 * min(node["rows"], 20))

    def _plotly_chart(self, node: Node) -> None:
        import streamlit as st

        figure = synthetic_figure(node, self.rng)
        if node.get("select"):
            st.plotly_chart(figure, key=self._key(), on_select=lambda: None, selection_mode="points", width="stretch")
        else:
            st.plotly_chart(figure, width="stretch")

    def _button(self, node: Node) -> None:
        import streamlit as st

        st.button(filler(node["chars"]), key=self._key())

    def _download_button(self, node: Node) -> None:
        import streamlit as st

        st.download_button(
            filler(node["chars"]), b"x", file_name="x.csv", key=self._key(), on_click="ignore",
            icon=":material/download:",
        )  # fmt: skip

    def _other(self, node: Node) -> None:
        import streamlit as st

        st.markdown(filler(node.get("chars", 8)))


def seed(*parts: object) -> int:
    """A stable seed for a view (hash() of a str changes between processes)."""
    return zlib.crc32("|".join(map(str, parts)).encode("utf-8"))
