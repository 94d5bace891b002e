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
                       restrict_vocab: int = 300_000, case_insensitive: bool = True) -> AnalogyResult:
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
    abc = np.array([q[1:4] for q in questions], dtype=np.int64).reshape(-1, 3)
    best = _best_answers(unit, abc)
    for q, (ia, ib, ic), idx in zip(questions, abc, best):
        sec, _, _, _, (a, b, c, expected) = q
        predicted = norm(ok_words[idx])
        if predicted in (a, b, c):  # another spelling of an input word: gensim looks further, up to 5
            scores = unit @ (unit[ib] + unit[ic] - unit[ia])
            scores[[ia, ib, ic]] = -np.inf
            for cand in np.argsort(-scores, kind="stable")[:5]:
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


def _best_answers(unit: np.ndarray, abc: np.ndarray) -> np.ndarray:
    """For each question (a, b, c) (rows of ``abc``), the index of the word x, not a, b or c, with
    the highest ``cos(x, b) - cos(x, a) + cos(x, c)``: the ranking of gensim's 3CosAdd.

    The scores are sums of rows of one small matrix, the cosines of the few hundred distinct
    question words with the vocabulary. Questions sharing a pair (a, b), as whole sections of the
    Google set do, share ``cos(x, b) - cos(x, a)``, so each question costs one row addition and an
    argmax over the vocabulary instead of a matrix-vector product."""
    best = np.zeros(len(abc), dtype=np.int64)
    if not len(abc):
        return best
    qwords, rows = np.unique(abc, return_inverse=True)
    rows = rows.reshape(abc.shape)
    sims = unit[qwords] @ unit.T  # [distinct question words, vocab]
    pairs, pair_of = np.unique(rows[:, :2], axis=0, return_inverse=True)
    order = np.argsort(pair_of.ravel(), kind="stable")
    bounds = np.searchsorted(pair_of.ravel()[order], np.arange(len(pairs) + 1))
    for p, (ra, rb) in enumerate(pairs):
        members = order[bounds[p]:bounds[p + 1]]
        scores = sims[rows[members, 2]]
        scores += sims[rb] - sims[ra]
        local = np.arange(len(members))
        for col in abc[members].T:
            scores[local, col] = -np.inf
        best[members] = scores.argmax(axis=1)
    return best


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
