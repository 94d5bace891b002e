"""Finding a corpus's rows by meaning and naming its clusters by their words.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from .cache import memoize
from .errors import InputError
from .jobs import IMPORTS
from .vecmath import paired_cos, top_k, unit_rows


def nearest_rows(vectors: np.ndarray, query: np.ndarray, k: int = 10, *, made_with: str | None = None,
                 model: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows most like ``query`` by cosine: (indices, cosines), best first. ``made_with`` and
    ``model``: the model that made the rows' vectors and the one that made the query, named in the
    message when their sizes differ."""
    v = np.asarray(vectors, dtype=np.float32)
    query = np.asarray(query, dtype=np.float32)
    if v.ndim != 2 or query.shape != (v.shape[1],):
        raise InputError(f"This map's vectors have {v.shape[-1]:,} numbers each" + (f" (made with {made_with})" if made_with
                         else "") + f", the query's {query.shape[-1]:,}" + (f" (made with {model})" if model else "")
                         + ": search it with the model that made it (pick it in the sidebar), or map it again with this one.")
    sims = paired_cos(v, query)
    top = top_k(sims, k)
    return top, sims[top]


WORD = re.compile(r"[a-z][a-z'-]{2,}")
STOP = set("the and for are but not you all any can had her was one our out has him his how its may new now old see "
           "two way who did get let put say she too use that with this from they will would there their what about "
           "which when your into than then them these some could other more also been were have each only over such "
           "very just like most many where while here does".split())


@memoize(maxsize=8)
def clusters(vectors: np.ndarray, texts: list[str], k: int = 8, seed: int = 0, words: int = 3) -> tuple[np.ndarray, list[str]]:
    """k-means clusters of the rows (cosine), each named by its most distinctive words: those most
    over-represented in its rows against the whole corpus. Returns (cluster per row, names). Memoised:
    a click on the map does not run k-means again."""
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        from sklearn.cluster import KMeans

    v = np.asarray(vectors, dtype=np.float32)
    v = unit_rows(v)
    k = max(1, min(k, len(v)))
    assign = KMeans(k, n_init=3, random_state=seed).fit_predict(v)
    assign.setflags(write=False)
    docs = [set(WORD.findall(t.lower())) - STOP for t in texts]
    overall = Counter(w for d in docs for w in d)
    names = []
    for c in range(k):
        members = [docs[i] for i in np.flatnonzero(assign == c)]
        inside = Counter(w for d in members for w in d)
        score = {w: (n / len(members)) / ((overall[w] + 1) / (len(docs) + 1)) * np.log1p(n)
                 for w, n in inside.items() if n >= 2}
        best = sorted(score, key=lambda w: -score[w])[:words]
        names.append(f"{c + 1}: " + (", ".join(best) if best else "(no shared words)"))
    return assign, names
