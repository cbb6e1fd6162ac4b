"""Plane geometry for township outlines, without a GIS library: rings closed and simple, Douglas–Peucker
simplification, a ring's area and centroid. Coordinates are (longitude, latitude) pairs; a county is small enough
for them to be treated as plane coordinates."""

from __future__ import annotations

import numpy as np

Ring = list[list[float]]  # closed: the first point repeated last, as GeoJSON writes it
Polygon = list[Ring]  # the outer ring first, then holes


def is_closed(ring: Ring) -> bool:
    return len(ring) >= 2 and list(ring[0]) == list(ring[-1])


def crossing(ring: Ring) -> int | None:
    """The index of a segment of the closed ring that crosses or touches a segment not next to it, None when the ring
    is simple. Each segment is tested against all later ones at once (numpy): thousands of points take milliseconds."""
    points = np.asarray(ring, dtype=float)
    a, b = points[:-1], points[1:]
    n = len(a)
    if n < 3:
        return None
    low, high = np.minimum(a, b), np.maximum(a, b)
    for i in range(n - 2):
        # Not the next segment, nor (for the first) the last: they share a point with segment i by construction.
        j = np.arange(i + 2, n - 1 if i == 0 else n)
        if not len(j):
            continue
        boxes = (
            (low[j, 0] <= high[i, 0])
            & (high[j, 0] >= low[i, 0])
            & (low[j, 1] <= high[i, 1])
            & (high[j, 1] >= low[i, 1])
        )
        j = j[boxes]
        if len(j) and _any_intersection(a[i], b[i], a[j], b[j]):
            return i
    return None


def _orientation(p: np.ndarray, q: np.ndarray, r: np.ndarray) -> np.ndarray:
    value = (q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1]) - (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0])
    return np.sign(np.where(np.abs(value) < 1e-18, 0.0, value))


def _any_intersection(p1: np.ndarray, p2: np.ndarray, q1: np.ndarray, q2: np.ndarray) -> bool:
    """Whether segment p1p2 meets any of the segments q1q2 (arrays), touching included."""
    o1, o2 = _orientation(p1, p2, q1), _orientation(p1, p2, q2)
    o3, o4 = _orientation(q1, q2, p1), _orientation(q1, q2, p2)
    proper = (o1 != o2) & (o3 != o4)
    if proper.any():
        return True
    # Collinear and overlapping (boxes already overlap): a touch along a line.
    return bool(((o1 == 0) & (o2 == 0) & (o3 == 0) & (o4 == 0)).any())


def signed_area(ring: Ring) -> float:
    points = np.asarray(ring, dtype=float)
    x, y = points[:, 0], points[:, 1]
    return float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) / 2


def wound(polygon: Polygon) -> Polygon:
    """The polygon wound as plotly.js (d3-geo) reads a polygon smaller than a hemisphere: the outer ring clockwise,
    holes counter-clockwise. (RFC 7946 asks the opposite; d3 would read such a ring as the rest of the globe.)"""
    out = []
    for i, ring in enumerate(polygon):
        clockwise = signed_area(ring) < 0
        out.append(ring if clockwise == (i == 0) else ring[::-1])
    return out


def centroid(ring: Ring) -> tuple[float, float]:
    """The area centroid of a closed ring (its mean point when it has no area)."""
    points = np.asarray(ring, dtype=float)
    x, y = points[:, 0], points[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2
    if abs(area) < 1e-15:
        return float(x.mean()), float(y.mean())
    cx = ((x[:-1] + x[1:]) * cross).sum() / (6 * area)
    cy = ((y[:-1] + y[1:]) * cross).sum() / (6 * area)
    return float(cx), float(cy)


def simplify(ring: Ring, tolerance: float) -> Ring:
    """Douglas–Peucker on a closed ring: the points farther than tolerance from the simplified line stay. The ring
    is split at its first point and the point farthest from it, so a closed ring keeps at least a triangle."""
    points = np.asarray(ring, dtype=float)
    if len(points) <= 4 or tolerance <= 0:
        return [list(p) for p in points]
    far = int(np.argmax(((points - points[0]) ** 2).sum(axis=1)))
    keep = np.zeros(len(points), dtype=bool)
    keep[[0, far, len(points) - 1]] = True
    for start, end in ((0, far), (far, len(points) - 1)):
        _mark(points, start, end, tolerance, keep)
    kept = points[keep]
    if len(kept) < 4:  # a sliver collapsed to a line: keep the third point farthest from that line
        kept = points[sorted({0, far, len(points) - 1, _farthest(points, 0, far)})]
    return [list(p) for p in kept]


def _mark(points: np.ndarray, start: int, end: int, tolerance: float, keep: np.ndarray) -> None:
    stack = [(start, end)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        index = _farthest(points, first, last)
        if _distance(points[index : index + 1], points[first], points[last])[0] > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]


def _farthest(points: np.ndarray, first: int, last: int) -> int:
    inner = points[first + 1 : last]
    if not len(inner):
        return first
    return first + 1 + int(np.argmax(_distance(inner, points[first], points[last])))


def _distance(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance of each point from segment ab."""
    ab = b - a
    length = float(ab @ ab)
    if length == 0:
        return np.sqrt(((points - a) ** 2).sum(axis=1))
    t = np.clip(((points - a) @ ab) / length, 0, 1)
    return np.sqrt(((points - (a + t[:, None] * ab)) ** 2).sum(axis=1))


def bounds(polygons: list[Polygon]) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) of every outer ring."""
    points = np.concatenate([np.asarray(polygon[0], dtype=float) for polygon in polygons])
    return float(points[:, 0].min()), float(points[:, 1].min()), float(points[:, 0].max()), float(points[:, 1].max())
