"""The vector maths every module shares, written once (as gensim keeps it in ``matutils``): rows
scaled to length 1, cosines, the best k scores, and words spelled like a word.

>>> import numpy as np
>>> from embedviz.vecmath import cos_sim, top_k, unit_rows
>>> a = np.array([[3.0, 4.0], [1.0, 0.0]])
>>> unit_rows(a)[0].tolist()
[0.6, 0.8]
>>> cos_sim(a).round(2).tolist()
[[1.0, 0.6], [0.6, 1.0]]
>>> top_k(np.array([0.1, 0.9, 0.5]), 2).tolist()
[1, 2]
"""

from __future__ import annotations

import difflib

import numpy as np

TINY = 1e-12  # a norm below this is treated as this, so a zero vector stays zero instead of NaN


def unit_rows(x: np.ndarray) -> np.ndarray:
    """``x`` with each vector along the last axis scaled to length 1 (zero vectors stay zero);
    same shape and dtype."""
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), TINY)


def cos_sim(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """``res[i][j] = cos(a[i], b[j])`` for ``a`` ``[n, d]`` and ``b`` ``[m, d]`` (``b`` defaults to
    ``a``); float64 ``[n, m]``."""
    a = np.atleast_2d(np.asarray(a, dtype=np.float64))
    b = a if b is None else np.atleast_2d(np.asarray(b, dtype=np.float64))
    return unit_rows(a) @ unit_rows(b).T


def cos(a: np.ndarray, b: np.ndarray) -> float:
    """``cos(a, b) = a . b / (|a| |b|)`` of two vectors ``[d]``."""
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), TINY))


def paired_cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``res[i] = cos(a[i], b[i])`` for ``a`` and ``b`` ``[n, d]`` (either may be one vector ``[d]``,
    compared with every row of the other)."""
    return (a * b).sum(-1) / np.maximum(np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1), TINY)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest ``scores`` ``[n]``, highest first; a partial sort, so the cost
    grows with ``n``, not ``n log n``. Set a score to ``-inf`` to leave its row out."""
    n = len(scores)
    k = min(int(k), n)
    if k <= 0:
        return np.empty(0, dtype=np.intp)
    part = np.argpartition(scores, n - k)[n - k:]
    return part[np.argsort(-scores[part], kind="stable")]


def close_spellings(word: str, words: list[str], n: int = 3, *, cutoff: float = 0.75,
                    rank_order: bool = False) -> list[str]:
    """Words of ``words`` spelled like ``word``, for a search that found nothing. ``words`` is in rank
    order (most frequent first); the candidates are the first 200,000 that share ``word``'s first
    letter and are within two characters of its length (else the first 50,000), scored by difflib's
    ratio (at least ``cutoff``). The ``n`` closest, closest first; with ``rank_order``, the ``n`` most
    frequent of the ``4 n`` closest, most frequent first."""
    pool = [x for x in words[:200_000] if x[:1] == word[:1] and abs(len(x) - len(word)) <= 2] or words[:50_000]
    if not rank_order:
        return difflib.get_close_matches(word, pool, n=n, cutoff=cutoff)
    close = set(difflib.get_close_matches(word, pool, n=4 * n, cutoff=cutoff))
    return [x for x in pool if x in close][:n]
