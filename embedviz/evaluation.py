"""How good a set of vectors is: the Google analogy set and word-pair similarity sets, shipped
with embedviz (``embedviz/data/``) so that nothing else need be installed.

Results match gensim's ``KeyedVectors.evaluate_word_analogies`` (3CosAdd, same vocabulary
restriction and case handling) but score all questions with blocked matrix products.

>>> import embedviz as ev
>>> res = ev.evaluate_analogies(ev.load_vectors(), restrict_vocab=30_000)   # GloVe 6B 50d, the Google set
>>> res.total, res.answered
(19544, 14877)
>>> round(res.accuracy, 3)
0.497
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import access
from .cache import memoize
from .errors import InputError
from .jobs import IMPORTS
from .progress import Progress
from .vectors import StaticVectors

DATA = Path(__file__).parent / "data"
BENCHMARKS = {"questions-words.txt": "Google analogy set (19,544 questions)",
              "wordsim353.tsv": "WordSim-353 (word relatedness)",
              "simlex999.txt": "SimLex-999 (word similarity)"}
BLOCK = 8_192  # vocabulary columns scored at a time: a section's scores stay in cache (~30 MB in all)


def benchmark_file(name: str) -> Path:
    """The path of a benchmark file shipped with embedviz: ``questions-words.txt`` (the Google
    analogy set), ``wordsim353.tsv`` or ``simlex999.txt``."""
    if name not in BENCHMARKS:
        raise InputError(f"Unknown benchmark {name!r}: one of {', '.join(BENCHMARKS)}.")
    return DATA / name


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
    """``accuracy``: the fraction correct of the questions answered; ``sections``: per section;
    ``skipped``: questions with a word outside the (restricted) vocabulary; ``total``: questions in
    the file (answered + skipped)."""

    accuracy: float
    sections: list[Section]
    skipped: int
    total: int = 0

    @property
    def answered(self) -> int:
        return self.total - self.skipped

    def summary(self) -> str:
        """One line for a person: answered, skipped and accuracy."""
        return (f"answered {self.answered:,} of {self.total:,} questions, skipped {self.skipped:,} (words not in "
                f"the vocabulary); accuracy {self.accuracy:.1%} (3CosAdd)")

    def table(self) -> list[dict]:
        return [{"section": s.name, "correct": len(s.correct), "total": len(s.correct) + len(s.incorrect),
                 "accuracy": round(s.accuracy, 4)} for s in self.sections]


def _read_lines(source: str | os.PathLike | list[str]) -> list[str]:
    """Lines of a file, or ``source`` itself when it is already a list of lines."""
    if isinstance(source, list):
        return source
    p = Path(access.check_vector_path(source))
    if not p.is_file():
        raise InputError(f"There is no file at {source}.")
    try:
        return p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as e:
        raise InputError(f"{p.name} is not UTF-8 text.") from e


@memoize(maxsize=8)  # scoring 400,000 words takes seconds; every session asking again gets it at once
def evaluate_analogies(vectors: StaticVectors, questions: str | os.PathLike | list[str] | None = None, *,
                       restrict_vocab: int = 300_000, case_insensitive: bool = True,
                       progress: Progress | None = None) -> AnalogyResult:
    """Score ``vectors`` on analogy questions in the ``questions-words.txt`` format (``: section``
    lines, then ``a b c expected`` lines), with 3CosAdd, exactly as gensim does. ``questions``: a
    file, its lines, or None for the Google analogy set. ``progress(fraction, message)`` is called
    between blocks of the vocabulary (an app can stop the work there)."""
    if questions is None:
        questions = benchmark_file("questions-words.txt")
    ok_words = vectors.words[:restrict_vocab]
    norm = (lambda w: w.upper()) if case_insensitive else (lambda w: w)
    # the first (most frequent) spelling wins, as in gensim: later entries overwrite, so go backwards
    ok_vocab = {(w.upper() if case_insensitive else w): i for i, w in reversed(list(enumerate(ok_words)))}
    sections: list[Section] = []
    asked: list[tuple[int, int, int, int, tuple[str, str, str, str]]] = []
    skipped = 0
    for no, line in enumerate(_read_lines(questions), start=1):
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
        asked.append((len(sections) - 1, a, b, c, tuple(parts)))
    if not sections:
        raise InputError("The file has no ': section' lines; is it a questions-words.txt style file?")
    unit = vectors.unit[: len(ok_words)]
    abc = np.array([q[1:4] for q in asked], dtype=np.int64).reshape(-1, 3)
    best = best_answers(unit, abc, progress=progress)
    for q, (ia, ib, ic), idx in zip(asked, abc, best):
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
    return AnalogyResult(total_c / total if total else 0.0, used, skipped, len(asked) + skipped)


def best_answers(unit: np.ndarray, abc: np.ndarray, *, block: int = BLOCK,
                  progress: Progress | None = None) -> np.ndarray:
    """For each question (a, b, c) (rows of ``abc``), the index of the word x, not a, b or c, with
    the highest ``cos(x, b) - cos(x, a) + cos(x, c)``: the ranking of gensim's 3CosAdd.

    The scores are sums of rows of one small matrix, the cosines of the few hundred distinct
    question words with the vocabulary. Questions sharing a pair (a, b), as whole sections of the
    Google set do, share ``cos(x, b) - cos(x, a)``, so each question costs one row addition and an
    argmax instead of a matrix-vector product. The vocabulary is taken ``block`` columns at a time,
    so memory stays bounded (and in cache) however large the vocabulary; the first best column wins
    ties, as one argmax over the whole row would."""
    n = len(abc)
    best = np.zeros(n, dtype=np.int64)
    if not n:
        return best
    best_score = np.full(n, -np.inf, dtype=np.float32)
    qwords, rows = np.unique(abc, return_inverse=True)
    rows = rows.reshape(abc.shape)
    q_unit = np.ascontiguousarray(unit[qwords])
    pairs, pair_of = np.unique(rows[:, :2], axis=0, return_inverse=True)
    order = np.argsort(pair_of.ravel(), kind="stable")
    bounds = np.searchsorted(pair_of.ravel()[order], np.arange(len(pairs) + 1))
    groups = [(order[bounds[p]:bounds[p + 1]], ra, rb) for p, (ra, rb) in enumerate(pairs)]
    for lo in range(0, unit.shape[0], block):
        hi = min(lo + block, unit.shape[0])
        if progress:
            progress(lo / unit.shape[0], f"Scored {n:,} questions against {lo:,} of {unit.shape[0]:,} words")
        sims = q_unit @ unit[lo:hi].T  # [distinct question words, block]
        for members, ra, rb in groups:
            scores = sims[rows[members, 2]]
            scores += sims[rb] - sims[ra]
            local = np.arange(len(members))
            for col in abc[members].T:  # the question's own words are never the answer
                inside = (col >= lo) & (col < hi)
                scores[local[inside], col[inside] - lo] = -np.inf
            arg = scores.argmax(axis=1)
            top = scores[local, arg]
            better = top > best_score[members]
            best_score[members[better]] = top[better]
            best[members[better]] = arg[better] + lo
    return best


@dataclass
class WordPairResult:
    """Spearman and Pearson correlation between human scores and cosine similarity."""

    spearman: float
    pearson: float
    pairs: list[tuple[str, str, float, float]]  # (w1, w2, human, cosine)
    skipped: int


def evaluate_word_pairs(vectors: StaticVectors, pairs: str | os.PathLike | list[str]) -> WordPairResult:
    """Score ``vectors`` on a word-pair file (WordSim353 / SimLex: ``word1 word2 score`` per line,
    tab or space separated, ``#`` comments and a header line allowed)."""
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        from scipy.stats import pearsonr, spearmanr

    rows, skipped = [], 0
    for line in _read_lines(pairs):
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
