"""docs/performance.md in parts: the query benchmark's text, then sections each benchmark writes on its own.

A section sits between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, after the query benchmark's text and in
the order of SECTIONS. Writing one section keeps the rest of the file, so `bench --browser` keeps the query tables
and `bench` keeps the last browser and profile sections.
"""

from __future__ import annotations

import re

BROWSER_SECTIONS = ("browser", "browser-phone", "browser-county", "browser-city", "browser-province", "browser-nation")
# `diary` is written by no benchmark: the measurements' story (before → after, moved from the README), kept by
# every run as the others' sections are.
BUCKET_SECTIONS = ("bucket-city", "bucket-province")  # bucket_province.py, by the store's top level
SECTIONS = (*BROWSER_SECTIONS, "views", "link", "profile", "load", *BUCKET_SECTIONS, "import", "reporting", "budget",
            "diary")  # fmt: skip


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"\n*<!-- bench:{name} -->\n(.*?)<!-- /bench:{name} -->\n*", re.DOTALL)


def split(text: str) -> tuple[str, dict[str, str]]:
    """The text outside every section, and each section's body by name."""
    found = {}
    for name in SECTIONS:
        match = _pattern(name).search(text)
        if match:
            found[name] = match.group(1)
            text = text[: match.start()] + "\n" + text[match.end() :]
    return text.strip() + "\n", found


def join(base: str, found: dict[str, str]) -> str:
    """The base text, then each section in the order of SECTIONS."""
    parts = [base.rstrip() + "\n"]
    for name in SECTIONS:
        if name in found:
            parts.append(f"<!-- bench:{name} -->\n{found[name].rstrip()}\n<!-- /bench:{name} -->\n")
    return "\n".join(parts)


def put(text: str, name: str, body: str) -> str:
    """The text with one section written (replaced, or added in its place)."""
    base, found = split(text)
    return join(base, found | {name: body})


def carry(old: str, new: str) -> str:
    """The new text, with the old text's sections that the new one does not write."""
    base, written = split(new)
    return join(base, split(old)[1] | written)
