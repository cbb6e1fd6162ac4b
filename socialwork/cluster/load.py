"""A load test at the protocol level: many Streamlit sessions without a browser.

Each simulated person opens `/_stcore/stream` as the frontend does (subprotocol "streamlit"), asks for the page's
first run with a `rerun_script` BackMsg, reads ForwardMsgs until `script_finished`, finds the sidebar's township
filter among the elements it was sent, and then changes that filter (a widget state in the next `rerun_script`)
a few times with a pause between: the rerun latency is from sending the rerun to its `script_finished`. All
sessions stay open until the last one is done, so "held" counts sessions open at once. Errors: a connection that
fails or drops, a run that does not finish within RUN_TIMEOUT_S, an exception element in a page.

The messages are the `streamlit.proto` classes of the installed wheel, so the generator speaks the server's own
version of the protocol. It sends no cached-message hashes: every run's elements come in full, as for a browser
with an empty cache.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

TOWNSHIP_KEY = "filter_townships"  # present/screen/filtering.py's sidebar multiselect (the phone's copy ends otherwise)
RUN_TIMEOUT_S = 120.0
INPUTS = ("text_input", "text_area", "button", "date_input", "selectbox", "checkbox", "file_uploader")


@dataclass
class SessionResult:
    """What one simulated person saw."""

    opened: bool = False
    held: bool = False  # still connected when every session had opened and this one had done its reruns
    first_render_s: float | None = None
    reruns_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Page:
    """What a run told the client: the page's script hash, the township filter's widget id and options, the ids of
    input widgets by label (and by form and label: a label may recur in several forms), a selectbox's options, the
    metric cards, the errors (st.error) and successes (st.success) and the texts (markdown, HTML) shown."""

    script_hash: str = ""
    widget_id: str | None = None
    options: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)
    form_inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)
    successes: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def note_input(self, widget) -> None:
        """An input widget's id under its label, and under its form's id when it is in a form."""
        self.inputs[widget.label] = widget.id
        if widget.form_id:
            self.form_inputs.setdefault(widget.form_id, {})[widget.label] = widget.id


def rerun_message(page_name: str = "", script_hash: str = "", widgets: list[WidgetState] | None = None,
                  query: str = "") -> bytes:  # fmt: skip
    """A `rerun_script` BackMsg as the frontend sends it (`query`: the URL's query string, without "?")."""
    message = BackMsg()
    state = message.rerun_script
    state.query_string = query
    state.page_name = page_name
    state.page_script_hash = script_hash
    state.widget_states.SetInParent()
    state.widget_states.widgets.extend(widgets or [])
    return message.SerializeToString()


def township_choice(widget_id: str, names: list[str]) -> WidgetState:
    """The township filter set to `names` (a multiselect sends its options' labels)."""
    state = WidgetState(id=widget_id)
    state.string_array_value.data.extend(names)
    return state


async def read_run(ws, page: Page) -> Page:
    """ForwardMsgs up to this run's script_finished; the page learns its hash, filter and exceptions."""
    while True:
        message = ForwardMsg()
        message.ParseFromString(await ws.recv())
        kind = message.WhichOneof("type")
        if kind == "navigation":  # the page that ran (st.navigation), which the next rerun must name
            page.script_hash = message.navigation.page_script_hash
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            which = element.WhichOneof("type")
            if which == "multiselect" and element.multiselect.id.endswith(f"-{TOWNSHIP_KEY}"):
                page.widget_id, page.options = element.multiselect.id, list(element.multiselect.options)
            elif which == "exception":
                page.exceptions.append(element.exception.type or "exception")
            elif which in INPUTS:
                page.note_input(getattr(element, which))
                if which == "selectbox":
                    page.choices[element.selectbox.label] = list(element.selectbox.options)
            elif which == "metric":
                page.metrics[element.metric.label] = element.metric.body
            elif which == "alert" and element.alert.format == Alert.ERROR:
                page.alerts.append(element.alert.body)
            elif which == "alert" and element.alert.format == Alert.SUCCESS:
                page.successes.append(element.alert.body)
            elif which in ("markdown", "html"):
                page.texts.append(getattr(element, which).body)
        elif kind == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue  # the page called st.rerun (a login, a saved form): its next run follows at once
            if message.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                page.exceptions.append(f"script_finished={message.script_finished}")
            return page


class Gate:
    """Opens when every session has opened (or failed to): the reruns start together, after the first renders.
    `on_open` runs at that moment (the benchmark reads the servers' CPU there)."""

    def __init__(self, parties: int, on_open: Callable[[], None] | None = None) -> None:
        self.parties, self.arrived, self.on_open, self.event = parties, 0, on_open, asyncio.Event()

    def arrive(self) -> None:
        self.arrived += 1
        if self.arrived == self.parties:
            if self.on_open:
                self.on_open()
            self.event.set()

    async def wait(self) -> None:
        await self.event.wait()


async def one_session(ws_url: str, page_name: str, reruns: int, think_s: float, opened: Gate,
                      seed: int, query: str = "") -> SessionResult:  # fmt: skip
    """One person: open the page (with the URL's query string `query`), wait for everyone to be in, change the
    township filter `reruns` times."""
    result, chooser = SessionResult(), random.Random(seed)
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                      ping_interval=None, close_timeout=5) as ws:  # fmt: skip
            started = time.perf_counter()
            await ws.send(rerun_message(page_name, query=query))
            page = await asyncio.wait_for(read_run(ws, Page()), RUN_TIMEOUT_S)
            result.first_render_s, result.opened = time.perf_counter() - started, True
            if page.widget_id is None:
                result.errors.append("no township filter on the page")
            opened.arrive()
            await opened.wait()
            for _ in range(reruns if page.widget_id else 0):
                await asyncio.sleep(think_s * chooser.uniform(0.5, 1.5))
                choice = township_choice(page.widget_id, [chooser.choice(page.options)])
                started = time.perf_counter()
                await ws.send(rerun_message(page_name, page.script_hash, [choice], query))
                await asyncio.wait_for(read_run(ws, page), RUN_TIMEOUT_S)
                result.reruns_s.append(time.perf_counter() - started)
            result.errors += page.exceptions
            result.held = True
    except (OSError, TimeoutError, websockets.WebSocketException) as err:
        result.errors.append(f"{type(err).__name__}: {err}"[:200])
    if not result.opened:
        opened.arrive()  # never leave the others waiting for this one
    return result


async def _crowd(ws_url: str, sessions: int, page_name: str, reruns: int, think_s: float, ramp_s: float,
                 on_open: Callable[[], None] | None, queries: tuple[str, ...] = ("",)):  # fmt: skip
    opened = Gate(sessions, on_open)

    async def person(n: int) -> SessionResult:
        await asyncio.sleep(ramp_s * n / max(sessions, 1))  # arrivals spread over the ramp, as people come in
        return await one_session(ws_url, page_name, reruns, think_s, opened, seed=n, query=queries[n % len(queries)])

    return await asyncio.gather(*(person(n) for n in range(sessions)))


def run_crowd(url: str, sessions: int, page_name: str = "", reruns: int = 5, think_s: float = 2.0,
              ramp_s: float = 10.0, on_open: Callable[[], None] | None = None,
              queries: tuple[str, ...] = ("",)) -> list[SessionResult]:  # fmt: skip
    """`sessions` people on the app at `url` (http://host:port), each opening `page_name` (its url path; "" for
    the default page) with a query string (the n-th person the n-th of `queries`, round) and changing the township
    filter `reruns` times."""
    ws_url = url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
    return asyncio.run(_crowd(ws_url, sessions, page_name, reruns, think_s, ramp_s, on_open, queries))


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(share * len(ordered) - 1e-9))) - 1]


@dataclass(frozen=True)
class Summary:
    sessions: int
    held: int
    first_p50: float | None
    first_p95: float | None
    rerun_p50: float | None
    rerun_p95: float | None
    reruns: int
    errors: int
    error_kinds: tuple[str, ...]


def summarise(results: list[SessionResult]) -> Summary:
    firsts = [r.first_render_s for r in results if r.first_render_s is not None]
    reruns = [s for r in results for s in r.reruns_s]
    errors = [e for r in results for e in r.errors]
    return Summary(
        len(results), sum(r.held and not r.errors for r in results), percentile(firsts, 0.5),
        percentile(firsts, 0.95), percentile(reruns, 0.5), percentile(reruns, 0.95), len(reruns), len(errors),
        tuple(sorted(set(e.split(":")[0] for e in errors))),
    )  # fmt: skip
