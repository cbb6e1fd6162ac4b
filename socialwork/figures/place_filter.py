"""Where a figure looks: one value for the place filter, built once by the sidebar (or the URL) and by the command line.

`Places` is the whole store, one division above the township (a province, city or county: its 2-, 4- or 6-digit
code) or some townships of one county (their 9-digit codes). Every figure function takes it as `places`; SQL
receives it as one bound list, `$places` (`bound()`), read by the one macro `in_places` that the data-access module
defines on every connection (db.PLACES_MACRO). A division is matched as a code prefix there, never expanded into its
townships (a province's store would otherwise bind thousands of codes).

What needs the store (does a view hold several counties? which counties report?) is answered by
`socialwork/figures/hierarchy.py`, from a `Places` and the store's location.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from socialwork.data.contract.enums import DIVISION_DIGITS

DIVISION_LENGTHS = tuple(DIVISION_DIGITS[level] for level in ("province", "city", "county"))


@dataclass(frozen=True)
class Places:
    """The whole store (neither field set), one division (`division`) or some townships of one county
    (`township_codes`, in the order chosen). Frozen and hashable: it is part of cache keys."""

    division: str | None = None
    township_codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.division is not None and self.township_codes:
            raise ValueError("Places: a division or townships, not both")
        if self.division is not None and len(self.division) not in DIVISION_LENGTHS:
            raise ValueError(f"Places: {self.division!r} is no province's, city's or county's code")

    @classmethod
    def everywhere(cls) -> Places:
        """The whole store: a single county's, or every county of a store of many."""
        return cls()

    @classmethod
    def within(cls, division: str | None) -> Places:
        """A province, city or county by its code (None: the whole store)."""
        return cls(division=division or None)

    @classmethod
    def townships(cls, codes: Iterable[str]) -> Places:
        """Some townships of one county by their codes (none chosen: the whole store)."""
        return cls(township_codes=tuple(codes))

    @property
    def is_everywhere(self) -> bool:
        return self.division is None and not self.township_codes

    @property
    def scope(self) -> str | None:
        """The division the places lie in: the division itself, or for townships their county (None: everywhere)."""
        return self.township_codes[0][: DIVISION_DIGITS["county"]] if self.township_codes else self.division

    @property
    def county(self) -> str | None:
        """The one county the places lie in, when they lie in one (a county, or townships); None above the county."""
        scope = self.scope
        return scope if scope is not None and len(scope) == DIVISION_DIGITS["county"] else None

    def bound(self) -> list[str] | None:
        """The form SQL receives as $places: NULL for everywhere, [division code], or the township codes."""
        if self.township_codes:
            return list(self.township_codes)
        return [self.division] if self.division else None


EVERYWHERE = Places()  # a default argument: the whole store
