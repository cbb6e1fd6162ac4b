"""A throwaway PostgreSQL cluster for tests and for trying replicas on one machine: Debian's `postgresql` binaries,
`initdb` into a fresh folder, listening on one loopback port, trust authentication on loopback only.

PostgreSQL refuses to run as root; as root (CI) the cluster's folder is given to the `postgres` user and every
command runs through `runuser -u postgres`. A county's server uses Debian's own cluster instead (README).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from socialwork.cluster.serving import free_port
from socialwork.data.server.serverdb import DB_ENV

DATABASE = "socialwork"
USER = "socialwork"


def bin_dir() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (scripts/system-packages.sh)")


class LocalPostgres:
    """One cluster in a temp folder on 127.0.0.1:`port`; start() and stop(), databases made with create()."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="socialwork-pg-"))
        self.as_root = os.getuid() == 0
        self.bin = bin_dir()

    def _run(self, program: str, *args: str) -> str:
        command = [str(self.bin / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout[-1500:]}{done.stderr[-1500:]}")
        return done.stdout

    def start(self) -> LocalPostgres:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        data = str(self.root / "data")
        self._run("initdb", "-D", data, "-U", USER, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync")
        self.resume()
        self.create(DATABASE)
        return self

    def resume(self) -> None:
        """Start the server on its folder (after start(), or again after halt())."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        data = str(self.root / "data")
        self._run("pg_ctl", "-D", data, "-o", options, "-l", str(self.root / "log"), "-w", "-t", "60", "start")

    def halt(self) -> None:
        """Stop the server as a crash would (its folder kept, for resume()): the fault tests' PostgreSQL down."""
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def create(self, database: str) -> str:
        """A new empty database; its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, database)
        return self.url(database)

    def drop(self, database: str) -> None:
        self._run("dropdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "--force", database)

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def main() -> int:
    """python -m socialwork.cluster.postgres: a throwaway cluster for trying replicas on one machine. Prints
    `export SOCIALWORK_DB=…`, then serves until SIGINT or SIGTERM (also in the background, where a shell has
    SIGINT ignored), and removes its folder."""
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    cluster = LocalPostgres(free_port()).start()
    try:
        print(f"export {DB_ENV}={cluster.url()}")
        print(f"# PostgreSQL on 127.0.0.1:{cluster.port} in {cluster.root}; kill {os.getpid()} stops it", flush=True)
        stopped.wait()
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
