"""Static embeddings: GloVe / word2vec files read fast, the encoder's own input-embedding table,
nearest words and analogies.

>>> import embedviz as ev
>>> vecs = ev.load_vectors()                 # the active encoder's table, whole words only
>>> vecs.analogy("man", "king", "woman", topn=1)[0][0]
'queen'
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import threading
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .cache import memoize
from .tokens import InputError

Progress = Callable[[float, str], None]
GLOVE_6B_URL = "https://nlp.stanford.edu/data/glove.6B.zip"
WHOLE_WORD = re.compile(r"^[a-z]+$")


class VectorFileError(InputError):
    """A vector file that cannot be read; the message names the line when it can."""


def cache_dir() -> Path:
    return Path(os.environ.get("EMBEDVIZ_CACHE", Path.home() / ".cache" / "embedviz"))


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
        self.index = {}
        for i, w in enumerate(self.words):
            self.index.setdefault(w, i)
        self.lowercase = all(w == w.lower() for w in self.words[:2000])
        self._unit = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return self._key(word) is not None

    @property
    def dim(self) -> int:
        return self.matrix.shape[1]

    @property
    def unit(self) -> np.ndarray:
        """Rows scaled to length 1 ``[words, dim]`` (computed once)."""
        with self._lock:
            if self._unit is None:
                m = np.asarray(self.matrix, dtype=np.float32)
                self._unit = m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)
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
        pool = [x for x in self.words[:200_000] if x[:1] == w[:1] and abs(len(x) - len(w)) <= 2] or self.words[:50_000]
        return difflib.get_close_matches(w, pool, n=n, cutoff=0.75)

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
        scores = self.unit @ (v / max(float(np.linalg.norm(v)), 1e-12))
        return self._top(scores, topn, exclude)

    def _top(self, scores: np.ndarray, topn: int, exclude) -> list[tuple[str, float]]:
        scores = scores.copy()
        if len(exclude):
            scores[list(exclude)] = -np.inf
        k = min(topn, len(scores) - len(exclude))
        if k <= 0:
            return []
        part = np.argpartition(-scores, k - 1)[:k]
        best = part[np.argsort(-scores[part], kind="stable")]
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
        mean /= max(float(np.linalg.norm(mean)), 1e-12)
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
            return u @ (t / max(float(np.linalg.norm(t)), 1e-12))
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
    return StaticVectors(words, m, f"{encoder.name} input embeddings ({len(words):,} whole words)")


# ---------------------------------------------------------------- files

def _file_key(path: Path) -> str:
    st = path.stat()
    ident = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    return hashlib.sha1(ident.encode()).hexdigest()[:20]


def _cache_paths(path: Path) -> tuple[Path, Path]:
    key = _file_key(path)
    d = cache_dir() / "vectors"
    return d / f"{key}.npy", d / f"{key}.words.json"


def _atomic_write(dest: Path, write: Callable[[io.BufferedWriter], None]) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def encoder_vectors(encoder=None) -> StaticVectors:
    """:func:`from_encoder` of ``encoder``, or of the default encoder."""
    from .models import load_encoder

    return from_encoder(encoder or load_encoder())


def load_vectors(path: str | os.PathLike | None = None, *, encoder=None, progress: Progress | None = None,
                 use_cache: bool = True, max_bytes: int | None = None) -> StaticVectors:
    """Static vectors from ``path`` (GloVe text, word2vec text or binary, detected), or, when
    ``path`` is None, from ``EMBEDVIZ_VECTORS`` or the active encoder's input-embedding table.

    Parsed files are cached as ``.npy`` under :func:`cache_dir`, keyed by the file's path, size and
    modification time, and memory-mapped on reload.
    """
    if path is None:
        path = os.environ.get("EMBEDVIZ_VECTORS") or None
    if path is None:
        return encoder_vectors(encoder)
    p = Path(path).expanduser()
    if "://" in str(path):
        raise VectorFileError("That looks like a web address; give a file on this machine.")
    if not p.exists():
        raise VectorFileError(f"There is no file at {path}.")
    if not p.is_file():
        raise VectorFileError(f"{path} is not a file (is it a folder?).")
    if p.stat().st_size == 0:
        raise VectorFileError(f"{path} is empty.")
    if max_bytes is not None and p.stat().st_size > max_bytes:
        raise VectorFileError(f"{path} is {p.stat().st_size / 1e6:,.0f} MB, over this server's limit of {max_bytes / 1e6:,.0f} MB.")
    step = progress or (lambda f, m: None)
    npy, wjs = _cache_paths(p)
    if not use_cache:
        return _load_file(p, npy, wjs, step, use_cache=False)
    return _load_cached(p, npy, wjs, step)


@memoize(maxsize=3)  # a shared server keeps a few tables in memory, not every upload
def _load_cached(p: Path, npy: Path, wjs: Path, step: Progress) -> StaticVectors:
    """:func:`_load_file` through the ``.npy`` cache; ``npy`` names the file's identity (path, size,
    modification time), so a changed file is read again."""
    return _load_file(p, npy, wjs, step, use_cache=True)


def _load_file(p: Path, npy: Path, wjs: Path, step: Progress, use_cache: bool) -> StaticVectors:
    if use_cache and npy.exists() and wjs.exists():
        try:
            step(0.5, "Reading the cached copy")
            meta = json.loads(wjs.read_text())
            m = np.load(npy, mmap_mode="r")
            step(1.0, "Done")
            return StaticVectors(meta["words"], m, f"{p.name} ({len(meta['words']):,} words, cached)", meta.get("notes", []))
        except Exception:
            pass  # a damaged cache is rebuilt below
    words, m, notes = read_vector_file(p, progress=step)
    if use_cache:
        try:
            _atomic_write(npy, lambda f: np.save(f, m))
            _atomic_write(wjs, lambda f: f.write(json.dumps({"words": words, "notes": notes}).encode()))
        except OSError:
            notes.append("Could not write the on-disk cache; the next load will parse the file again.")
    return StaticVectors(words, m, f"{p.name} ({len(words):,} words)", notes)


def read_vector_file(path: Path, *, progress: Progress | None = None) -> tuple[list[str], np.ndarray, list[str]]:
    """Parse a GloVe or word2vec (text or binary) file: (words, ``[n, dim]`` float32, notes)."""
    step = progress or (lambda f, m: None)
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(min(size, 1 << 16))
    first = head.split(b"\n", 1)[0]
    header = re.fullmatch(rb"\s*(\d+)\s+(\d+)\s*", first)
    if header:
        n, dim = int(header.group(1)), int(header.group(2))
        if n <= 0 or dim <= 0:
            raise VectorFileError(f"{path.name}: the header says {n} words of {dim} values; nothing to read.")
        body = head[len(first) + 1:]
        binary = b"\0" in body[:4096] or not _looks_textual(body)
        per_row = dim * 4 + 2 if binary else dim * 2
        if n * per_row > size:
            raise VectorFileError(f"{path.name}: the header claims {n:,} words of {dim} values, more than a "
                                  f"{size / 1e6:,.1f} MB file can hold. Refusing to allocate for it.")
        if binary:
            step(0.05, "Reading word2vec binary")
            return _read_w2v_binary(path, n, dim, len(first) + 1, step)
        return _read_text(path, skip_header=True, expect_rows=n, expect_dim=dim, step=step)
    if b"\0" in head:
        raise VectorFileError(f"{path.name} looks like a binary file, not a GloVe or word2vec file.")
    return _read_text(path, skip_header=False, expect_rows=None, expect_dim=None, step=step)


def _looks_textual(b: bytes) -> bool:
    try:
        b[:4000].decode("utf-8")
        return True
    except UnicodeDecodeError as e:
        return e.start > 3990  # cut in the middle of a character at the end of the sample


def _read_text(path: Path, *, skip_header: bool, expect_rows: int | None, expect_dim: int | None,
               step: Progress) -> tuple[list[str], np.ndarray, list[str]]:
    step(0.05, "Parsing the file")
    try:
        words, m = _read_text_fast(path, skip_header)
    except Exception:
        words, m = _read_text_careful(path, skip_header, step)
    step(0.9, "Checking the values")
    return _finish(path, words, m, expect_rows, expect_dim)


def _read_text_fast(path: Path, skip_header: bool) -> tuple[list[str], np.ndarray]:
    """pyarrow's multi-threaded CSV reader: a space-separated table of one word and ``dim`` floats.
    Raises on anything irregular, and the careful reader then names the line."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    with open(path, "rb") as f:
        if skip_header:
            f.readline()
        line = f.readline()
        offset_lines = 1 if skip_header else 0
    ncols = len(line.rstrip(b"\r\n").rstrip(b" ").split(b" "))
    if ncols < 2:
        raise ValueError("no values")
    names = ["w"] + [f"v{i}" for i in range(ncols - 1)]
    table = pcsv.read_csv(
        path,
        read_options=pcsv.ReadOptions(column_names=names, skip_rows=offset_lines, block_size=1 << 24),
        parse_options=pcsv.ParseOptions(delimiter=" ", quote_char=False, escape_char=False,
                                        double_quote=False, newlines_in_values=False, ignore_empty_lines=True),
        convert_options=pcsv.ConvertOptions(column_types={"w": pa.string(), **{n: pa.float32() for n in names[1:]}},
                                            null_values=[], strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    m = np.empty((table.num_rows, ncols - 1), dtype=np.float32)
    for j, n in enumerate(names[1:]):
        m[:, j] = table.column(n).to_numpy()
    return table.column("w").to_pylist(), m


def _read_text_careful(path: Path, skip_header: bool, step: Progress) -> tuple[list[str], np.ndarray]:
    """Line by line; handles GloVe 840B's words with spaces (the last ``dim`` fields are the vector)
    and names the first bad line."""
    words, rows, dim = [], [], None
    size = max(path.stat().st_size, 1)
    done = 0
    with open(path, "rb") as f:
        for no, raw in enumerate(f, start=1):
            done += len(raw)
            if no == 1 and skip_header:
                continue
            if no % 50_000 == 0:
                step(0.05 + 0.8 * done / size, f"Parsing line {no:,}")
            try:
                line = raw.decode("utf-8").rstrip("\r\n").rstrip(" ")
            except UnicodeDecodeError:
                raise VectorFileError(f"{path.name}, line {no}: bytes that are not UTF-8 text.") from None
            if not line.strip():
                continue
            parts = line.split(" ")
            if dim is None:
                try:
                    float(parts[1]) if len(parts) > 1 else None
                    dim = len(parts) - 1
                except ValueError:
                    raise VectorFileError(f"{path.name}, line {no}: expected a word followed by numbers.") from None
                if dim < 1:
                    raise VectorFileError(f"{path.name}, line {no}: a word with no values.")
            if len(parts) - 1 < dim:
                raise VectorFileError(f"{path.name}, line {no}: {len(parts) - 1} values where the file's "
                                      f"first line has {dim}.")
            word = " ".join(parts[: len(parts) - dim])
            try:
                rows.append(np.array(parts[len(parts) - dim:], dtype=np.float32))
            except ValueError:
                raise VectorFileError(f"{path.name}, line {no}: a value that is not a number.") from None
            if len(parts) - dim > 1 and not _word_part_is_text(parts, dim):
                raise VectorFileError(f"{path.name}, line {no}: {len(parts) - 1} values where the file's "
                                      f"first line has {dim}.")
            words.append(word)
    if not rows:
        raise VectorFileError(f"{path.name} holds no vectors.")
    return words, np.stack(rows)


def _word_part_is_text(parts: list[str], dim: int) -> bool:
    """A GloVe-840B word with spaces ends in text just before the vector; a number there means the line
    has more values than the first line."""
    try:
        float(parts[len(parts) - dim - 1])
        return False
    except ValueError:
        return True


def _read_w2v_binary(path: Path, n: int, dim: int, offset: int, step: Progress) -> tuple[list[str], np.ndarray, list[str]]:
    words = []
    m = np.empty((n, dim), dtype=np.float32)
    row_bytes = dim * 4
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read()
    pos = 0
    for i in range(n):
        while pos < len(data) and data[pos:pos + 1] in (b"\n", b" "):
            pos += 1
        sp = data.find(b" ", pos)
        if sp < 0 or sp + 1 + row_bytes > len(data):
            raise VectorFileError(f"{path.name}: the header says {n:,} words but the file ends after {i:,}.")
        try:
            words.append(data[pos:sp].decode("utf-8"))
        except UnicodeDecodeError:
            raise VectorFileError(f"{path.name}, word {i + 1}: bytes that are not UTF-8 text.") from None
        m[i] = np.frombuffer(data, dtype="<f4", count=dim, offset=sp + 1)
        pos = sp + 1 + row_bytes
        if i % 50_000 == 0:
            step(0.05 + 0.8 * i / n, f"Reading word {i:,} of {n:,}")
    return _finish(path, words, m, n, dim)


def _finish(path: Path, words: list[str], m: np.ndarray, expect_rows, expect_dim) -> tuple[list[str], np.ndarray, list[str]]:
    notes = []
    if expect_dim is not None and m.shape[1] != expect_dim:
        raise VectorFileError(f"{path.name}: the header says {expect_dim} values per word, the lines have {m.shape[1]}.")
    if expect_rows is not None and len(words) != expect_rows:
        if len(words) < expect_rows:
            raise VectorFileError(f"{path.name}: the header says {expect_rows:,} words but the file holds {len(words):,}.")
        notes.append(f"The header says {expect_rows:,} words; the file holds {len(words):,}.")
    bad = ~np.isfinite(m).all(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        line = i + 1 + (1 if expect_rows is not None else 0)
        raise VectorFileError(f"{path.name}, line {line} ('{words[i]}'): NaN or infinite values.")
    seen: dict[str, int] = {}
    dup = 0
    for w in words:
        if w in seen:
            dup += 1
        seen.setdefault(w, 0)
    if dup:
        notes.append(f"{dup:,} duplicate words; the first vector of each is used.")
    m.setflags(write=False)
    return list(words), m, notes


# ---------------------------------------------------------------- download

def download_glove(url: str = GLOVE_6B_URL, *, member: str = "glove.6B.100d.txt", dest_dir: Path | None = None,
                   progress: Progress | None = None, timeout: float = 30.0) -> Path:
    """Download a GloVe zip archive and extract ``member`` into the user cache folder.

    Only ``http``/``https`` addresses are fetched. Returns the extracted file's path (skips the
    download when it is already there)."""
    if not url.lower().startswith(("http://", "https://")):
        raise InputError("Only http and https addresses can be downloaded.")
    step = progress or (lambda f, m: None)
    dest_dir = dest_dir or cache_dir() / "glove"
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / Path(member).name
    if target.exists():
        return target
    archive = dest_dir / (Path(url).name or "glove.zip")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            total = int(r.headers.get("Content-Length") or 0)

            def copy(f):
                got = 0
                while chunk := r.read(1 << 20):
                    f.write(chunk)
                    got += len(chunk)
                    step(0.9 * got / total if total else 0.0, f"Downloaded {got / 1e6:,.1f} MB" + (f" of {total / 1e6:,.1f} MB" if total else ""))

            _atomic_write(archive, copy)
    except OSError as e:
        raise InputError(f"Could not download {url}: {getattr(e, 'reason', e)}. Is this machine online?") from e
    step(0.92, f"Extracting {member}")
    try:
        with zipfile.ZipFile(archive) as z:
            if member not in z.namelist():
                raise InputError(f"The archive has no {member}; it holds {', '.join(z.namelist()[:6])}.")
            with z.open(member) as src:
                _atomic_write(target, lambda f: shutil.copyfileobj(src, f, 1 << 20))
    except zipfile.BadZipFile as e:
        archive.unlink(missing_ok=True)
        raise InputError("The download is not a valid zip archive.") from e
    step(1.0, "Done")
    return target


def write_word2vec_binary(path: Path, words: list[str], m: np.ndarray) -> None:
    """Write ``words`` and ``m`` in word2vec's binary format (handy for tests and exports)."""
    with open(path, "wb") as f:
        f.write(f"{len(words)} {m.shape[1]}\n".encode())
        for w, row in zip(words, np.asarray(m, dtype="<f4")):
            f.write(w.encode() + b" " + row.tobytes() + b"\n")


def write_glove(path: Path, words: list[str], m: np.ndarray, *, header: bool = False) -> None:
    """Write ``words`` and ``m`` as GloVe text (or word2vec text with ``header=True``)."""
    with open(path, "w", encoding="utf-8") as f:
        if header:
            f.write(f"{len(words)} {m.shape[1]}\n")
        for w, row in zip(words, m):
            f.write(w + " " + " ".join(f"{x:.5f}" for x in row) + "\n")

