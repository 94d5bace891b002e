"""Regions you can name: the dense parts of a map, each outlined by a density contour and named by
its most central frequent words, as Embedding Atlas and datamapplot label theirs.

>>> import embedviz as ev
>>> m = ev.word_map(ev.load_vectors(), "pca", size=20_000)
>>> [r.name for r in ev.map_regions(m).regions][:2]        # doctest: +SKIP
['nations, countries, economic', 'album, band, songs']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cache import digest, memoize
from .jobs import IMPORTS

COMMON = 150  # the map's first points (a vocabulary's most frequent words: "the", "of") name no region


@dataclass(frozen=True)
class Region:
    """One dense region: ``outline`` ``[k, 2]`` its contour in map coordinates (closed: the last point
    is the first), ``centre`` (x, y) its densest place (where its name goes), ``words`` the words that
    name it (its most central frequent readable words, most central first), ``points`` how many of
    the map's points lie in it."""

    outline: np.ndarray
    centre: tuple[float, float]
    words: tuple[str, ...]
    points: int

    @property
    def name(self) -> str:
        return ", ".join(self.words)


@dataclass(frozen=True)
class Regions:
    """The named regions of a map, largest first, at the density ``level`` (points per cell of the
    smoothed ``grid`` x ``grid`` histogram over the map's extent) their contours are drawn at."""

    regions: tuple[Region, ...]
    level: float
    grid: int

    def name_places(self, view: tuple[float, float, float, float], *, size: tuple[int, int] = (800, 520),
                    font_px: float = 8.5) -> np.ndarray:
        """``[regions, 2]``: where to write each region's name in ``view`` (x0, x1, y0, y1), in map
        coordinates: on its centre where there is room, else moved to the nearest free place, so that no
        name overlaps another or runs past the plot's edge (:func:`~embedviz.maps.place_labels`, as the
        word labels are placed). ``size`` is the plot's size in pixels, taken small: names kept apart in a
        narrow plot stay apart in a wider one, where the same text covers less of the map."""
        from .maps import place_labels

        if not self.regions:
            return np.zeros((0, 2))
        x0, x1, y0, y1 = view
        w, h = size
        sx, sy = w / (x1 - x0 + 1e-12), h / (y1 - y0 + 1e-12)
        centres = np.array([r.centre for r in self.regions], dtype=np.float64)
        anchors = np.stack([(centres[:, 0] - x0) * sx, (y1 - centres[:, 1]) * sy], axis=1)
        widths = np.array([len(r.name) * font_px + 6 for r in self.regions], dtype=np.float64)
        px, _ = place_labels(anchors, widths, size=size, height=18.0, above=0.0)
        return np.stack([x0 + px[:, 0] / sx, y1 - px[:, 1] / sy], axis=1)

    @property
    def memo_key(self):  # figures drawn with them are memoised by what they hold
        return ("regions", digest(b"".join(r.outline.tobytes() for r in self.regions)
                                  + repr([(r.name, r.centre) for r in self.regions]).encode()))


@memoize(maxsize=8, max_bytes=None)
def map_regions(m, *, grid: int = 96, most: int = 12, words: int = 3, smooth: float = 1.5,
                min_share: float = 0.004) -> Regions:
    """The dense regions of 2-D map ``m``, computed once per map (memoised by the map's key): the points'
    histogram on a ``grid`` x ``grid`` lattice over the map's extent, smoothed (Gaussian, ``smooth``
    cells), cut at the density level that parts it into the most regions holding at least ``min_share``
    of the points each; at most ``most`` of them, largest first. Each is named by ``words`` readable words
    (:attr:`~embedviz.Map.readable`) among its 500 most frequent past the first :data:`COMMON`, those whose vectors are nearest (by
    cosine) to the region's mean direction."""
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        from scipy import ndimage

    x0, x1, y0, y1 = m.extent()
    c = m.coords[:, :2].astype(np.float64)
    cx = np.clip(((c[:, 0] - x0) / (x1 - x0) * grid).astype(int), 0, grid - 1)
    cy = np.clip(((c[:, 1] - y0) / (y1 - y0) * grid).astype(int), 0, grid - 1)
    counts = np.zeros((grid, grid))
    np.add.at(counts, (cy, cx), 1)
    density = ndimage.gaussian_filter(counts, smooth)
    at_point = density[cy, cx]
    min_points = max(3, int(min_share * len(m)))
    best = None
    for q in (0.3, 0.5, 0.65, 0.75, 0.85, 0.9, 0.95):  # the level parting the map into the most regions
        level = float(np.quantile(at_point, q))
        lab, k = ndimage.label(density > level)
        sizes = np.bincount(lab[cy, cx], minlength=k + 1)[1:]
        big = int((sizes >= min_points).sum())
        if best is None or big > best[0]:
            best = (big, level, lab, sizes)
    _, level, lab, sizes = best
    order = [int(j) for j in np.argsort(-sizes, kind="stable") if sizes[j] >= min_points][:most]
    member = lab[cy, cx]
    unit = m.unit
    out = []
    for j in order:
        inside = np.flatnonzero(member == j + 1)  # rank order: the most frequent first
        readable = inside[m.readable[inside] & (inside >= COMMON)][:500]  # "of", "with" name no region
        if not len(readable):
            readable = inside[m.readable[inside]][:500]
        if not len(readable):
            continue
        mean = unit[inside[:20_000]].mean(axis=0)
        near = readable[np.argsort(-(unit[readable] @ mean), kind="stable")[:words]]
        mask = lab == j + 1
        peak = np.unravel_index(np.argmax(np.where(mask, density, -np.inf)), mask.shape)
        centre = (x0 + (peak[1] + 0.5) / grid * (x1 - x0), y0 + (peak[0] + 0.5) / grid * (y1 - y0))
        line = _outline(mask)
        outline = np.stack([x0 + line[:, 0] / grid * (x1 - x0), y0 + line[:, 1] / grid * (y1 - y0)], axis=1)
        out.append(Region(outline, centre, tuple(m.labels[i] for i in near), len(inside)))
    return Regions(tuple(out), level, grid)


def _outline(mask: np.ndarray) -> np.ndarray:
    """The outer boundary of the cells ``mask[row, col]`` (one connected region), as a closed line
    through cell corners ``[k, 2]`` (x = column, y = row), its corners rounded (Chaikin, twice)."""
    rows, cols = mask.shape
    pad = np.zeros((rows + 2, cols + 2), dtype=bool)
    pad[1:-1, 1:-1] = mask
    nxt: dict[tuple[int, int], list[tuple[int, int]]] = {}
    r, c = np.nonzero(pad[1:-1, 1:-1])
    for y, x in zip(r.tolist(), c.tolist()):  # each side facing outside, walked with the region on the left
        if not pad[y, x + 1]:       # below (row y - 1)
            nxt.setdefault((x, y), []).append((x + 1, y))
        if not pad[y + 1, x + 2]:   # right
            nxt.setdefault((x + 1, y), []).append((x + 1, y + 1))
        if not pad[y + 2, x + 1]:   # above
            nxt.setdefault((x + 1, y + 1), []).append((x, y + 1))
        if not pad[y + 1, x]:       # left
            nxt.setdefault((x, y + 1), []).append((x, y))
    loops = []
    while nxt:
        start = next(iter(nxt))
        loop, at = [start], start
        while True:
            outs = nxt.get(at)
            if not outs:
                break
            to = outs.pop()
            if not outs:
                del nxt[at]
            if to == start:
                break
            loop.append(to)
            at = to
        loops.append(loop)
    line = np.array(max(loops, key=len), dtype=np.float64)  # the outer boundary is the longest
    for _ in range(2):
        a, b = line, np.roll(line, -1, axis=0)
        line = np.stack([0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b], axis=1).reshape(-1, 2)
    return np.vstack([line, line[:1]])
