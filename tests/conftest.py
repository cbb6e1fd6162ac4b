from __future__ import annotations

from pathlib import Path

import pytest

from socialwork.data import settings
from tests.fixture_county import write_fixture_store, write_hostile_store


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
