"""What a big map needs beyond coordinates: where a word is, its neighbours in the full space and
in the picture, which points a box or a lasso holds, which few labels to draw, a density image
of all the points, and the map of a whole vocabulary, computed once and kept on disk.

>>> import embedviz as ev
>>> m = ev.word_map(ev.load_vectors(), "pca", size=20_000)     # the 20,000 most frequent GloVe words
>>> nb = m.neighbours(m.find("frog")[0])                        # among those 20,000
>>> [m.labels[i] for i in nb.full[:3]]
['snake', 'monkey', 'spider']
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import limits
from .cache import digest, freeze, memoize
from .disk import atomic_write, cache_dir
from .errors import InputError
from .exports import safe_cells
from .jobs import BUILDS, IMPORTS, estimate_cost
from .progress import Progress, reporter
from .projection import MAX_POINTS, METHODS, fit_and_place, neighbour_preservation, picture, projector_tsv
from .vecmath import close_spellings, top_k, unit_rows
from .vector_files import trim_cache

View = tuple[float, float, float, float]  # x0, x1, y0, y1
CSV_PART = 20_000  # rows of a CSV export written at a time, each a progress step
_TOKENS = itertools.count()


@dataclass(frozen=True)
class Neighbours:
    """Point ``index``'s ``k`` nearest neighbours in the full space (``full``, by cosine, most similar
    first, with ``cosines``) and in the picture (``picture``, by distance)."""

    index: int
    full: np.ndarray
    cosines: np.ndarray
    picture: np.ndarray

    @property
    def kept(self) -> int:
        """How many of the full-space neighbours are also neighbours in the picture."""
        return len(np.intersect1d(self.full, self.picture))


class Map:
    """A picture of ``n`` points you can query.

    ``labels[i]`` names point i, ``vectors[i]`` is its full-space vector (neighbours are by cosine),
    ``coords[i]`` its place in the picture (2-D or 3-D), ``groups[i]`` its colour group. Points are
    in rank order where rank means something (a GloVe table lists the most frequent words first), so
    "the first points in view" are the most frequent words there. ``trust[i]`` is the share of a
    point's neighbours the picture keeps (:func:`embedviz.projection.neighbour_preservation`), NaN
    where it was not scored.
    """

    def __init__(self, labels: Sequence[str], vectors: np.ndarray, coords: np.ndarray, *, method: str = "pca",
                 groups: Sequence[str] | None = None, trust: np.ndarray | None = None, notes: Sequence[str] = (),
                 scored: int = 0, unit: np.ndarray | None = None, explained_variance: np.ndarray | None = None,
                 key: str | None = None):
        self.labels = list(labels)
        self.vectors = vectors
        self.coords = np.asarray(coords, dtype=np.float32)
        self.method = method
        self.groups = list(groups) if groups is not None else None
        self.trust = trust if trust is not None else np.full(len(self.labels), np.nan, dtype=np.float32)
        self.notes = list(notes)
        self.scored = scored
        self.explained_variance = explained_variance
        self._unit = unit
        self._tree = None
        self._lower = None
        self._lock = threading.Lock()
        # figures and re-projections of this map are memoised by this: its content's key when it has one
        self.memo_key = ("map", key if key is not None else next(_TOKENS))
        if not (len(self.labels) == len(self.vectors) == len(self.coords)):
            raise InputError("A map needs one label, one vector and one place per point.")

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def dims(self) -> int:
        return self.coords.shape[1]

    @property
    def unit(self) -> np.ndarray:
        with self._lock:
            if self._unit is None:
                self._unit = unit_rows(np.asarray(self.vectors, dtype=np.float32))
            return self._unit

    @property
    def tree(self):
        with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
            from scipy.spatial import cKDTree

        with self._lock:
            if self._tree is None:
                self._tree = cKDTree(self.coords.astype(np.float64))
            return self._tree

    def extent(self) -> View:
        """The whole picture, with a small margin, as (x0, x1, y0, y1)."""
        lo, hi = self.coords[:, :2].min(axis=0), self.coords[:, :2].max(axis=0)
        pad = (hi - lo) * 0.03 + 1e-9
        return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])

    # ------------------------------------------------------------ finding points

    def find(self, text: str) -> list[int]:
        """The points labelled ``text`` (any case), first-ranked first; [] when none is."""
        t = text.strip().lower()
        if not t:
            return []
        with self._lock:
            if self._lower is None:
                self._lower = np.array([s.lower() for s in self.labels], dtype=object)
        return [int(i) for i in np.flatnonzero(self._lower == t)]

    def suggest(self, text: str, n: int = 5) -> list[str]:
        """Labels spelled like ``text``, for a search that found nothing."""
        first = list(dict.fromkeys(s.lower() for s in self.labels[:200_000]))  # in rank order
        return close_spellings(text.strip().lower(), first, n, cutoff=0.7, rank_order=True)

    def neighbours(self, index: int, k: int = 10) -> Neighbours:
        """Point ``index``'s ``k`` nearest neighbours among all the map's points, in the full space and
        in the picture (itself excluded from both)."""
        k = max(1, min(int(k), len(self) - 1))
        sims = self.unit @ self.unit[index]
        sims[index] = -np.inf
        top = top_k(sims, k)
        _, pic = self.tree.query(self.coords[index].astype(np.float64), k=min(k + 1, len(self)))
        pic = np.asarray(pic).ravel()
        return Neighbours(int(index), top, sims[top].astype(np.float32), pic[pic != index][:k])

    def typical_kept(self, k: int = 10, sample: int = 200) -> tuple[float, int]:
        """What :attr:`Neighbours.kept` is for a point of this map, to read one point's figure against:
        (the mean of ``kept`` over ``sample`` points drawn at random, seed 0, each among all the map's
        points as :meth:`neighbours` counts it; how many points that mean is over). Computed once per
        map and ``k``."""
        k = max(1, min(int(k), len(self) - 1))
        with self._lock:
            memo = self.__dict__.setdefault("_typical", {})
            if k in memo:
                return memo[k]
        pick = np.random.default_rng(0).choice(len(self), size=min(int(sample), len(self)), replace=False)
        tree, unit, kept = self.tree, self.unit, []
        for chunk in np.array_split(pick, max(1, len(pick) // 32)):
            sims = unit[chunk] @ unit.T
            sims[np.arange(len(chunk)), chunk] = -np.inf
            full = np.argpartition(-sims, k, axis=1)[:, :k]
            _, pic = tree.query(self.coords[chunk].astype(np.float64), k=min(k + 1, len(self)))
            pic = np.asarray(pic).reshape(len(chunk), -1)
            kept += [len(np.intersect1d(f, p[p != i][:k])) for f, p, i in zip(full, pic, chunk)]
        memo[k] = (float(np.mean(kept)), len(pick))
        return memo[k]

    # ------------------------------------------------------------ selections

    def in_view(self, view: View) -> np.ndarray:
        x0, x1, y0, y1 = view
        c = self.coords
        return np.flatnonzero((c[:, 0] >= x0) & (c[:, 0] <= x1) & (c[:, 1] >= y0) & (c[:, 1] <= y1))

    def in_box(self, xs: Sequence[float], ys: Sequence[float]) -> np.ndarray:
        """The points inside the box spanned by ``xs`` and ``ys`` (two corners each, any order), in rank order."""
        if len(xs) < 2 or len(ys) < 2:
            return np.empty(0, dtype=np.int64)
        return self.in_view((min(xs), max(xs), min(ys), max(ys)))

    def in_lasso(self, xs: Sequence[float], ys: Sequence[float]) -> np.ndarray:
        """The points inside the polygon through (``xs``, ``ys``), in rank order (even-odd rule)."""
        px, py = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
        if len(px) < 3 or len(px) != len(py):
            return np.empty(0, dtype=np.int64)
        cand = self.in_box(px, py)
        x, y = self.coords[cand, 0].astype(np.float64), self.coords[cand, 1].astype(np.float64)
        inside = np.zeros(len(cand), dtype=bool)
        for x1, y1, x2, y2 in zip(px, py, np.roll(px, 1), np.roll(py, 1)):
            if y1 == y2:
                continue
            crosses = (y1 > y) != (y2 > y)
            xcross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            inside ^= crosses & (x < xcross)
        return cand[inside]

    # ------------------------------------------------------------ what to draw

    def markers(self, view: View, limit: int = limits.MAX_MARKERS) -> np.ndarray:
        """The first ``limit`` points in ``view`` (the most frequent words there): drawn as markers."""
        return self.in_view(view)[:limit]

    @functools.cached_property
    def readable(self) -> np.ndarray:
        """``[n]`` bool: labels a reader knows at a glance. A single token must be a word of letters (no
        numbers, dates, punctuation or debris such as "336-822-1444" or "''"); a longer text (a corpus
        row) must hold a letter."""
        return np.fromiter((_readable(t) for t in self.labels), dtype=bool, count=len(self.labels))

    def label_layout(self, idx: Sequence[int], view: View, *, size: tuple[int, int] = (1100, 560),
                     font_px: float = 7.2) -> LabelLayout:
        """Where to write the labels of points ``idx`` (a found word and its neighbours, in that order) in
        ``view`` drawn ``size`` pixels large: above its point where there is room, else moved aside and
        joined to its point by a line (:func:`place_labels`)."""
        idx = np.asarray([i for i in dict.fromkeys(int(i) for i in idx) if 0 <= i < len(self)], dtype=np.int64)
        x0, x1, y0, y1 = view
        w, h = size
        sx, sy = w / (x1 - x0 + 1e-12), h / (y1 - y0 + 1e-12)
        anchors = np.stack([(self.coords[idx, 0] - x0) * sx, (y1 - self.coords[idx, 1]) * sy], axis=1) \
            if len(idx) else np.zeros((0, 2))
        widths = np.array([min(len(self.labels[i]), 30) * font_px + 4 for i in idx], dtype=np.float64)
        centres, moved = place_labels(anchors, widths, size=size)
        ends = _edge_points(anchors, centres, widths, LABEL_HEIGHT)

        def data(p):
            return np.stack([x0 + p[:, 0] / sx, y1 - p[:, 1] / sy], axis=1) if len(p) else np.zeros((0, 2))

        return LabelLayout(idx, data(centres), data(ends), moved, centres, widths)

    def labelled(self, view: View, limit: int = limits.MAX_LABELS, *, size: tuple[int, int] = (1100, 560),
                 font_px: float = 6.6, candidates: int = 2_000, avoid: Sequence[int] = (),
                 placed: LabelLayout | None = None) -> np.ndarray:
        """At most ``limit`` points in ``view`` to label: readable words (see :attr:`readable`), the most
        frequent first, each kept only where its text, drawn ``font_px`` wide a character above its point
        in a plot of ``size`` pixels, overlaps no label kept before, nor the labels of ``avoid`` (a found
        word and its neighbours, labelled anyway, where ``placed`` put them, else above their points).
        Zoomed in, points spread and more labels fit: the labels follow the range in view."""
        idx = self.in_view(view)
        if placed is not None:
            avoid = placed.index
        avoid = np.asarray([i for i in avoid if 0 <= i < len(self)], dtype=np.int64)
        ok = np.concatenate([avoid, idx[self.readable[idx]][:candidates]])
        x0, x1, y0, y1 = view
        w, h = size
        px = (self.coords[ok, 0] - x0) / (x1 - x0 + 1e-12) * w
        py = (y1 - self.coords[ok, 1]) / (y1 - y0 + 1e-12) * h - 9  # text sits above its point
        if placed is not None and len(avoid):
            px[: len(avoid)], py[: len(avoid)] = placed.pixels[:, 0], placed.pixels[:, 1]
        cell = 8  # an occupancy grid of 8-pixel cells: a label takes the cells its box covers
        taken = np.zeros((h // cell + 3, w // cell + 3), dtype=bool)
        keep = []
        for n, (i, x, y) in enumerate(zip(ok, px, py)):
            half = (min(len(self.labels[i]), 30) * font_px + 4) / 2
            c0, c1 = int((x - half) // cell) + 1, int((x + half) // cell) + 1
            r0, r1 = int((y - 7) // cell) + 1, int((y + 7) // cell) + 1
            if c0 < 0 or r0 < 0 or c1 >= taken.shape[1] or r1 >= taken.shape[0]:
                if n < len(avoid):
                    c0, r0 = max(c0, 0), max(r0, 0)  # a highlighted label near the edge still claims its room
                else:
                    continue  # would be cut at the plot's edge
            if n >= len(avoid) and taken[r0:r1 + 1, c0:c1 + 1].any():
                continue
            taken[r0:r1 + 1, c0:c1 + 1] = True
            if n >= len(avoid):
                keep.append(i)
            if len(keep) >= limit:
                break
        return np.array(keep, dtype=np.int64)

    def cells(self, view: View, nx: int = 48, ny: int = 36) -> np.ndarray:
        """One point per occupied cell of an ``nx`` x ``ny`` grid over ``view``: its first-ranked point.
        Drawn as invisible markers over the density image, they make every occupied part of the map
        answer a hover, a click, a box and a lasso, not only where the drawn points are."""
        idx = self.in_view(view)
        if not len(idx):
            return idx
        x0, x1, y0, y1 = view
        cx = np.clip(((self.coords[idx, 0] - x0) / (x1 - x0 + 1e-12) * nx).astype(int), 0, nx - 1)
        cy = np.clip(((self.coords[idx, 1] - y0) / (y1 - y0 + 1e-12) * ny).astype(int), 0, ny - 1)
        _, first = np.unique(cx * ny + cy, return_index=True)
        return np.sort(idx[first])

    def density_png(self, view: View, *, width: int = 480, height: int = 360, values: np.ndarray | None = None,
                    scale: str = "red_green") -> bytes:
        """All the points in ``view`` as a PNG image: log-scaled counts per pixel in blue, or, with
        ``values`` (one per point in [0, 1], NaN for none), their mean per pixel from red (0) to green (1),
        or with ``scale="viridis"`` from purple to yellow (a column's numbers)."""
        return _density_png(self.coords, view, width, height, values, scale)

    def reprojected(self, idx: Sequence[int], method: str | None = None, *, random_state: int = 0,
                    perplexity: float = 30.0, n_neighbors: int = 15, min_dist: float = 0.1,
                    progress: Progress | None = None) -> Map:
        """A new 2-D map of just the points ``idx``, projected again from their full-space vectors
        (``method``: this map's by default), so that a cluster spreads over the whole picture. Computed
        once and kept (every rerun of the page, every visitor), through the build queue, with progress."""
        idx = np.unique(np.asarray(idx, dtype=np.int64))
        if len(idx) < 2:
            raise InputError("Select at least two points to show only them.")
        method = method or self.method
        if method not in METHODS:
            raise InputError(f"Unknown projection method {method!r}: pca, tsne or umap.")
        if method != "pca" and len(idx) > limits.MAX_REPROJECT_POINTS:
            raise InputError(f"“Show only these” projects at most {limits.MAX_REPROJECT_POINTS:,} points again with "
                             f"{METHODS[method]} (a selection of {len(idx):,} would take minutes and gigabytes); select "
                             "fewer, or choose PCA, which takes any number.")
        if method == "pca":
            random_state, perplexity, n_neighbors, min_dist = 0, 30.0, 15, 0.1  # PCA has no seed nor knobs
        return reprojection(self, idx, method, random_state, float(perplexity), int(n_neighbors), float(min_dist),
                            progress=progress)

    # ------------------------------------------------------------ export

    def csv(self, idx: Sequence[int], progress: Progress | None = None) -> bytes:
        """The points ``idx`` as CSV: label, group, x, y (, z), then the full-space vector as given
        (not normalised); written in parts of 20,000 rows, each reported to ``progress``."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        step = reporter(progress)
        idx = np.asarray(idx, dtype=np.int64)
        buf = io.BytesIO()  # Arrow's writer: 300,000 rows of 50 numbers in ~3 s (pandas: 40 s)
        for start in range(0, max(len(idx), 1), CSV_PART):
            part = idx[start:start + CSV_PART]
            cols = {"label": safe_cells(self.labels[i] for i in part), "group": safe_cells(self.groups[i] for i in part)
                    if self.groups else [""] * len(part)}  # a label "=HYPERLINK(...)" opens as text, not a formula
            cols.update({a: self.coords[part, j] for j, a in enumerate("xyz"[: self.dims])})
            v = np.asarray(self.vectors[part], dtype=np.float32)
            cols.update({f"v{j}": v[:, j] for j in range(v.shape[1])})
            if not start:
                buf.write((",".join(cols) + "\n").encode())
            pacsv.write_csv(pa.table(cols), buf, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
            step(min(start + CSV_PART, len(idx)) / max(len(idx), 1),
                 f"Writing the CSV: {min(start + CSV_PART, len(idx)):,} of {len(idx):,} rows, {buf.tell() / 1e6:,.0f} MB")
        return buf.getvalue()

    def csv_size(self, idx: Sequence[int], sample: int = 2_000) -> int:
        """About how many bytes :meth:`csv` of ``idx`` takes: the CSV of ``sample`` of them, spread
        evenly, scaled up."""
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx) <= sample:
            return len(self.csv(idx))
        some = idx[np.linspace(0, len(idx) - 1, sample).astype(np.int64)]
        whole = len(self.csv(some))
        header = len(self.csv(some[:0]))
        return int(header + (whole - header) * len(idx) / sample)

    def projector_files(self, idx: Sequence[int]) -> tuple[str, str]:
        """The points ``idx`` for the TensorFlow Embedding Projector: (vectors.tsv, metadata.tsv),
        with the picture's coordinates in the metadata."""
        idx = np.asarray(idx, dtype=np.int64)
        xyz = [[f"{v:.6g}" for v in self.coords[idx, j]] for j in range(self.dims)]
        rows = [{"label": self.labels[i], "group": self.groups[i] if self.groups else "",
                 **{a: xyz[j][r] for j, a in enumerate("xyz"[: self.dims])}} for r, i in enumerate(idx)]
        return projector_tsv(np.asarray(self.vectors[idx]), rows)


LABEL_HEIGHT = 14.0  # pixels a label's box takes, its text ~11-12 px high


@dataclass(frozen=True)
class LabelLayout:
    """Labels of points ``index`` placed by :meth:`Map.label_layout`: ``at[j]`` the centre of label j and
    ``ends[j]`` where its line meets the label's box (both in map coordinates), ``moved[j]`` whether it
    was moved aside (then drawn with a line from its point to ``ends[j]``); ``pixels`` and ``widths``
    the same boxes in the plot's pixels."""

    index: np.ndarray
    at: np.ndarray
    ends: np.ndarray
    moved: np.ndarray
    pixels: np.ndarray
    widths: np.ndarray

    @property
    def memo_key(self):  # figures drawn with it are memoised by what it holds
        return ("labels", digest(self.index.tobytes() + self.at.tobytes() + self.moved.tobytes()))


def place_labels(anchors: np.ndarray, widths: np.ndarray, *, size: tuple[int, int], height: float = LABEL_HEIGHT,
                 above: float = 9.0, rings: Sequence[float] = (22, 34, 48, 64, 82, 104, 130)) -> tuple[np.ndarray, np.ndarray]:
    """Label boxes that do not overlap, for points at pixel ``anchors`` ``[n, 2]`` (y down) with labels
    ``widths[n]`` pixels wide, in a plot ``size`` (w, h) pixels, placed in order (the first wins its
    place): each just above its point when that box is free, else at the first free place on rings of
    growing radius around the point (16 directions each), kept inside the plot and off the other
    points. Returns (``centres`` ``[n, 2]`` pixels, ``moved`` ``[n]`` bool: placed away from its point,
    to be joined to it by a line). A label with no free place anywhere stays above its point."""
    anchors = np.asarray(anchors, dtype=np.float64).reshape(-1, 2)
    widths = np.asarray(widths, dtype=np.float64)
    w, h = size
    n = len(anchors)
    boxes = np.zeros((0, 4))  # x0, y0, x1, y1 of the labels placed
    dots = np.hstack([anchors - 4, anchors + 4])  # the points themselves: a label never covers one
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    angles = angles[np.argsort(np.abs(np.angle(np.exp(1j * (angles - np.pi / 2)))), kind="stable")]  # up first
    centres, moved = anchors - [0.0, above], np.zeros(n, dtype=bool)
    for i in range(n):
        half = np.array([widths[i] / 2, height / 2])
        others = np.delete(dots, i, axis=0)
        tries = [anchors[i] - [0.0, above]] + [anchors[i] + [np.cos(a) * (r + half[0] - height / 2),
                                                            -np.sin(a) * r] for r in rings for a in angles]
        for k, c in enumerate(tries):
            box = np.concatenate([c - half, c + half])
            if box[0] < 0 or box[1] < 0 or box[2] > w or box[3] > h:
                continue
            if _overlaps(box, boxes) or _overlaps(box, others):
                continue
            centres[i], moved[i] = c, k > 0
            break
        box = np.concatenate([centres[i] - half, centres[i] + half])
        boxes = np.vstack([boxes, box])
    return centres, moved


TEXT_POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right", "top left",
                  "bottom right", "bottom left")


def text_positions(coords: np.ndarray, labels: Sequence[str], *, size: tuple[int, int], font_px: float = 7.0,
                   height: float = 14.0, pad: float = 18.0) -> list[str]:
    """A plotly ``textposition`` per point of a small labelled scatter (``coords`` ``[n, 2]`` in data
    units, drawn ``size`` pixels large, ``pad`` pixels of margin round the points): for each point in
    order, the first of :data:`TEXT_POSITIONS` whose label box lies inside the plot and overlaps no label
    placed before and no other point (the rule :func:`place_labels` uses for a map's labels, with the
    places plotly can draw a label at); where none is free, the one that overlaps least."""
    c = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    w, h = size
    lo, span = c.min(axis=0), np.ptp(c, axis=0) + 1e-12
    px = np.stack([pad + (c[:, 0] - lo[0]) / span[0] * (w - 2 * pad),
                   pad + (lo[1] + span[1] - c[:, 1]) / span[1] * (h - 2 * pad)], axis=1)
    dots = np.hstack([px - 4.5, px + 4.5])
    boxes = np.zeros((0, 4))
    out = []
    for i, (x, y) in enumerate(px):
        tw, th, gap = len(labels[i]) * font_px, height, 6.0
        dx = {"center": 0.0, "right": gap + tw / 2, "left": -gap - tw / 2}
        dy = {"top": -gap - th / 2, "middle": 0.0, "bottom": gap + th / 2}
        others = np.delete(dots, i, axis=0)
        best, best_cost = TEXT_POSITIONS[0], np.inf
        for pos in TEXT_POSITIONS:
            v, hz = pos.split()
            if v == "middle" or hz == "center":
                cx, cy = x + dx[hz], y + dy[v]
            else:  # a corner: the text starts (ends) at the point, just above (below) it
                cx, cy = x + np.sign(dx[hz]) * (2 + tw / 2), y + np.sign(dy[v]) * (4 + th / 2)
            box = np.array([cx - tw / 2, cy - th / 2, cx + tw / 2, cy + th / 2])
            cost = _overlap_area(box, boxes) + _overlap_area(box, others) + \
                (max(0.0, -box[0]) + max(0.0, box[2] - w) + max(0.0, -box[1]) + max(0.0, box[3] - h)) * th
            if cost < best_cost:
                best, best_cost, best_box = pos, cost, box
            if cost == 0:
                break
        out.append(best)
        boxes = np.vstack([boxes, best_box])
    return out


def _overlap_area(box: np.ndarray, boxes: np.ndarray) -> float:
    if not len(boxes):
        return 0.0
    wx = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    wy = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    return float((wx * wy).sum())


def _overlaps(box: np.ndarray, boxes: np.ndarray) -> bool:
    return bool(len(boxes)) and bool(((box[0] < boxes[:, 2]) & (boxes[:, 0] < box[2])
                                      & (box[1] < boxes[:, 3]) & (boxes[:, 1] < box[3])).any())


def _edge_points(anchors: np.ndarray, centres: np.ndarray, widths: np.ndarray, height: float) -> np.ndarray:
    """Where the line from each anchor to its label's centre meets the label's box."""
    d = centres - anchors
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.minimum(np.where(d[:, 0] != 0, widths / 2 / np.abs(d[:, 0]), np.inf),
                       np.where(d[:, 1] != 0, height / 2 / np.abs(d[:, 1]), np.inf))
    t = np.clip(np.nan_to_num(t, posinf=1.0), 0.0, 1.0)
    return centres - d * t[:, None]


WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


def _readable(text: str) -> bool:
    text = text.strip()
    if " " in text:
        return any(ch.isalpha() for ch in text)
    return len(text) >= 2 and WORD.fullmatch(text) is not None


def _colours(t: np.ndarray, stops: list[tuple[float, tuple[int, int, int]]]) -> np.ndarray:
    """``t`` in [0, 1] -> RGB by linear interpolation between colour ``stops``."""
    pos = np.array([p for p, _ in stops])
    rgb = np.array([c for _, c in stops], dtype=np.float64)
    return np.stack([np.interp(t, pos, rgb[:, j]) for j in range(3)], axis=-1)


BLUES = [(0.0, (198, 219, 239)), (0.5, (66, 146, 198)), (1.0, (8, 48, 107))]
RED_GREEN = [(0.0, (215, 48, 39)), (0.5, (254, 224, 139)), (1.0, (26, 152, 80))]
VIRIDIS = [(0.0, (68, 1, 84)), (0.25, (59, 82, 139)), (0.5, (33, 145, 140)), (0.75, (94, 201, 98)),
           (1.0, (253, 231, 37))]


@memoize(maxsize=32)
def _density_png(coords: np.ndarray, view: View, width: int, height: int, values: np.ndarray | None,
                 scale: str = "red_green") -> bytes:
    from PIL import Image

    x0, x1, y0, y1 = view
    c = coords[:, :2]
    rng = [[x0, x1], [y0, y1]]
    counts, _, _ = np.histogram2d(c[:, 0], c[:, 1], bins=[width, height], range=rng)
    counts = counts.T[::-1]  # rows from the top of the picture
    filled = counts > 0
    level = np.log1p(counts) / max(np.log1p(counts.max()), 1e-9)
    if values is None:
        rgb = _colours(level, BLUES)
    else:
        ok = ~np.isnan(values)
        sums, _, _ = np.histogram2d(c[ok, 0], c[ok, 1], bins=[width, height], range=rng, weights=values[ok])
        n_ok, _, _ = np.histogram2d(c[ok, 0], c[ok, 1], bins=[width, height], range=rng)
        sums, n_ok = sums.T[::-1], n_ok.T[::-1]
        mean = np.where(n_ok > 0, sums / np.maximum(n_ok, 1), np.nan)
        rgb = np.where(np.isnan(mean)[..., None], 190.0, _colours(np.nan_to_num(mean),
                                                                         VIRIDIS if scale == "viridis" else RED_GREEN))
    alpha = np.where(filled, 90 + 165 * level, 0)
    img = np.dstack([rgb, alpha]).round().clip(0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img, "RGBA").save(buf, "PNG", optimize=False, compress_level=6)
    return buf.getvalue()


# ---------------------------------------------------------------- re-projections and whole-vocabulary maps

@memoize(maxsize=8)
def reprojection(m: Map, idx: np.ndarray, method: str, random_state: int, perplexity: float, n_neighbors: int,
                 min_dist: float, progress: Progress | None = None) -> Map:
    """The map of points ``idx`` of ``m`` projected again (:meth:`Map.reprojected`): queued in the
    build queue, memoised (``reprojection.cache_keys()`` lists those kept)."""
    x = m.unit[idx]  # the picture is of directions, as the whole map's is (neighbours are by cosine)
    knobs = dict(random_state=random_state, perplexity=perplexity, n_neighbors=n_neighbors, min_dist=min_dist)
    key = digest(repr((m.memo_key, digest(idx.tobytes()), method, sorted(knobs.items()))).encode())

    def compute(step):
        p = picture(x, method, progress=step, **knobs)
        return point_map([m.labels[i] for i in idx], m.vectors[idx], p, method=method,
                         groups=[m.groups[i] for i in idx] if m.groups else None, notes=p.notes, unit=x)

    return BUILDS.run("reproject-" + key, compute, cost=estimate_cost(len(idx), x.shape[1], method, 20_000),
                      label=f"{METHODS[method]} of {len(idx):,} selected points", progress=progress)


def allowed_maps() -> list[dict] | None:
    """The whole-vocabulary maps a visitor may have built, as the owner fixed them (``EMBEDVIZ_MAPS``),
    or None when any may be (a notebook, ``EMBEDVIZ_MAPS=any``, or ``EMBEDVIZ_LOCAL_FILES=1``). Each
    entry: a method and its knobs, ``;``-separated, e.g. ``pca; tsne seed=0 perplexity=30 sample=20000``.
    A map already on disk is always shown; this decides only which may be started."""
    import os

    from . import access

    text = os.environ.get("EMBEDVIZ_MAPS", "").strip()
    if text.lower() == "any" or not (text or access.restricted()):
        return None
    out = []
    for part in (text or limits.DEFAULT_MAPS).split(";"):
        words = part.split()
        if not words:
            continue
        if words[0] not in METHODS:
            raise InputError(f"EMBEDVIZ_MAPS: {words[0]!r} is not a method (pca, tsne or umap).")
        entry = {"method": words[0]}
        for w in words[1:]:
            k, _, v = w.partition("=")
            try:
                entry[k] = float(v)
            except ValueError:
                raise InputError(f"EMBEDVIZ_MAPS: {w!r} is not a knob=number (such as seed=0).") from None
        out.append(entry)
    return out


def _allowed(method, seed, sample, perplexity, n_neighbors, min_dist) -> bool:
    maps = allowed_maps()
    if maps is None:
        return True
    asked = {"seed": seed, "sample": sample, "perplexity": perplexity, "n_neighbors": n_neighbors, "min_dist": min_dist}
    for entry in maps:
        if entry["method"] == method and all(asked[k] is None or abs(asked[k] - v) < 1e-9 for k, v in entry.items()
                                             if k != "method" and k in asked and (method != "pca" or k == "seed")):
            return True
    return False


def _describe(entry: dict) -> str:
    knobs = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in entry.items() if k != "method")
    return METHODS[entry["method"]] + (f" ({knobs})" if knobs else "")




@memoize(maxsize=4, max_bytes=2**30)  # a map's own arrays are small; its unit vectors are the table's, shared
def word_map(vecs, method: str = "pca", *, size: int | None = None, sample: int = 20_000, seed: int = 0,
             perplexity: float = 30.0, n_neighbors: int = 15, min_dist: float = 0.1, scored: int = 20_000,
             progress: Progress | None = None) -> Map:
    """The map of the first ``size`` words (all by default) of a :class:`~embedviz.StaticVectors`
    table: PCA of all of them, or t-SNE / UMAP fitted on the ``sample`` most frequent and the rest placed
    by the fitted model. The first ``scored`` words are scored for how well the picture keeps their
    neighbours (among themselves). Computed once per (vectors, method, knobs), cached on disk under
    :func:`~embedviz.cache_dir` and shared by every session."""
    step = reporter(progress)
    if method not in METHODS:
        raise InputError(f"Unknown projection method {method!r}: pca, tsne or umap.")
    n = len(vecs) if size is None else min(int(size), len(vecs))
    if n > limits.MAX_MAP_POINTS:
        raise InputError(f"{n:,} words is more than a map here holds ({limits.MAX_MAP_POINTS:,}); choose fewer.")
    s = min(int(scored), n, limits.MAX_SCORED_POINTS)
    if method == "pca":
        seed = 0  # PCA of every word has no seed: one map, not one byte-identical file per seed
    key, path = _map_file(vecs, method, n, seed, sample, perplexity, n_neighbors, min_dist, s)
    x = vecs.unit[:n]
    coords = _read_map(path, n)
    notes = []
    if coords is not None:
        coords, trust, ev = coords
        if method != "pca" and min(sample, n) < n:
            notes = [f"{METHODS[method]} was fitted on the first {min(sample, n):,} of {n:,} words; the other "
                     f"{n - min(sample, n):,} were placed where their nearest fitted words lie."]
    else:
        if not _allowed(method, None if method == "pca" else seed, None if method == "pca" else min(sample, n),
                        perplexity, n_neighbors, min_dist):
            offered = "; ".join(_describe(e) for e in allowed_maps() or [])
            raise InputError(f"This server builds whole-vocabulary maps only as its owner fixed them: {offered}. "
                             "Choose one of those (its owner sets them with EMBEDVIZ_MAPS).")
        if n not in limits.MAP_SIZES and n != len(vecs) and allowed_maps() is not None:
            raise InputError(f"A whole-vocabulary map here holds {', '.join(f'{k:,}' for k in limits.MAP_SIZES)} or "
                             f"all {len(vecs):,} words, not {n:,}.")

        def compute(step):
            found = _read_map(path, n)  # built meanwhile by another process
            if found is not None:
                return found + ([],)
            proj = fit_and_place(x, method, sample=sample, random_state=seed, perplexity=perplexity, unit="words",
                                 n_neighbors=n_neighbors, min_dist=min_dist, progress=lambda f, m: step(f * 0.95, m))
            coords = np.asarray(proj, dtype=np.float32)
            ev = proj.explained_variance if proj.explained_variance is not None else np.zeros(0)
            step(0.96, f"Scoring how well the picture keeps the neighbours of the {s:,} most frequent words")
            trust = np.full(n, np.nan, dtype=np.float32)
            trust[:s] = neighbour_preservation(x[:s], coords[:s])

            def write(f):
                np.savez(f, coords=coords, trust=trust, explained_variance=ev)

            atomic_write(path, write)
            trim_cache(keep=(path,))
            return coords, trust, ev, list(proj.notes)

        what = f"the map of {n:,} words ({METHODS[method]}" + (f", seed {seed})" if method != "pca" else ")")
        coords, trust, ev, notes = BUILDS.run("map-" + key, compute, cost=estimate_cost(n, x.shape[1], method, sample),
                                              label=what, progress=step)
    step(1.0, "Done")
    coords.setflags(write=False)
    return Map(vecs.words[:n], vecs.matrix[:n], coords, method=method, trust=trust, notes=notes, scored=s, unit=x,
               explained_variance=ev if len(ev) else None, key=key)


def _map_file(vecs, method, n, seed, sample, perplexity, n_neighbors, min_dist, s):
    """(key, path on disk) of the map :func:`word_map` makes with these knobs."""
    # "near": the rest placed among their nearest fitted words (a map placed by transform is not reused)
    knobs = {"pca": (), "tsne": (sample, perplexity, "near"), "umap": (sample, n_neighbors, min_dist, "near")}[method]
    key = hashlib.sha1(repr((vecs.fingerprint, method, n, seed, knobs, s)).encode()).hexdigest()[:24]
    return key, cache_dir() / "maps" / f"{method}-{n}-{key}.npz"


def _read_map(path, n: int):
    """(coords, trust, explained variance) of a map on disk, or None (none, or damaged: built again)."""
    import contextlib
    import os

    if not path.exists():
        return None
    try:
        with np.load(path) as f:  # never allow_pickle
            coords, trust, ev = f["coords"], f["trust"], f["explained_variance"]
    except (OSError, ValueError, KeyError):
        return None
    if coords.shape != (n, 2) or trust.shape != (n,):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: the cache's trim drops others first
    return coords, trust, ev


# ---------------------------------------------------------------- the best map, built in the background

BETTER = ("umap", "tsne")  # the pictures worth waiting for, best first; PCA is shown while they build
_DEFAULT_KNOBS = {"seed": 0, "sample": 20_000, "perplexity": 30.0, "n_neighbors": 15, "min_dist": 0.1}


@dataclass(eq=False)
class MapBuild:
    """A whole-vocabulary map built once per server in the background (:func:`best_map`): ``map`` is
    None until it is ready, ``fraction`` and :meth:`seconds_left` say how far it is, ``error`` why it
    failed (a sentence)."""

    method: str
    knobs: dict
    cost: float
    started: float = field(default_factory=time.monotonic)
    fraction: float = 0.0
    message: str = ""
    running_since: float | None = None
    map: Map | None = None
    error: str | None = None
    _moved: tuple[float, float] | None = None  # (when, fraction) the progress first moved on from its start

    @property
    def ready(self) -> bool:
        return self.map is not None

    @property
    def waiting(self) -> bool:
        """Whether it waits in the build queue for a slot (other builds run first)."""
        return self.running_since is None and self.message.startswith("Waiting in line")

    def seconds_left(self) -> float | None:
        """About how many seconds until the map is ready, never less than 1 before it is: from the build's
        own pace once its progress moves (the fraction gained per second since it first moved), before
        that from its estimated cost (:func:`~embedviz.jobs.estimate_cost`). None when that estimate has run
        out and no pace is known yet: it takes longer than expected, and no number would be honest."""
        if self.ready:
            return 0.0
        if self.running_since is None:  # not started yet, or waiting in the build queue
            return self.cost
        now = time.monotonic()
        ran = now - self.running_since
        if self._moved is not None:
            t0, f0 = self._moved
            if self.fraction > f0 and now - t0 >= 2.0:
                return max(1.0, (1 - self.fraction) * (now - t0) / (self.fraction - f0), self.cost - ran)
        left = self.cost - ran
        return left if left >= 1.0 else None

    @property
    def seconds_run(self) -> float:
        """Seconds since the build started running (0 while it waits)."""
        return 0.0 if self.running_since is None else time.monotonic() - self.running_since

    def _step(self, f: float, msg: str) -> None:
        if not msg.startswith("Waiting in line") and self.running_since is None:
            self.running_since = time.monotonic()
        f = max(self.fraction, min(float(f), 1.0))
        if self.running_since is not None and self._moved is None and f > self.fraction > 0:
            self._moved = (time.monotonic(), f)  # the pace is measured from where the progress first moved to
        self.fraction, self.message = f, msg

    def _build(self, vecs, kwargs: dict) -> None:
        import logging

        try:
            self.map = word_map(vecs, self.method, progress=self._step, **kwargs)
        except InputError as e:
            self.error = str(e)
        except Exception as e:  # noqa: BLE001 - a bug: logged for the owner, a sentence for the page
            logging.getLogger(__name__).exception("building the %s map in the background", self.method)
            self.error = f"Building the {METHODS[self.method]} map failed ({type(e).__name__})."


_BACKGROUND: dict[str, MapBuild] = {}
_BACKGROUND_LOCK = threading.Lock()


def better_method() -> tuple[str, dict] | None:
    """(method, knobs) of the best map this server may build: UMAP, else t-SNE, with the owner's knobs
    (``EMBEDVIZ_MAPS``), or None when the owner allows neither (then PCA is the best there is)."""
    maps = allowed_maps()
    if maps is None:
        return BETTER[0], dict(_DEFAULT_KNOBS)
    for method in BETTER:
        for entry in maps:
            if entry["method"] == method:
                knobs = dict(_DEFAULT_KNOBS)
                knobs.update({k: v for k, v in entry.items() if k in knobs})
                return method, knobs
    return None


def best_map(vecs, *, size: int | None = None, scored: int = 20_000) -> MapBuild | None:
    """The best whole-vocabulary map of ``vecs`` (its first ``size`` words) this server may build
    (:func:`better_method`): read from disk at once when a run before built it, else built once per
    server in a background thread, through the build queue (:data:`~embedviz.jobs.BUILDS`, so it counts
    in the server's limits). Every visitor asking gets the same :class:`MapBuild`; none starts a second
    build. None when the owner allows no better map than PCA.

    >>> b = best_map(ev.load_vectors(), size=20_000)   # doctest: +SKIP
    >>> b.ready, round(b.seconds_left())               # doctest: +SKIP
    (False, 41)
    """
    better = better_method()
    if better is None:
        return None
    method, knobs = better
    n = len(vecs) if size is None else min(int(size), len(vecs))
    s = min(int(scored), n, limits.MAX_SCORED_POINTS)
    kwargs = dict(size=n, sample=int(knobs["sample"]), seed=int(knobs["seed"]), perplexity=float(knobs["perplexity"]),
                  n_neighbors=int(knobs["n_neighbors"]), min_dist=float(knobs["min_dist"]), scored=s)
    key, path = _map_file(vecs, method, n, kwargs["seed"], kwargs["sample"], kwargs["perplexity"],
                          kwargs["n_neighbors"], kwargs["min_dist"], s)
    with _BACKGROUND_LOCK:
        build = _BACKGROUND.get(key)
        if build is not None:  # being built, built, or failed (said once per server, not retried per visit)
            return build
        build = _BACKGROUND[key] = MapBuild(method, knobs, cost=estimate_cost(n, vecs.unit.shape[1], method,
                                                                              kwargs["sample"]))
        if _read_map(path, n) is not None:  # built by a run before this one: read at once
            build.map = word_map(vecs, method, **kwargs)
            return build
        threading.Thread(target=build._build, args=(vecs, kwargs), daemon=True, name=f"map-{method}-{n}").start()
    return build


def point_map(labels: Sequence[str], vectors: np.ndarray, coords: np.ndarray, *, method: str = "pca",
              groups: Sequence[str] | None = None, notes: Sequence[str] = (), unit: np.ndarray | None = None) -> Map:
    """A :class:`Map` of points already projected (word groups, tokens in context, a selection), the
    first few thousand scored for how well the picture keeps their neighbours (among themselves)."""
    coords = np.asarray(coords, dtype=np.float32)
    vectors = np.asarray(vectors)
    n = len(coords)
    s = min(n, MAX_POINTS)
    trust = np.full(n, np.nan, dtype=np.float32)
    if s > 2:
        trust[:s] = neighbour_preservation(vectors[:s], coords[:s])
    # keyed by content: the same points on a rerun of the page are the same map (its figures and its
    # re-projections are not computed again)
    key = "points-" + hashlib.blake2b(repr(freeze((list(labels), coords, vectors, method, list(groups or []))))
                                      .encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return Map(labels, vectors, coords, method=method, groups=groups, trust=trust, notes=notes, scored=s if s > 2 else 0,
               unit=unit, key=key)


@memoize(maxsize=4)
def corpus_map(vectors: np.ndarray, texts: list[str], groups: list[str] | None = None, method: str = "pca",
               seed: int = 0, progress: Progress | None = None) -> Map:
    """The :class:`~embedviz.Map` of a corpus's rows (labelled by their first words): a direct projection
    up to 5,000 rows, past that fitted on 20,000 and the rest placed."""
    unit = unit_rows(np.asarray(vectors, dtype=np.float32))
    p = picture(unit, method, random_state=seed, progress=progress)
    short = [t if len(t) <= 80 else t[:77] + "…" for t in texts]
    return point_map(short, vectors, p, method=method, groups=groups, notes=p.notes, unit=unit)
