"""A counting TCP relay for `bench --link`: the bytes a server sends a browser, its websocket's apart.

Chromium's DevTools report each HTTP response's bytes on the wire (`encodedDataLength`) but only a websocket
frame's decoded payload, so per-message deflate would not show there. The browser talks to the relay, which
passes every byte on unchanged to the server and counts what comes back, per connection kind: a connection whose
first request asks for `/_stcore/stream` is the websocket.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

from socialwork.cluster.serving import free_port

STREAM_PATH = b"/_stcore/stream"


class Relay:
    """127.0.0.1:port → 127.0.0.1:target, counting the bytes sent back to the client (`down["http"|"websocket"]`)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self.down: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Relay:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", self.port))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            open_connections = asyncio.all_tasks(self._loop)  # a browser's kept-alive connections, still piping
            for task in open_connections:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*open_connections, return_exceptions=True))
            self._loop.close()

    async def _serve(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        try:
            server_in, server_out = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            client_out.close()
            return
        first = await client_in.read(65536)
        kind = "websocket" if STREAM_PATH in first.split(b"\r\n", 1)[0] else "http"
        server_out.write(first)
        await asyncio.gather(self._pipe(client_in, server_out, None), self._pipe(server_in, client_out, kind))

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, kind: str | None) -> None:
        try:
            while data := await source.read(65536):
                if kind is not None:
                    self.down[kind] += len(data)
                sink.write(data)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            sink.close()
