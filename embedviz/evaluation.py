"""How good a set of vectors is: the Google analogy set and word-pair similarity sets.

Results match gensim's ``KeyedVectors.evaluate_word_analogies`` (3CosAdd, same vocabulary
restriction and case handling) but score all questions with batched matrix products.

>>> import embedviz as ev
>>> res = ev.evaluate_analogies(ev.load_vectors(), "questions-words.txt")   # doctest: +SKIP
>>> res.accuracy                                                            # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .tokens import InputError
from .vectors import StaticVectors


def gensim_test_file(name: str) -> Path | None:
    """A copy of a standard benchmark file (``questions-words.txt``, ``wordsim353.tsv``,
    ``simlex999.txt``) from gensim's test data, when gensim is installed."""
    try:
        from gensim.test.utils import datapath
    except Exception:
        return None
    p = Path(datapath(name))
    return p if p.is_file() else None


@dataclass
class Section:
    name: str
    correct: list[tuple[str, str, str, str]] = field(default_factory=list)
    incorrect: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # + the wrong answer

    @property
    def accuracy(self) -> float:
        n = len(self.correct) + len(self.incorrect)
        return len(self.correct) / n if n else 0.0


@dataclass
class AnalogyResult:
    """``accuracy``: the fraction correct over all sections; ``sections``: per section;
    ``skipped``: questions with a word outside the (restricted) vocabulary."""

    accuracy: float
    sections: list[Section]
    skipped: int

    def table(self) -> list[dict]:
        return [{"section": s.name, "correct": len(s.correct), "total": len(s.correct) + len(s.incorrect),
                 "accuracy": round(s.accuracy, 4)} for s in self.sections]


def _read_lines(path: str | os.PathLike) -> list[str]:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"There is no file at {path}.")
    try:
        return p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as e:
        raise InputError(f"{p.name} is not UTF-8 text.") from e


def evaluate_analogies(vectors: StaticVectors, questions_path: str | os.PathLike, *,
                       restrict_vocab: int = 300_000, case_insensitive: bool = True,
                       chunk: int | None = None) -> AnalogyResult:
    """Score ``vectors`` on an analogy file in the ``questions-words.txt`` format (``: section``
    lines, then ``a b c expected`` lines), with 3CosAdd, exactly as gensim does."""
    ok_words = vectors.words[:restrict_vocab]
    norm = (lambda w: w.upper()) if case_insensitive else (lambda w: w)
    ok_vocab: dict[str, int] = {}
    for i in range(len(ok_words) - 1, -1, -1):  # the first (most frequent) spelling wins, as in gensim
        ok_vocab[norm(ok_words[i])] = i
    sections: list[Section] = []
    questions: list[tuple[int, int, int, int, tuple[str, str, str, str]]] = []
    skipped = 0
    for no, line in enumerate(_read_lines(questions_path), start=1):
        if line.startswith(":"):
            sections.append(Section(line.lstrip(":").strip()))
            continue
        if not line.strip():
            continue
        if not sections:
            raise InputError(f"Line {no}: questions must follow a ': section' line.")
        parts = [norm(w) for w in line.split()]
        if len(parts) != 4:
            raise InputError(f"Line {no}: expected four words, found {len(parts)}.")
        if any(w not in ok_vocab for w in parts):
            skipped += 1
            continue
        a, b, c, _ = (ok_vocab[w] for w in parts)
        questions.append((len(sections) - 1, a, b, c, tuple(parts)))
    if not sections:
        raise InputError("The file has no ': section' lines; is it a questions-words.txt style file?")
    unit = vectors.unit[: len(ok_words)]
    chunk = chunk or max(16, 1_000_000 // max(len(ok_words), 1))  # a few MB of scores a block: stays in cache
    # Every question's scores are sums of three rows of one small matrix: the cosines of the few
    # hundred distinct question words with the whole vocabulary (cos(x, b) + cos(x, c) - cos(x, a)
    # ranks like gensim's cos(x, unit(b + c - a))). That replaces a [questions, vocab, dim] matrix
    # product by [questions, vocab] additions.
    qwords = np.unique(np.array([q[k] for q in questions for k in (1, 2, 3)], dtype=np.int64))
    row_of = {int(w): r for r, w in enumerate(qwords)}
    sims = unit[qwords] @ unit.T if len(qwords) else np.zeros((0, len(ok_words)), np.float32)  # [qwords, vocab]
    for start in range(0, len(questions), chunk):
        block = questions[start:start + chunk]
        ia, ib, ic = (np.array([q[k] for q in block]) for k in (1, 2, 3))
        ra, rb, rc = (np.array([row_of[int(i)] for i in col]) for col in (ia, ib, ic))
        scores = sims[rb] + sims[rc]
        scores -= sims[ra]
        rows = np.arange(len(block))
        for col in (ia, ib, ic):
            scores[rows, col] = -np.inf
        best = scores.argmax(axis=1)
        for r, (q, idx) in enumerate(zip(block, best)):
            sec, _, _, _, (a, b, c, expected) = q
            predicted = norm(ok_words[idx])
            if predicted in (a, b, c):  # another spelling of an input word: gensim looks further, up to 5
                top = np.argsort(-scores[r], kind="stable")[:5]
                for cand in top:
                    predicted = norm(ok_words[cand])
                    if predicted not in (a, b, c):
                        break
            s = sections[sec]
            if predicted == expected:
                s.correct.append((a, b, c, expected))
            else:
                s.incorrect.append((a, b, c, expected, predicted))
    used = [s for s in sections if s.correct or s.incorrect]
    total_c = sum(len(s.correct) for s in used)
    total = total_c + sum(len(s.incorrect) for s in used)
    return AnalogyResult(total_c / total if total else 0.0, used, skipped)


@dataclass
class WordPairResult:
    """Spearman and Pearson correlation between human scores and cosine similarity."""

    spearman: float
    pearson: float
    pairs: list[tuple[str, str, float, float]]  # (w1, w2, human, cosine)
    skipped: int


def evaluate_word_pairs(vectors: StaticVectors, pairs_path: str | os.PathLike) -> WordPairResult:
    """Score ``vectors`` on a word-pair file (WordSim353 / SimLex: ``word1 word2 score`` per line,
    tab or space separated, ``#`` comments and a header line allowed)."""
    from scipy.stats import pearsonr, spearmanr

    rows, skipped = [], 0
    for line in _read_lines(pairs_path):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t") if "\t" in line else line.split()
        if len(parts) < 3:
            continue
        try:
            human = float(parts[2])
        except ValueError:
            continue  # a header line
        a, b = parts[0].strip(), parts[1].strip()
        if a not in vectors or b not in vectors:
            skipped += 1
            continue
        rows.append((a, b, human, vectors.similarity(a, b)))
    if len(rows) < 3:
        raise InputError("Fewer than three word pairs are in the vocabulary; nothing to correlate.")
    h = [r[2] for r in rows]
    c = [r[3] for r in rows]
    return WordPairResult(float(spearmanr(h, c).statistic), float(pearsonr(h, c).statistic), rows, skipped)
