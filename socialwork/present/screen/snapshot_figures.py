"""Figures that depend on the snapshot (and a store of many counties' county) alone, not on the township filter: built
once per snapshot and store version and shared by every session and township view (the plan's milestone timeline)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from socialwork.figures import db

if TYPE_CHECKING:
    from socialwork.present.screen.filtering import Filters


def snapshot_figure(kind: str, filters: Filters, build: Callable[[], go.Figure]) -> go.Figure:
    """build() once per kind, snapshot, county (in a store of many counties: each has its own plan) and store
    version; the caller vouches that the township filter changes nothing.

    Every session gets the same Figure: st.plotly_chart copies it before sending, and nothing may change it (the
    presentation view restyles its slides' figures, so they are never shared)."""
    return db.cached(f"figure:{kind}", (filters.as_of, filters.scope_code), build, filters.data)
