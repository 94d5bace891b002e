"""Two embedding spaces compared: for the same points (words, tokens, rows), how many of each point's
nearest neighbours the two spaces share, and which words two static tables both know.

>>> import numpy as np
>>> import embedviz as ev
>>> x = np.random.default_rng(0).normal(size=(50, 8))
>>> float(ev.neighbour_overlap(x, x, k=5).min())   # a space agrees with itself
1.0
>>> glove, table = ev.load_vectors(), ev.load_vectors("encoder")
>>> words = ev.shared_words(glove, table, 500)
>>> overlap = ev.neighbour_overlap(glove.unit[glove.require(words)], table.unit[table.require(words)], k=10)
>>> bool(overlap.mean() > 10 / (len(words) - 1))   # far above two unrelated spaces
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cache import memoize
from .errors import InputError


def nearest_points(x: np.ndarray, k: int) -> np.ndarray:
    """``[n, k]``: each row's ``k`` nearest other rows of ``x`` ``[n, dim]`` by cosine, nearest first."""
    u = np.asarray(x, dtype=np.float64)
    u = u / np.maximum(np.linalg.norm(u, axis=1, keepdims=True), 1e-12)
    sims = u @ u.T
    np.fill_diagonal(sims, -np.inf)
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(sims, top, axis=1).argsort(axis=1)[:, ::-1]
    return np.take_along_axis(top, order, axis=1)


def neighbour_overlap(a: np.ndarray, b: np.ndarray, k: int = 10) -> np.ndarray:
    """``[n]``: for the same ``n`` points in two spaces, ``a`` ``[n, da]`` and ``b`` ``[n, db]``,
    ``res[i] = |N_a(i) ∩ N_b(i)| / k``, ``N(i)`` being point i's ``k`` nearest other points by cosine.
    1.0 where both spaces agree; about ``k / (n - 1)`` for two unrelated spaces."""
    a, b = np.asarray(a), np.asarray(b)
    if len(a) != len(b):
        raise InputError(f"The two spaces must hold the same points ({len(a)} and {len(b)} given).")
    n = len(a)
    if n < 3:
        raise InputError("Comparing neighbours needs at least three points.")
    k = max(1, min(int(k), n - 1))
    na, nb = nearest_points(a, k), nearest_points(b, k)
    return np.array([len(np.intersect1d(p, q)) / k for p, q in zip(na, nb)], dtype=np.float32)


def chance_overlap(n: int, k: int = 10) -> float:
    """What :func:`neighbour_overlap` averages for two unrelated spaces of ``n`` points: ``k / (n - 1)``."""
    k = max(1, min(int(k), n - 1))
    return k / (n - 1)


def shared_words(a, b, n: int = 1000, *, words: list[str] | None = None) -> list[str]:
    """Words both static tables ``a`` and ``b`` know: of ``words`` when given, else the first ``n`` of ``a``
    (its most frequent) that ``b`` has, as ``a`` spells them."""
    pool = words if words is not None else a.words[: max(n * 4, n)]
    out = [w for w in dict.fromkeys(w.strip() for w in pool if w.strip()) if w in a and w in b]
    return out if words is not None else out[:n]


@dataclass(frozen=True)
class SpacePair:
    """The same ``n`` points in two spaces, each projected to 2-D: ``coords_a``, ``coords_b`` ``[n, 2]``;
    ``overlap`` ``[n]`` from :func:`neighbour_overlap`; ``near_a``, ``near_b`` ``[n, k]`` each point's
    nearest others in each full space."""

    labels: list[str]
    groups: list[str] | None
    names: tuple[str, str]
    coords_a: np.ndarray
    coords_b: np.ndarray
    overlap: np.ndarray
    near_a: np.ndarray
    near_b: np.ndarray
    k: int

    @property
    def chance(self) -> float:
        return chance_overlap(len(self.labels), self.k)

    def finding(self) -> str:
        """One sentence computed from the numbers."""
        o = self.overlap
        return (f"On average a point shares {o.mean():.0%} of its {self.k} nearest neighbours between {self.names[0]} "
                f"and {self.names[1]} (two unrelated spaces: {self.chance:.1%}); {int((o >= 0.5).sum())} of "
                f"{len(o)} share half or more, {int((o == 0).sum())} share none.")

    def about(self, idx) -> str:
        """What a selection of points ``idx`` shows, in one sentence."""
        idx = np.asarray(idx, dtype=np.int64)
        if not len(idx):
            return "Nothing selected."
        inside = np.isin(self.near_b[idx], idx).mean()
        return (f"{len(idx)} selected: they share {self.overlap[idx].mean():.0%} of their neighbours between the two "
                f"spaces (all points: {self.overlap.mean():.0%}); in {self.names[1]}, {inside:.0%} of their "
                f"{self.k} nearest neighbours are also selected points.")


@memoize(maxsize=8)
def compare_spaces(a: np.ndarray, b: np.ndarray, labels: list[str], *, groups: list[str] | None = None,
                   names: tuple[str, str] = ("space a", "space b"), method: str = "pca", k: int = 10,
                   random_state: int = 0) -> SpacePair:
    """Two spaces of the same points (``a`` ``[n, da]``, ``b`` ``[n, db]``) side by side: each projected on
    its own (``method``, of the unit vectors), and how many neighbours they share."""
    from .projection import project

    a, b = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    overlap = neighbour_overlap(a, b, k)
    k = max(1, min(int(k), len(a) - 1))

    def unit(x):
        return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)

    pa = np.asarray(project(unit(a), method, 2, random_state=random_state), dtype=np.float32)
    pb = np.asarray(project(unit(b), method, 2, random_state=random_state), dtype=np.float32)
    return SpacePair(list(labels), list(groups) if groups is not None else None, tuple(names), pa, pb, overlap,
                     nearest_points(a, k), nearest_points(b, k), k)


def static_row_vectors(encoder, texts: list[str]) -> np.ndarray:
    """``[len(texts), hidden]``: each text as a static model sees it, the mean of the encoder's
    input-embedding rows of its tokens (special tokens left out), with no context at all: the idea
    behind a static model distilled from an encoder (model2vec), without its PCA and weighting."""
    table = encoder.input_embeddings()
    out = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
    for i, text in enumerate(texts):
        t = encoder.tokenize(text)
        ids = [tid for tid, special in zip(t.ids, t.special) if not special]
        if ids:
            out[i] = table[ids].mean(axis=0)
    return out
