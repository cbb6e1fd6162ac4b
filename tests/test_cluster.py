"""Running for many users, without starting anything: HAProxy's configuration passes `haproxy -c`, and the load
generator reads Streamlit's messages as the frontend does (fed recorded ForwardMsgs, no server)."""

from __future__ import annotations

import asyncio
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from socialwork.cluster import haproxy, load

WIDGET = "$$ID-775b848cfc43fdd8fafa110b73ad9cbc-filter_townships"


@pytest.mark.parametrize("cache", [True, False])
def test_the_haproxy_configuration_is_valid_and_sticky(tmp_path, cache):
    text = haproxy.config(8500, [8601, 8602], cache=cache)
    path = tmp_path / "haproxy.cfg"
    path.write_text(text, encoding="utf-8")
    checked = subprocess.run([haproxy.executable(), "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "WARNING" not in checked.stdout + checked.stderr  # e.g. a rule that can never match
    assert "cookie SWREPLICA insert" in text and "option httpchk GET /_stcore/health" in text
    assert "server r2 127.0.0.1:8602 cookie r2 check" in text and "option redispatch" in text
    assert ("cache-store static" in text) == cache == ("process-vary on" in text)


def _in_a_thread(coroutine):
    """asyncio.run in a thread of its own: a browser test run before in this worker leaves Playwright's event loop
    running in the main thread, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _delta(build) -> bytes:
    message = ForwardMsg()
    build(message.delta.new_element)
    return message.SerializeToString()


def _finished(status: int) -> bytes:
    message = ForwardMsg()
    message.script_finished = status
    return message.SerializeToString()


class Recorded:
    """A websocket that plays back recorded server messages."""

    def __init__(self, frames: list[bytes]) -> None:
        self.frames = list(frames)

    async def recv(self) -> bytes:
        return self.frames.pop(0)


def _township_filter(element) -> None:
    element.multiselect.id = WIDGET
    element.multiselect.options.extend(["城关街道", "马坪乡"])


def test_a_run_is_read_to_its_end_across_a_rerun_the_page_asked_for():
    navigation = ForwardMsg()
    navigation.navigation.page_script_hash = "page-hash"
    frames = [
        navigation.SerializeToString(),
        _delta(_township_filter),
        _finished(ForwardMsg.FINISHED_EARLY_FOR_RERUN),  # st.rerun: the next run follows on the same socket
        _delta(lambda e: (setattr(e.alert, "body", "用户名或密码不正确"), setattr(e.alert, "format", Alert.ERROR))),
        _delta(lambda e: (setattr(e.alert, "body", "尚未记录会议。"), setattr(e.alert, "format", Alert.INFO))),
        _delta(lambda e: setattr(e.markdown, "body", "已登录：数据员小张")),
        _finished(ForwardMsg.FINISHED_SUCCESSFULLY),
        _finished(ForwardMsg.FINISHED_SUCCESSFULLY),  # the next run's: never read
    ]
    socket = Recorded(frames)
    page = _in_a_thread(load.read_run(socket, load.Page()))
    assert (page.script_hash, page.widget_id, page.options) == ("page-hash", WIDGET, ["城关街道", "马坪乡"])
    assert page.alerts == ["用户名或密码不正确"] and page.texts == ["已登录：数据员小张"] and page.exceptions == []
    assert len(socket.frames) == 1


def _form_field(element, label: str, widget_id: str, form: str) -> None:
    element.date_input.label, element.date_input.id, element.date_input.form_id = label, widget_id, form


def _as_of_picker(element) -> None:
    element.selectbox.label, element.selectbox.id = "数据截至", "as-of"
    element.selectbox.options.extend(["2025年4月30日", "2025年3月31日"])


def test_a_run_records_widgets_by_form_cards_choices_and_successes():
    frames = [
        _delta(lambda e: _form_field(e, "完成时限", "due-new", "followup_new_item")),
        _delta(lambda e: _form_field(e, "完成时限", "due-edit", "followup_edit_1")),
        _delta(_as_of_picker),
        _delta(lambda e: (setattr(e.metric, "label", "持证社工年度净增"), setattr(e.metric, "body", "2人"))),
        _delta(lambda e: (setattr(e.alert, "body", "导入完成"), setattr(e.alert, "format", Alert.SUCCESS))),
        _finished(ForwardMsg.FINISHED_SUCCESSFULLY),
    ]
    page = _in_a_thread(load.read_run(Recorded(frames), load.Page()))
    assert page.form_inputs == {
        "followup_new_item": {"完成时限": "due-new"},
        "followup_edit_1": {"完成时限": "due-edit"},
    }
    assert page.inputs == {"完成时限": "due-edit", "数据截至": "as-of"}  # by label alone, the last one shown
    assert page.choices == {"数据截至": ["2025年4月30日", "2025年3月31日"]} and page.metrics == {
        "持证社工年度净增": "2人"
    }
    assert page.successes == ["导入完成"] and page.alerts == []


def test_an_exception_on_the_page_is_an_error():
    frames = [_delta(lambda e: setattr(e.exception, "type", "KeyError")), _finished(ForwardMsg.FINISHED_SUCCESSFULLY)]
    assert _in_a_thread(load.read_run(Recorded(frames), load.Page())).exceptions == ["KeyError"]


def test_a_township_change_is_a_rerun_naming_the_page_and_the_widget():
    sent = BackMsg()
    widgets = [load.township_choice(WIDGET, ["马坪乡"])]
    sent.ParseFromString(load.rerun_message("staffing", "page-hash", widgets, query="asof=2025-04-30"))
    state = sent.rerun_script
    assert (state.page_name, state.page_script_hash, state.query_string) == ("staffing", "page-hash", "asof=2025-04-30")
    [widget] = state.widget_states.widgets
    assert (widget.id, list(widget.string_array_value.data)) == (WIDGET, ["马坪乡"])


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 21)]
    assert (load.percentile(values, 0.5), load.percentile(values, 0.95)) == (10.0, 19.0)
    assert load.percentile([], 0.5) is None and load.percentile([3.0], 0.95) == 3.0


def test_a_summary_counts_held_sessions_and_errors():
    results = [
        load.SessionResult(True, True, 1.0, [0.2, 0.4]),
        load.SessionResult(True, True, 2.0, [0.3], ["KeyError"]),
        load.SessionResult(False, False, None, [], ["ConnectionRefusedError: [Errno 111]"]),
    ]
    summary = load.summarise(results)
    assert (summary.sessions, summary.held, summary.reruns, summary.errors) == (3, 1, 3, 2)
    assert summary.error_kinds == ("ConnectionRefusedError", "KeyError")
    assert (summary.rerun_p50, summary.first_p95) == (0.3, 2.0)
