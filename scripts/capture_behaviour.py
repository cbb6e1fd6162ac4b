"""Capture what the dashboard shows, to compare two trees byte for byte (issue 33: behaviour stays exactly as it is).

Run from a repo root with that tree's venv:
    cd CHECKOUT && .venv/bin/python /path/to/this/scripts/capture_behaviour.py OUT_DIR
(it reads the checkout it runs in, so one copy of this file captures an older checkout too)
then compare two captures:
    diff -r OUT_A OUT_B && echo identical

Uses only the CLI (kpis --json, changes --json, export) and AppTest on dashboard.py/pages, plus tests/fixture_city.py's
write_city_store for a store of many counties, so it runs unchanged on a tree whose modules moved. Exports are written
normalised: a zip (PPTX/DOCX/XLSX) as one file per member with docProps/core.xml's dates cut, a PDF with its dates
and ID cut.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path.cwd()
PYTHON = str(REPO / ".venv" / "bin" / "python")
OUT = Path(sys.argv[1]).resolve()
ONLY = set(sys.argv[2:])
TMP: list[str] = []  # the scratch folder, cut from outputs  # optional: kpis changes exports pages


def cli(*args: str, data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOCIALWORK_DATA": str(data)}
    return subprocess.run(
        [PYTHON, "-m", "socialwork", *args, "--data", str(data)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def save(name: str, text: str) -> None:
    path = OUT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(TMP[0], "<TMP>") if TMP else text, encoding="utf-8")


def unzipped(body: bytes, target: Path) -> None:
    """A zip's members as files (a PPTX's embedded chart workbooks unzipped too), dates in core.xml cut."""
    with zipfile.ZipFile(io.BytesIO(body)) as zipped:
        for member in sorted(zipped.namelist()):
            inner = zipped.read(member)
            if member.endswith("core.xml"):
                inner = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", inner)
            if zipfile.is_zipfile(io.BytesIO(inner)):
                unzipped(inner, target / member)
                continue
            (target / member).parent.mkdir(parents=True, exist_ok=True)
            (target / member).write_bytes(inner)


def normalised_export(name: str, produced: Path) -> None:
    body = produced.read_bytes()
    if zipfile.is_zipfile(produced):
        unzipped(body, OUT / "exports" / name)
        return
    body = re.sub(rb"/(CreationDate|ModDate) \([^)]*\)", b"", body)
    body = re.sub(rb"/ID \[[^\]]*\]", b"", body)
    target = OUT / "exports" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


def stores(tmp: Path) -> dict[str, Path]:
    demo = tmp / "demo"
    shutil.copytree(REPO / "data" / "demo", demo)
    city = tmp / "city"
    subprocess.run(
        [
            PYTHON,
            "-c",
            "import sys; from pathlib import Path; from tests.fixture_city import "
            "write_city_store; write_city_store(Path(sys.argv[1]))",
            str(city),
        ],
        cwd=REPO,
        check=True,
    )
    return {"demo": demo, "city": city}


DEMO_VIEWS = {
    "county": [],
    "one": ["--township", "城关街道"],
    "two": ["--township", "城关街道", "--township", "太平乡"],
}
CITY_VIEWS = {"city": ["--scope", "9999"], "countyA": ["--scope", "999901"], "countyB": ["--scope", "999902"]}


def capture_cli(paths: dict[str, Path]) -> None:
    runs = []
    for date in ("2026-10-31", "2025-12-31", "2024-06-30", "2023-01-31"):
        for view, args in DEMO_VIEWS.items():
            runs.append((f"kpis/demo-{date}-{view}", ["kpis", "--as-of", date, "--json", *args], "demo"))
    for date in ("2025-03-31", "2024-11-30"):
        for view, args in CITY_VIEWS.items():
            runs.append((f"kpis/city-{date}-{view}", ["kpis", "--as-of", date, "--json", *args], "city"))
    runs.append(
        (
            "kpis/city-2025-03-31-township",
            ["kpis", "--as-of", "2025-03-31", "--json", "--scope", "999902", "--township", "甲街道"],
            "city",
        )
    )
    for view, args in DEMO_VIEWS.items():
        runs.append((f"changes/demo-{view}", ["changes", "--json", *args], "demo"))
        runs.append(
            (
                f"changes/demo-{view}-2025",
                ["changes", "--from", "2024-12-31", "--to", "2025-12-31", "--json", *args],
                "demo",
            )
        )
    for view, args in CITY_VIEWS.items():
        runs.append((f"changes/city-{view}", ["changes", "--json", *args], "city"))
    for name, args, store in runs:
        if ONLY and name.split("/")[0] not in ONLY:
            continue
        out = cli(*args, data=paths[store])
        save(name + ".txt", f"rc={out.returncode}\n{out.stdout}\n--- stderr\n{out.stderr}")


def capture_exports(paths: dict[str, Path], tmp: Path) -> None:
    if ONLY and "exports" not in ONLY:
        return
    cases = [
        ("demo-county", "demo", "2026-10-31", []),
        ("demo-one", "demo", "2026-10-31", DEMO_VIEWS["one"]),
        ("demo-2025", "demo", "2025-12-31", []),
        ("city", "city", "2025-03-31", CITY_VIEWS["city"]),
        ("city-countyB", "city", "2025-03-31", CITY_VIEWS["countyB"]),
    ]
    for name, store, date, args in cases:
        for fmt in ("pptx", "pdf", "xlsx", "docx"):
            produced = tmp / f"{name}.{fmt}"
            out = cli("export", "--format", fmt, "--as-of", date, *args, "-o", str(produced), data=paths[store])
            save(f"exports/{name}.{fmt}.log", f"rc={out.returncode}\n{out.stdout}\n--- stderr\n{out.stderr}")
            if produced.exists():
                normalised_export(f"{name}.{fmt}", produced)


def element_lines(node, depth: int = 0) -> list[str]:
    from google.protobuf.json_format import MessageToDict

    lines = []
    proto = getattr(node, "proto", None)
    kind = getattr(node, "type", type(node).__name__)
    if proto is not None and not hasattr(node, "children"):
        body = MessageToDict(proto) if hasattr(proto, "DESCRIPTOR") else str(proto)
        text = json.dumps(body, ensure_ascii=False, sort_keys=True)
        text = re.sub(r'"(id|formId|deferredFileId)": "[^"]*"', r'"\1": ""', text)
        lines.append("  " * depth + f"{kind}: {text}")
    else:
        lines.append("  " * depth + f"{kind}")
    children = getattr(node, "children", None) or {}
    for key in sorted(children, key=lambda k: (str(type(k)), k)):
        lines.extend(element_lines(children[key], depth + 1))
    return lines


def capture_pages(paths: dict[str, Path]) -> None:
    if ONLY and "pages" not in ONLY:
        return
    sys.path.insert(0, str(REPO))
    from streamlit.testing.v1 import AppTest

    pages = sorted(p.name for p in (REPO / "pages").glob("*.py"))
    views = [
        ("demo", "county", {}),
        ("demo", "one", {"township": ["城关街道"]}),
        ("demo", "old", {"asof": "2025-06-30"}),
        ("city", "city", {"scope": "9999"}),
        ("city", "countyB", {"scope": "999902"}),
    ]
    for store, view, params in views:
        os.environ["SOCIALWORK_DATA"] = str(paths[store])
        for page in [None, *pages]:
            at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
            for key, value in params.items():
                at.query_params[key] = value
            if page:
                at.switch_page(f"pages/{page}")
            at.run()
            lines = element_lines(at._tree)
            save(f"pages/{store}-{view}/{page or 'dashboard'}.txt", "\n".join(lines) + "\n")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        TMP.append(str(tmp))
        paths = stores(tmp)
        capture_cli(paths)
        capture_exports(paths, tmp)
        capture_pages(paths)


if __name__ == "__main__":
    main()
