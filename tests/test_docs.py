"""The hand-written docs stay true: every field of a figure declaration is explained in docs/adding-a-figure.md,
every module of the three wings has its line in docs/architecture.md, and the files and commands they name exist.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from socialwork.cli import COMMANDS
from socialwork.data import settings
from socialwork.data.contract.plan_figures import Figure

DOCS = settings.REPO_ROOT / "docs"
HAND_WRITTEN = ["adding-a-figure.md", "architecture.md"]


def text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def test_adding_a_figure_explains_every_field_of_a_declaration():
    fields_table = text("adding-a-figure.md").split("The fields of `Figure`:", 1)[1]
    explained = set(re.findall(r"^\| `([a-z_]+)` \|", fields_table, re.M))
    assert explained == {f.name for f in dataclasses.fields(Figure)}


def test_architecture_names_every_module_of_the_wings():
    doc = text("architecture.md")
    for wing in ("data", "figures", "present"):
        for path in sorted((settings.REPO_ROOT / "socialwork" / wing).rglob("*.py")):
            if path.name != "__init__.py":
                assert f"`{path.name}`" in doc, f"docs/architecture.md: say in a line what {path} is for"


@pytest.mark.parametrize("name", HAND_WRITTEN)
def test_files_named_in_the_docs_exist(name):
    paths = set(re.findall(r"`((?:socialwork|queries|tests|docs|pages|data)/[^`*<>\s]+)`", text(name)))
    assert paths
    missing = [p for p in sorted(paths) if not (settings.REPO_ROOT / p).exists()]
    assert not missing, f"docs/{name} names files that do not exist: {missing}"


@pytest.mark.parametrize("name", HAND_WRITTEN)
def test_commands_named_in_the_docs_exist(name):
    commands = set(re.findall(r"python -m socialwork ([a-z-]+)", text(name)))
    assert commands and commands <= set(COMMANDS), sorted(commands - set(COMMANDS))
