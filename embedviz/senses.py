"""Which sense a use of a word has: a labelled reference set shipped with embedviz (``data/senses.tsv``:
ambiguous words such as "bat", "bank" and "crane", two senses each, ten or more sentences per sense,
the word exactly once in each), the nearest labelled uses of a word typed in a sentence, and how well
each layer of an encoder tells the senses apart.

A static table gives "bat" one vector whatever the sentence; an encoder gives each use its own, and
from some layer on, the uses of one sense sit closer to each other than to the other sense's.

>>> import embedviz as ev
>>> enc = ev.load_encoder()
>>> near = ev.sense_neighbours(enc, "A bat flew out of the dark cave.", "bat", layer=enc.num_layers, k=3)
>>> [u.sense for u in near]
['animal', 'animal', 'animal']
>>> acc = ev.sense_accuracy(enc)              # leave-one-out nearest use, per layer (embeddings first)
>>> len(acc.accuracy) == enc.num_layers + 1 and bool(acc.accuracy.max() > acc.chance + 0.3)
True
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .cache import memoize
from .errors import InputError
from .uses import occurrence_vectors, occurrences

REFERENCE_FILE = Path(__file__).parent / "data" / "senses.tsv"


@dataclass(frozen=True)
class ReferenceSet:
    """Labelled uses of ambiguous words, one per sentence: ``words[i]`` is used in sense ``senses[i]``
    in ``sentences[i]`` (exactly once)."""

    words: tuple[str, ...]
    senses: tuple[str, ...]
    sentences: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.sentences)

    @property
    def vocabulary(self) -> list[str]:
        """The ambiguous words, in the file's order."""
        return list(dict.fromkeys(self.words))

    def senses_of(self, word: str) -> dict[str, int]:
        """``word``'s senses and how many reference sentences each has."""
        w = word.strip().lower()
        return dict(Counter(s for x, s in zip(self.words, self.senses) if x == w))

    def rows(self, word: str) -> np.ndarray:
        """Indices of ``word``'s reference uses."""
        w = word.strip().lower()
        return np.flatnonzero(np.array(self.words) == w)


def count_word(sentence: str, word: str) -> int:
    """How many times ``word`` occurs in ``sentence`` as a whole word, any case."""
    return len(re.findall(rf"(?<![\w-]){re.escape(word)}(?![\w-])", sentence, flags=re.IGNORECASE))


def around(sentence: str, word: str, *, width: int = 80) -> str:
    """``sentence`` if it is at most ``width`` characters, else about ``width`` characters centred on the
    first whole-word use of ``word`` (the start when there is none), with "…" where it was cut.

    >>> around("a " * 100 + "bank " + "b " * 100, "bank", width=20)
    '… a a a a bank b b b b …'
    """
    if len(sentence) <= width:
        return sentence
    m = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", sentence, flags=re.IGNORECASE)
    mid = (m.start() + m.end()) // 2 if m else 0
    start = max(0, min(mid - width // 2, len(sentence) - width))
    end = start + width
    return ("… " if start else "") + sentence[start:end].strip() + (" …" if end < len(sentence) else "")


@memoize(maxsize=1)
def reference_set(path: str | Path = REFERENCE_FILE) -> ReferenceSet:
    """The labelled reference set (a TSV file with columns word, sense, sentence)."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = [(r["word"].strip().lower(), r["sense"].strip(), r["sentence"].strip())
                for r in csv.DictReader(f, delimiter="\t")]
    return ReferenceSet(*(tuple(col) for col in zip(*rows)))


def _use_vectors(encoder, sentences: list[str], words: list[str]) -> np.ndarray:
    """``[uses, layers + 1, hidden]``: the first use of ``words[i]`` in ``sentences[i]`` at every layer,
    its WordPiece pieces averaged."""
    hs_list = encoder.hidden_states_many(sentences, max_tokens=None)  # the shipped reference set, 440 sentences
    out = []
    for text, word, hs in zip(sentences, words, hs_list):
        occ = occurrences([hs], word)
        if not occ:
            raise InputError(f"'{word}' does not occur as a whole word in: {text[:80]}")
        out.append(occurrence_vectors([hs], occ[:1])[0])
    return np.stack(out).astype(np.float32)


@memoize(maxsize=4)
def reference_uses(encoder) -> np.ndarray:
    """The reference set's uses at every layer of ``encoder``: ``[uses, layers + 1, hidden]``, in the
    order of :func:`reference_set` (computed once per model, shared; read-only)."""
    ref = reference_set()
    v = _use_vectors(encoder, list(ref.sentences), list(ref.words))
    v.setflags(write=False)
    return v


def nearest_sense_hits(vectors: np.ndarray, senses, groups) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-out nearest neighbour by cosine, within each group (a word's own uses).

    ``vectors`` ``[n, d]``; returns (``hit[i]``: the nearest other use of ``groups[i]`` has the sense
    ``senses[i]``; ``chance[i]``: the share of the other uses of that group with the same sense, what a
    neighbour drawn at random would score).
    """
    senses, groups = np.asarray(senses), np.asarray(groups)
    x = np.asarray(vectors, dtype=np.float64)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    hit = np.zeros(len(x), dtype=bool)
    chance = np.zeros(len(x))
    for g in dict.fromkeys(groups.tolist()):
        idx = np.flatnonzero(groups == g)
        if len(idx) < 2:
            continue
        sims = x[idx] @ x[idx].T
        np.fill_diagonal(sims, -np.inf)
        hit[idx] = senses[idx[sims.argmax(axis=1)]] == senses[idx]
        same = (senses[idx][:, None] == senses[idx][None, :]).sum(axis=1) - 1
        chance[idx] = same / (len(idx) - 1)
    return hit, chance


@dataclass(frozen=True)
class SenseAccuracy:
    """How well each layer tells the senses apart over the reference set.

    ``accuracy``: ``[layers + 1]``, embeddings first: the share of reference uses whose nearest other use
    of the same word (by cosine) has the same sense. ``chance``: what a neighbour drawn at random scores.
    ``per_word``: ``[words, layers + 1]``, rows in the order of ``words``.
    """

    accuracy: np.ndarray
    chance: float
    per_word: np.ndarray
    words: list[str]
    uses: int

    @property
    def best_layer(self) -> int:
        return int(np.argmax(self.accuracy))

    def finding(self) -> str:
        """One sentence computed from the numbers, for a page or a notebook."""
        b = self.best_layer
        where = "the embedding layer" if b == 0 else f"layer {b}"
        return (f"{where.capitalize()} tells the senses apart best: {self.accuracy[b]:.2f} of {self.uses} reference "
                f"uses have a nearest use of the same sense (chance {self.chance:.2f}; the embedding layer "
                f"{self.accuracy[0]:.2f}).")


@memoize(maxsize=8)
def sense_accuracy(encoder) -> SenseAccuracy:
    """Leave-one-out nearest-neighbour sense accuracy of ``encoder`` at every layer, embeddings first,
    over the reference set (computed once per model, shared by every session)."""
    ref = reference_set()
    v = reference_uses(encoder)
    layers = v.shape[1]
    hits = np.stack([nearest_sense_hits(v[:, layer], ref.senses, ref.words)[0] for layer in range(layers)], axis=1)
    chance = float(nearest_sense_hits(v[:, 0], ref.senses, ref.words)[1].mean())
    words = ref.vocabulary
    w = np.array(ref.words)
    per_word = np.stack([hits[w == word].mean(axis=0) for word in words])
    return SenseAccuracy(hits.mean(axis=0), chance, per_word, words, len(ref))


@dataclass(frozen=True)
class SenseUse:
    """A labelled reference use and how alike it is to the use asked about."""

    sentence: str
    sense: str
    cosine: float


def sense_neighbours(encoder, text: str, word: str, layer: int, k: int = 5, *, use: int = 0) -> list[SenseUse]:
    """The ``k`` reference uses of ``word`` nearest (by cosine at ``layer``) to its use in ``text`` (the
    ``use``-th, counting from 0), most similar first, each with its labelled sense."""
    ref = reference_set()
    w = word.strip().lower()
    rows = ref.rows(w)
    if not len(rows):
        raise InputError(f"'{word}' is not in the reference set; it has: {', '.join(ref.vocabulary)}.")
    if not 0 <= layer <= encoder.num_layers:
        raise InputError(f"Layer {layer} does not exist: {encoder.name} has layers 0 to {encoder.num_layers}.")
    hs = encoder.hidden_states(text)
    occ = occurrences([hs], w)
    if len(occ) <= use:
        raise InputError(f"'{word}' does not occur as a whole word in: {text[:80]}")
    q = occurrence_vectors([hs], occ[use:use + 1])[0, layer].astype(np.float64)
    refs = reference_uses(encoder)[rows, layer].astype(np.float64)
    cos = refs @ q / np.maximum(np.linalg.norm(refs, axis=1) * np.linalg.norm(q), 1e-12)
    top = np.argsort(-cos)[:k]
    return [SenseUse(ref.sentences[rows[i]], ref.senses[rows[i]], float(cos[i])) for i in top]


def likely_sense(uses: list[SenseUse]) -> tuple[str, float]:
    """The sense most of ``uses`` have (ties: the one nearest first), and the share that have it."""
    if not uses:
        return "", 0.0
    counts = Counter(u.sense for u in uses)
    best = max(counts, key=lambda s: (counts[s], -[u.sense for u in uses].index(s)))
    return best, counts[best] / len(uses)
