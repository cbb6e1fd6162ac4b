"""One Streamlit session spoken to at the protocol level, as a browser's frontend would: its cookies (HAProxy's
sticky one and Streamlit's XSRF one), its websocket, the widget states it sends with every rerun, and uploads.

A file upload goes as the frontend sends it (streamlit 1.67): a `file_urls_request` BackMsg, answered by a
`file_urls_response` naming an upload URL (`/_stcore/upload_file/<session>/<file id>`); a multipart PUT of the
file there with the XSRF token in `X-Xsrftoken` and its cookie; then the uploader's widget state lists the file.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from socialwork.cluster import load

XSRF_COOKIE = "_streamlit_xsrf"


@dataclass
class Session:
    """A session on `base` (HAProxy or one replica): open() it, then rerun() with changed widgets."""

    base: str
    page_name: str
    cookies: dict[str, str] = field(default_factory=dict)
    query: str = ""
    ws: object = None
    page: load.Page = field(default_factory=load.Page)
    kept: dict[str, WidgetState] = field(default_factory=dict)  # every widget's last value, sent on each rerun

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    async def open(self, **query: str) -> load.Page:
        """Fetch the cookies a page load gets (the XSRF token), open the websocket and run the page once."""
        self.query = urlencode(query)
        answer = await asyncio.to_thread(requests.get, f"{self.base}/_stcore/health", cookies=self.cookies, timeout=10)
        self.cookies |= answer.cookies.get_dict()
        url = self.base.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None,
                                           additional_headers={"Cookie": self.cookie_header()})  # fmt: skip
        await self.ws.send(load.rerun_message(self.page_name, query=self.query))
        self.page = await asyncio.wait_for(load.read_run(self.ws, load.Page()), load.RUN_TIMEOUT_S)
        return self.page

    async def rerun(self, *changed: WidgetState) -> load.Page:
        """A rerun with the widgets changed (kept for later reruns, except a button's trigger) and all kept ones."""
        for state in changed:
            if state.WhichOneof("value") != "trigger_value":
                self.kept[state.id] = state
        triggers = [s for s in changed if s.WhichOneof("value") == "trigger_value"]
        widgets = [*self.kept.values(), *triggers]
        await self.ws.send(load.rerun_message(self.page_name, self.page.script_hash, widgets, self.query))
        self.page = await asyncio.wait_for(load.read_run(self.ws, load.Page(self.page.script_hash)), load.RUN_TIMEOUT_S)
        return self.page

    async def upload(self, uploader_id: str, name: str, data: bytes) -> WidgetState:
        """Put a file where the server says, as the frontend does; the uploader's widget state listing it."""
        request = BackMsg()
        request.file_urls_request.request_id = uuid.uuid4().hex
        request.file_urls_request.file_names.append(name)
        await self.ws.send(request.SerializeToString())
        urls = await asyncio.wait_for(self._file_urls(request.file_urls_request.request_id), 30)
        answer = await asyncio.to_thread(
            requests.put, self.base + urls.upload_url, files={"file": (name, data)}, cookies=self.cookies,
            headers={"X-Xsrftoken": self.cookies[XSRF_COOKIE]}, timeout=30,
        )  # fmt: skip
        answer.raise_for_status()
        state = FileUploaderState()
        state.uploaded_file_info.append(UploadedFileInfo(file_id=urls.file_id, name=name, size=len(data),
                                                         file_urls=urls))  # fmt: skip
        return WidgetState(id=uploader_id, file_uploader_state_value=state)

    async def _file_urls(self, request_id: str):
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self.ws.recv())
            if message.WhichOneof("type") == "file_urls_response":
                assert message.file_urls_response.response_id == request_id
                return message.file_urls_response.file_urls[0]

    async def log_in(self, username: str, password: str) -> load.Page:
        """Submit the login form shown on this session's page."""
        inputs = self.page.inputs
        return await self.rerun(WidgetState(id=inputs["用户名"], string_value=username),
                                WidgetState(id=inputs["密码"], string_value=password),
                                WidgetState(id=inputs["登录"], trigger_value=True))  # fmt: skip

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def text(widget_id: str, value: str) -> WidgetState:
    return WidgetState(id=widget_id, string_value=value)


def day(widget_id: str, value) -> WidgetState:
    """A date_input set to one date (the frontend sends ISO dates)."""
    state = WidgetState(id=widget_id)
    state.string_array_value.data.append(value.isoformat())
    return state


def press(widget_id: str) -> WidgetState:
    return WidgetState(id=widget_id, trigger_value=True)
