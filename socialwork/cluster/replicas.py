"""N app replicas on loopback ports and HAProxy in front: `python -m socialwork replicas --count N`.

Each replica is `python -m socialwork serve` (what run.sh runs) on 127.0.0.1; every one reads the same snapshot
store and writes to the same server database (`SOCIALWORK_DB`, PostgreSQL), so a browser may land on any of them.
Logs go to files in a work folder (a replica's log would otherwise fill a pipe and stall it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from socialwork.cluster import haproxy
from socialwork.cluster.serving import free_port, serve_command, start_server, stop_server
from socialwork.data import settings
from socialwork.data.server.serverdb import DB_ENV
from socialwork.data.storage import location


@dataclass
class Replicas:
    """Running replicas and the HAProxy in front of them."""

    port: int  # HAProxy's
    replica_ports: list[int]
    processes: list[subprocess.Popen]
    balancer: subprocess.Popen
    workdir: Path
    logs: list = field(default_factory=list)
    owns_workdir: bool = False  # made by start(): removed by stop() unless the logs are to be kept
    tls: haproxy.Tls | None = None  # HTTPS on port, plain HTTP (redirected) on tls.http_port

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}" if self.tls else f"http://127.0.0.1:{self.port}"

    def replica_url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.replica_ports[n]}"

    def kill(self, n: int) -> None:
        """End replica n at once (SIGKILL), as a crashed server."""
        self.processes[n].kill()
        self.processes[n].wait()

    def stop(self, keep_logs: bool = False) -> None:
        stop_server(self.balancer)
        for process in self.processes:
            if process.poll() is None:
                stop_server(process)
        for log in self.logs:
            log.close()
        if self.owns_workdir and not keep_logs:
            shutil.rmtree(self.workdir, ignore_errors=True)


def start(count: int, port: int | None = None, data: str | Path | None = None, db_url: str | None = None,
          cache: bool = True, address: str = "127.0.0.1", env: dict[str, str] | None = None,
          workdir: Path | None = None, own_copies: bool = False,
          tls: haproxy.Tls | None = None) -> Replicas:  # fmt: skip
    """Start `count` replicas (side by side) and HAProxy on address:port; every one answers its health check.

    `data` is a folder or an s3://bucket/prefix (the endpoint and keys in the environment or `env`). With
    `own_copies`, each replica keeps its copy of a bucket store's files in a folder of its own under the work folder
    (SOCIALWORK_CACHE), as replicas on separate machines do; otherwise they share this machine's one copy."""
    owns_workdir = workdir is None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="socialwork-replicas-"))
    extra = dict(env or {})
    if data is not None:
        extra[settings.DATA_DIR_ENV] = str(location.parse(data))  # a folder resolved, or the bucket's URL as given
    if db_url:
        extra[DB_ENV] = db_url
    ports = [free_port() for _ in range(count)]
    logs = [open(workdir / f"replica-{n + 1}.log", "wb") for n in range(count)]  # noqa: SIM115 (closed in stop)

    def one(n: int) -> subprocess.Popen:
        copy = {settings.CACHE_DIR_ENV: str(workdir / f"replica-{n + 1}-copy")} if own_copies else {}
        return start_server(serve_command(ports[n]), ports[n], env=extra | copy, output=logs[n])

    with ThreadPoolExecutor(count) as pool:
        processes = list(pool.map(one, range(count)))
    port = port or free_port()
    balancer = haproxy.start(workdir, port, ports, cache=cache, address=address, tls=tls)
    return Replicas(port, ports, processes, balancer, workdir, logs, owns_workdir, tls)


def run(count: int, port: int, data: str | None, cache: bool, address: str, tls: haproxy.Tls | None = None) -> int:
    """The CLI: start, say where, wait for Ctrl-C, SIGINT or SIGTERM, stop everything."""
    db_url = os.environ.get(DB_ENV)
    if not db_url:
        bucket = isinstance(settings.data_dir(data), location.Bucket)
        where = f"本机的对象存储本地副本目录（{settings.CACHE_DIR_ENV}）" if bucket else "数据目录"
        print(f"提示：未设置 {DB_ENV}，各副本的督办事项与登录失败计数写入{where}中的 SQLite 文件；"
              "多台服务器请使用 PostgreSQL（见 README“Run for many users”）")  # fmt: skip
    # Both signals set, before anything starts: a shell starts a background job with SIGINT ignored (so Python's
    # own KeyboardInterrupt never comes), and a signal during the start must still stop what was started.
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    replicas = start(count, port, data, db_url, cache, address, tls=tls)
    listening = (
        f"https://{address}:{port}（http 端口 {tls.http_port} 转到 https）" if tls else f"http://{address}:{port}"
    )
    print(f"已启动 {count} 个副本（端口 {', '.join(map(str, replicas.replica_ports))}），"
          f"HAProxy 监听 {listening}；日志在 {replicas.workdir}；"
          f"按 Ctrl-C 或在另一终端运行 kill {os.getpid()} 停止", flush=True)  # fmt: skip
    while not stopped.wait(1):
        dead = [n + 1 for n, p in enumerate(replicas.processes) if p.poll() is not None]
        if replicas.balancer.poll() is not None:
            print("HAProxy 已退出，正在停止各副本")
            break
        if dead and len(dead) == count:
            print("所有副本均已退出")
            break
    replicas.stop(keep_logs=True)
    print(f"已停止；日志保留在 {replicas.workdir}", flush=True)
    return 0
