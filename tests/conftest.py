from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialwork.bench import seaweed as seaweedfs
from socialwork.data import settings
from socialwork.data.storage.location import Bucket
from socialwork.data.storage.publishing import publish_store
from socialwork.figures import db
from socialwork.present import theme
from tests.fixture_city import write_city_store
from tests.fixture_county import SNAPSHOTS, write_fixture_store, write_hostile_store

# Every chart built in the tests (and by the servers they start) has each property checked by plotly: a misspelt one
# fails here, where a served chart skips the check (theme.themed_figure).
os.environ.setdefault(theme.CHECK_CHARTS_ENV, "1")


@pytest.fixture(autouse=True)
def _pytests_own_main_module() -> Iterator[None]:
    """Streamlit's script runner (AppTest) installs the script it ran as sys.modules["__main__"] and leaves it there;
    a later test in the same process that starts processes with "spawn" (whose children import the parent's
    __main__) would then run that script in them (bench/bare_app.py failing on its missing environment variable).
    Put pytest's own back after each test."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-checkable county of tests/fixture_county.py, written once per session."""
    return write_fixture_store(tmp_path_factory.mktemp("fixture_county"))


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture county with formulas, markup and control characters in its names (fixture_county.HOSTILE_*)."""
    return write_hostile_store(tmp_path_factory.mktemp("hostile_county"))


@pytest.fixture(scope="session")
def demo_store() -> Path:
    return settings.DEMO_DATA_DIR


TEST_BUCKET = "socialwork"


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[seaweedfs.Seaweed]:
    """SeaweedFS's S3 gateway on a loopback port (one per test process), with the bucket TEST_BUCKET."""
    with seaweedfs.running(tmp_path_factory.mktemp("seaweedfs"), (TEST_BUCKET,)) as server:
        yield server


@pytest.fixture
def bucket_store(seaweed: seaweedfs.Seaweed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bucket]:
    """An empty store under a prefix of its own in the bucket, the environment pointing at SeaweedFS and this
    test's own local copy (SOCIALWORK_CACHE); the process's query caches emptied before and after (a bucket's
    versions and connections are kept per process, and the next test's bucket is another)."""
    for name, value in seaweed.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(settings.CACHE_DIR_ENV, str(tmp_path / "cache"))
    db.clear_cache()
    yield Bucket(TEST_BUCKET, f"county-{uuid.uuid4().hex[:8]}")
    db.clear_cache()


@pytest.fixture(scope="module")
def city_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-county city of tests/fixture_city.py as a folder store, written once per module (read, not written)."""
    return write_city_store(tmp_path_factory.mktemp("city"))


@pytest.fixture
def city_bucket(bucket_store: Bucket, city_folder: Path) -> Bucket:
    """The city published to an empty bucket store (`publish --to`): both counties, and every month combined."""
    lines = list(publish_store(city_folder, bucket_store))
    assert lines[-2].startswith(f"已把 {city_folder} 的 2 个县的 ")
    assert lines[-1] == f"合并月度文件：已合并 {len(SNAPSHOTS)} 个月，0 个月已是最新（combined/）"
    return bucket_store


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster on a loopback port, one per test process (socialwork/cluster/postgres.py)."""
    from socialwork.cluster.postgres import LocalPostgres
    from socialwork.cluster.serving import free_port

    cluster = LocalPostgres(free_port()).start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def server_db(request, tmp_path) -> str:
    """The URL of an empty server database: an SQLite file, or a fresh database of the test cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite'}"
        return
    from socialwork.data.server import serverdb

    cluster = request.getfixturevalue("postgres")
    name = f"t{abs(hash(request.node.nodeid)) % 10**12}"
    url = cluster.create(name)
    yield url
    serverdb.engine(url).dispose()  # its pooled connections closed, so that the database can go
    cluster.drop(name)
