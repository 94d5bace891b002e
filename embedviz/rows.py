"""A user's corpus, read: rows from CSV, TSV, parquet, JSON lines or plain text, streamed in chunks so
a file of any size is never in memory whole, each row cut to a bounded length, and what was left out or
mended counted so that it can be said.

>>> import embedviz as ev
>>> rows = ev.read_corpus_text(["A first row.", "", "A second row."])
>>> rows.texts, rows.empty
(['A first row.', 'A second row.'], 1)
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import limits
from .cache import memoize
from .errors import InputError
from .tokens import INVISIBLE

FORMATS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "text"}


@dataclass
class Rows:
    """Rows read from a corpus: ``texts`` (non-empty), ``labels`` (or None), and what was left out
    or mended: ``empty`` rows skipped, ``invisible`` (numbers of rows holding only invisible
    characters, also skipped), ``replaced`` rows whose bytes were not UTF-8, ``long`` rows cut to
    :data:`~embedviz.limits.MAX_ROW_CHARS` characters; ``vectors``: the rows' own vectors
    ``[len(texts), width]`` float32, when they brought them (a vector column, or a ``.npy`` beside the
    file), else None."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] | None = None
    empty: int = 0
    replaced: int = 0
    columns: list[str] = field(default_factory=list)
    invisible: list[int] = field(default_factory=list)
    long: int = 0
    extra: dict[str, list] = field(default_factory=dict)  # kept columns (``keep_columns``): name -> one value a row
    vectors: np.ndarray | None = None


def file_kind(name: str) -> str:
    """The format of a corpus file by its name: csv, parquet, jsonl or text, or a message naming those."""
    kind = FORMATS.get(Path(name).suffix.lower())
    if kind is None:
        raise InputError(f"{Path(name).name}: a corpus is a .csv, .tsv, .parquet, .jsonl or .txt file (one row per line).")
    return kind


def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


def _looks_binary(head: bytes, name: str) -> None:
    if b"\0" in head[:8192]:
        raise InputError(f"{Path(name).name} holds binary data (zero bytes near its start), not text; save it as a "
                         "UTF-8 .csv, .jsonl or .txt file (or give a .parquet file its .parquet name).")


def iter_rows(source: str | os.PathLike | bytes, *, name: str | None = None, text_column: str | None = None,
              label_column: str | None = None, chunk_rows: int = 10_000, max_bytes: int | None = None,
              keep_columns: tuple[str, ...] = (), vector_column: str | None = None,
              vectors: np.ndarray | None = None) -> Iterator[Rows]:
    """The rows of a corpus file (or its bytes, with ``name`` for its format), ``chunk_rows`` at a time,
    streamed: a file of any size is never in memory whole, and each row is cut to
    :data:`~embedviz.limits.MAX_ROW_CHARS` characters as it is read. ``text_column``: the column to
    embed (required for CSV, parquet and JSON lines; plain text has one row per line). ``max_bytes``:
    refuse a file whose text, once decoded (decompressed, dictionary entries expanded), is larger.
    ``keep_columns``: other columns whose values each row carries along (``Rows.extra``), as text.
    The rows' own vectors, if they bring them (``Rows.vectors``): ``vector_column``, a parquet column of
    a list of numbers a row, or ``vectors``, an array of one row per input row (empty rows included),
    as :func:`vectors_beside` reads it."""
    name = name or str(source)
    kind = file_kind(name)
    own = _OwnVectors(vectors, f"{Path(name).with_suffix('.npy').name}" if vectors is not None else
                      f"column {vector_column!r}", Path(name).name)
    if kind == "parquet":
        yield from _parquet_rows(source, text_column, label_column, chunk_rows, max_bytes, name, keep_columns,
                                 vector_column, own)
        return
    if vector_column:
        raise InputError(f"A column of vectors is read from a .parquet file (a list of numbers a row); for "
                         f"{Path(name).name}, save its vectors as {Path(name).with_suffix('.npy').name} beside it.")
    raw = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
    with raw:
        _looks_binary(raw.read(8192), name)
        raw.seek(0)
        budget = _Budget(max_bytes, name)
        lines = (_decode(budget.take(b)) for b in raw)
        if kind == "text":
            if keep_columns:
                raise InputError("A plain text file has no other columns to keep.")
            yield from _chunks(((t.rstrip("\r\n"), None, bad) for t, bad in lines), chunk_rows, [], own=own)
        elif kind == "jsonl":
            yield from _jsonl_rows(lines, text_column, label_column, chunk_rows, keep_columns, own)
        else:
            yield from _csv_rows(lines, text_column, label_column, chunk_rows, "\t" if name.lower().endswith(".tsv") else ",",
                                 keep_columns, own)


class _Budget:
    """Counts the bytes a reader decodes; past ``limit``, a message that says what to do."""

    def __init__(self, limit: int | None, name: str):
        self.limit, self.name, self.used = limit, Path(name).name, 0

    def take(self, data, n: int | None = None):
        self.used += len(data) if n is None else n
        if self.limit is not None and self.used > self.limit:
            raise InputError(f"{self.name} holds more than {self.limit / 2**20:,.0f} MB of text once decoded, more than the "
                             "app reads; map it with the batch job instead: python -m embedviz map FILE --out DIR.")
        return data


def cut_row(text: str) -> tuple[str, bool]:
    """``text`` cut to :data:`~embedviz.limits.MAX_ROW_CHARS` characters, and whether it was cut."""
    return (text, False) if len(text) <= limits.MAX_ROW_CHARS else (text[:limits.MAX_ROW_CHARS], True)


def _chunks(items, chunk_rows: int, columns: list[str], keep: tuple[str, ...] = (),
            own: _OwnVectors | None = None) -> Iterator[Rows]:
    """Rows from ``items`` of (text, label, bytes replaced), then optionally the ``keep`` columns' values
    and the row's vector, ``chunk_rows`` at a time, with their own vectors (an item's, or ``own``'s)
    checked on the way."""
    own = own or _OwnVectors(None, "", "")
    rows, kept = Rows(columns=columns), []
    n = 0
    for n, (text, label, bad, *more) in enumerate(items, 1):
        extra, vec = (more[0] if more else ()), more[1:2]
        text, long = cut_row(text or "")
        text = text.strip()
        if not text:
            rows.empty += 1
            continue
        if not INVISIBLE.sub("", text):
            rows.invisible.append(n)
            continue
        rows.texts.append(text)
        rows.replaced += bad
        rows.long += long
        if label is not None:
            rows.labels = rows.labels if rows.labels is not None else []
            rows.labels.append(cut_row(str(label))[0])
        for c, v in zip(keep, extra):
            rows.extra.setdefault(c, []).append(None if v is None else cut_row(str(v))[0])
        if vec or own.array is not None:
            kept.append((n, vec[0] if vec else own.row(n)))
        if len(rows.texts) >= chunk_rows:
            yield own.attach(rows, kept)
            rows, kept = Rows(columns=columns), []
    own.end(n)
    if rows.texts or rows.empty or rows.invisible:
        yield own.attach(rows, kept)


class _OwnVectors:
    """The checks on vectors a corpus brings: one vector a row, all of one length, finite numbers; a
    ``.npy``'s rows matched to the input's, one for one. Each failure is a sentence naming the row."""

    def __init__(self, array: np.ndarray | None, where: str, name: str):
        self.array, self.where, self.name, self.width = array, where, name, None

    def row(self, n: int) -> np.ndarray:
        if n > len(self.array):
            raise InputError(f"{self.name} has more rows than {self.where} ({len(self.array):,}): it needs one vector "
                             "per row of the input, empty rows included.")
        return self.array[n - 1]

    def end(self, n: int) -> None:
        if self.array is not None and n != len(self.array):
            raise InputError(f"{self.where} has {len(self.array):,} rows and {self.name} {n:,}: it needs one vector "
                             "per row of the input, empty rows included.")

    def attach(self, rows: Rows, kept: list) -> Rows:
        if not kept:
            return rows
        for n, v in kept:
            width = np.shape(v)[0]
            if not width:
                raise InputError(f"Row {n:,}'s vector ({self.where}) is empty; every row needs a vector of numbers.")
            self.width = self.width or width
            if width != self.width:
                raise InputError(f"Row {n:,}'s vector ({self.where}) has {width:,} number{'s' * (width != 1)} and the first row's has "
                                 f"{self.width:,}: every vector must have the same length.")
        vecs = np.asarray(np.stack([v for _, v in kept]), dtype=np.float32)
        finite = np.isfinite(vecs).all(axis=1)
        if not finite.all():
            raise InputError(f"Row {kept[int(np.argmin(finite))][0]:,}'s vector ({self.where}) holds NaN, infinity, "
                             "an empty value or a number too large for float32; every number of a vector must be finite.")
        rows.vectors = vecs
        return rows


def vectors_beside(path: str | os.PathLike) -> np.ndarray:
    """The vectors in the ``.npy`` beside a corpus file, named like it (``tickets.csv`` ->
    ``tickets.npy``): ``[input rows, width]`` numbers, memory-mapped, never unpickled."""
    npy = Path(path).with_suffix(".npy")
    try:
        arr = np.load(npy, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        raise InputError(f"There is no {npy.name} beside {Path(path).name}: save the vectors there, one row per input "
                         "row (numpy.save).") from None
    except (ValueError, OSError) as e:
        raise InputError(f"{npy.name} is not a .npy array of numbers numpy can read without unpickling "
                         f"({str(e)[:120]}); save it with numpy.save from a float array.") from None
    if arr.ndim != 2 or arr.dtype.kind not in "fiu":
        raise InputError(f"{npy.name} holds an array of {arr.dtype} of shape {arr.shape}; it must be numbers, one row "
                         "per input row: [rows, width].")
    return arr


def _need(column: str | None, columns: list[str], what: str = "text") -> str:
    if column is None:
        raise InputError(f"Choose the {what} column: one of {', '.join(map(str, columns[:20]))}.")
    if column not in columns:
        raise InputError(f"There is no column {column!r}; the columns are: {', '.join(map(str, columns[:20]))}.")
    return column


def _csv_rows(lines, text_column, label_column, chunk_rows, delimiter, keep=(), own=None) -> Iterator[Rows]:
    flags = []

    def text_lines():
        for t, bad in lines:
            flags.append(bad)
            yield t

    reader = csv.reader(text_lines(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("The file is empty.") from None
    except csv.Error as e:
        raise InputError(f"The first line (the header) is not readable CSV: {e}. Save the file as UTF-8 CSV with a "
                         "header line naming its columns.") from None
    t = header.index(_need(text_column, header))
    lab = header.index(_need(label_column, header, "label")) if label_column else None
    kept = [header.index(_need(c, header, "kept")) for c in keep]

    def items():
        try:
            for row in reader:
                bad = any(flags)
                flags.clear()
                yield (row[t] if t < len(row) else ""), (row[lab] if lab is not None and lab < len(row) else None), bad, \
                    [row[k] if k < len(row) else None for k in kept]
        except csv.Error as e:
            raise InputError(f"CSV line {reader.line_num}: {e}. Fix that line (a quote left open, or a field over "
                             f"{csv.field_size_limit():,} characters) and upload the file again.") from None

    yield from _chunks(items(), chunk_rows, header, tuple(keep), own)


def _jsonl_rows(lines, text_column, label_column, chunk_rows, keep=(), own=None) -> Iterator[Rows]:
    seen: list[str] = []

    def items():
        for n, (line, bad) in enumerate(lines, 1):
            if not line.strip():
                yield "", None, False
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"JSON line {n} is not JSON: {e.msg}. Each line of a .jsonl file is one object, "
                                 'such as {"text": "A row."}.') from None
            except RecursionError:
                raise InputError(f"JSON line {n} is nested too deeply to read.") from None
            if not isinstance(obj, dict):
                raise InputError(f"JSON line {n} is a JSON {type(obj).__name__.replace('dict', 'object')}, not an object "
                                 'with named fields; each line of a .jsonl file is one object, such as {"text": "A row."}.')
            if not seen:
                seen.extend(obj)
                _need(text_column, seen)
                if label_column:
                    _need(label_column, seen, "label")
                for c in keep:
                    _need(c, seen, "kept")
            value = obj.get(text_column)
            label = obj.get(label_column) if label_column else None
            yield (value if isinstance(value, str) else "" if value is None else json.dumps(value)), label, bad, \
                [obj.get(c) for c in keep]

    yield from _chunks(items(), chunk_rows, seen, tuple(keep), own)


def _parquet_file(source, name: str, read_dictionary=None):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(io.BytesIO(source) if isinstance(source, bytes) else source, read_dictionary=read_dictionary)
    except Exception as e:  # noqa: BLE001 - Arrow's errors are many; say it in words
        raise InputError(f"{Path(name).name} is not a readable parquet file ({str(e)[:120]}); write it again with "
                         "pandas' to_parquet or pyarrow, or save it as CSV.") from None


def _parquet_rows(source, text_column, label_column, chunk_rows, max_bytes, name, keep=(), vector_column=None,
                  own=None) -> Iterator[Rows]:
    import pyarrow as pa
    import pyarrow.compute as pc

    f = _parquet_file(source, name)
    columns = f.schema_arrow.names
    cols = [_need(text_column, columns)] + ([_need(label_column, columns, "label")] if label_column else [])
    cols += [_need(c, columns, "kept") for c in keep]
    if vector_column:
        _vector_type(f.schema_arrow.field(_need(vector_column, columns, "vectors")).type, vector_column)
    strings = [c for c in cols if pa.types.is_string(f.schema_arrow.field(c).type)
               or pa.types.is_large_string(f.schema_arrow.field(c).type)]
    # String columns stay dictionary-encoded as they are read: a repeated long value is cut once, and
    # never expanded to every row at full length (833 bytes on disk can be 2 GB decoded).
    f = _parquet_file(source, name, read_dictionary=strings)
    budget = _Budget(max_bytes, name)
    meta = f.metadata
    for rg in range(meta.num_row_groups):  # plain-encoded pages: their decompressed size, before reading them
        group = meta.row_group(rg)
        for c in range(group.num_columns):
            col = group.column(c)
            if col.path_in_schema in strings and "PLAIN_DICTIONARY" not in col.encodings \
                    and "RLE_DICTIONARY" not in col.encodings:
                budget.take(b"", col.total_uncompressed_size)

    def column(batch, i):
        arr = batch.column(i)
        if not pa.types.is_dictionary(arr.type):
            return [None if v is None else str(v) for v in arr.to_pylist()]
        values = arr.dictionary
        lengths = pc.binary_length(values).to_numpy(zero_copy_only=False)
        idx = arr.indices.to_numpy(zero_copy_only=False)
        valid = arr.is_valid().to_numpy(zero_copy_only=False)
        budget.take(b"", int(lengths[idx[valid]].sum()))
        short = pc.utf8_slice_codeunits(values, 0, limits.MAX_ROW_CHARS + 1).to_pylist()
        return [short[j] if ok else None for j, ok in zip(idx, valid)]

    def items():
        first = 1
        for batch in f.iter_batches(batch_size=max(1, min(chunk_rows, 256)),  # 256 rows decoded at a time
                                    columns=cols + ([vector_column] if vector_column else [])):
            texts = column(batch, 0)
            labels = column(batch, 1) if label_column else [None] * len(texts)
            start = 2 if label_column else 1
            kept = list(zip(*[column(batch, start + j) for j in range(len(keep))])) if keep else [()] * len(texts)
            if vector_column:
                vecs = _vector_rows(batch.column(len(cols)), vector_column, first)
                yield from ((t if t is not None else "", lab, False, k, v) for t, lab, k, v in zip(texts, labels, kept, vecs))
            else:
                yield from ((t if t is not None else "", lab, False, k) for t, lab, k in zip(texts, labels, kept))
            first += len(texts)

    yield from _chunks(items(), chunk_rows, columns, tuple(keep), own)


def _vector_type(typ, column: str) -> None:
    import pyarrow as pa

    if not (pa.types.is_list(typ) or pa.types.is_large_list(typ) or pa.types.is_fixed_size_list(typ)):
        raise InputError(f"Column {column!r} holds {typ}, not vectors: a vector column holds a list of numbers a row.")
    if not (pa.types.is_floating(typ.value_type) or pa.types.is_integer(typ.value_type)):
        raise InputError(f"Column {column!r} holds lists of {typ.value_type}, not numbers: a vector column holds a "
                         "list of numbers a row.")


def _vector_rows(arr, column: str, first: int) -> list[np.ndarray]:
    """A parquet batch's vector column as one array per row (rows numbered from ``first``); a row
    without a vector is a sentence."""
    import pyarrow.compute as pc

    if arr.null_count:
        n = first + int(np.argmax(~arr.is_valid().to_numpy(zero_copy_only=False)))
        raise InputError(f"Row {n:,} has no vector in column {column!r}; every row needs one.")
    ends = np.cumsum(pc.list_value_length(arr).to_numpy(zero_copy_only=False))
    values = np.asarray(arr.flatten().to_numpy(zero_copy_only=False), dtype=np.float64)  # a null number: NaN
    return np.split(values, ends[:-1]) if len(arr) else []


def columns_of(data: bytes | str | os.PathLike, name: str | None = None) -> list[str]:
    """The column names of a corpus file's bytes, or of the file at a path ([] for plain text)."""
    if not isinstance(data, bytes):
        name = name or str(data)
        if file_kind(name) != "parquet":
            with open(data, "rb") as f:
                data = f.read(8192) + f.readline()  # the header line (and a little more)
    kind = file_kind(name)
    if kind == "text":
        _looks_binary(data, name)
        return []
    if kind == "parquet":
        return [str(c) for c in _parquet_file(data, name).schema_arrow.names]
    _looks_binary(data, name)
    first = _decode(data.split(b"\n", 1)[0])[0]
    if kind == "jsonl":
        try:
            obj = json.loads(first)
        except (json.JSONDecodeError, RecursionError):
            raise InputError(f"The first line of {Path(name).name} is not JSON; each line of a .jsonl file is one "
                             'object, such as {"text": "A row."}.') from None
        if not isinstance(obj, dict):
            raise InputError(f"The first line of {Path(name).name} is a JSON {type(obj).__name__.replace('dict', 'object')}, "
                             'not an object with named fields; each line of a .jsonl file is one object, such as '
                             '{"text": "A row."}.')
        return [str(k) for k in obj]
    try:
        return next(csv.reader([first], delimiter="\t" if name.lower().endswith(".tsv") else ","), [])
    except csv.Error as e:
        raise InputError(f"The first line (the header) of {Path(name).name} is not readable CSV: {e}.") from None


def _number(value) -> bool:
    if value is None or isinstance(value, (int, float)):
        return True
    try:
        float(str(value).strip() or "nan")
        return True
    except ValueError:
        return False


def text_columns(data: bytes, name: str, *, sample: int = 200) -> list[str]:
    """The columns of a corpus file's bytes that hold text: those with a value, among the first
    ``sample`` rows, that is not a number (a column of ids or scores is not text to embed; parquet: its
    string columns). [] for plain text, whose lines are the rows. A file with columns but none of text
    is an :class:`InputError` that says so."""
    columns = columns_of(data, name)
    kind = file_kind(name)
    if kind == "text":
        return []
    if kind == "parquet":
        import pyarrow as pa

        schema = _parquet_file(data, name).schema_arrow
        found = [str(c) for c, t in zip(schema.names, schema.types) if pa.types.is_string(t)
                 or pa.types.is_large_string(t) or (pa.types.is_dictionary(t) and pa.types.is_string(t.value_type))]
    else:
        head = data.split(b"\n", sample + 1)[:sample + 1]
        if kind == "jsonl":
            objs = []
            for line in head:
                try:
                    obj = json.loads(_decode(line)[0])
                except (json.JSONDecodeError, RecursionError):
                    continue
                objs += [obj] if isinstance(obj, dict) else []
            found = [c for c in columns if any(not _number(o.get(c)) for o in objs)]
        else:
            try:
                rows = list(csv.reader((_decode(b)[0] for b in head), delimiter="\t" if name.lower().endswith(".tsv") else ","))[1:]
            except csv.Error:
                rows = []
            found = [c for i, c in enumerate(columns) if any(i < len(r) and not _number(r[i]) for r in rows)]
    if columns and not found:
        raise InputError(f"{Path(name).name} has no column of text: its columns ({', '.join(map(str, columns[:20]))}) "
                         "hold only numbers" + (" or nothing" if kind != "parquet" else "") + ". A map embeds a column of "
                         "text (a sentence, a title, a ticket a row); add one, or choose another file.")
    return found


@memoize(maxsize=4)
def read_corpus(data: bytes, name: str, *, text_column: str | None = None, label_column: str | None = None,
                max_rows: int = limits.MAX_CORPUS_ROWS, max_bytes: int = limits.MAX_CORPUS_BYTES,
                vector_column: str | None = None, keep_columns: tuple[str, ...] = (), min_rows: int = 1) -> Rows:
    """All the rows of an uploaded corpus, for the app: at most ``max_rows`` rows and ``max_bytes`` of
    decoded text, or a message that says to use the batch job. ``vector_column``: a parquet column of
    the rows' own vectors (``Rows.vectors``, used instead of embedding). ``keep_columns``: other columns
    carried along (``Rows.extra``). Fewer than ``min_rows`` rows (a map needs
    :data:`~embedviz.limits.MIN_MAP_ROWS`) is a message. Memoised (by a digest of the
    bytes): a rerun of the page does not parse the file again."""
    out = Rows()
    seen = 0
    vectors = []
    for chunk in iter_rows(data, name=name, text_column=text_column, label_column=label_column, max_bytes=max_bytes,
                           vector_column=vector_column, keep_columns=tuple(keep_columns)):
        vectors += [chunk.vectors] if chunk.vectors is not None else []
        for c in keep_columns:
            out.extra.setdefault(c, []).extend(chunk.extra.get(c, []))
        out.texts += chunk.texts
        out.empty += chunk.empty
        out.replaced += chunk.replaced
        out.long += chunk.long
        out.invisible += [seen + n for n in chunk.invisible]
        seen += len(chunk.texts) + chunk.empty + len(chunk.invisible)
        out.columns = chunk.columns
        if chunk.labels is not None:
            out.labels = (out.labels or []) + chunk.labels
        if len(out.texts) > max_rows or seen > 5 * max_rows:
            raise InputError(f"{name} has more than {max_rows:,} rows, more than the app embeds; map it with the batch "
                             f"job instead: python -m embedviz map {name} --text-column {text_column or 'TEXT'} --out DIR")
    if not out.texts:
        raise InputError(f"{name} has no non-empty rows to embed" + (f" in column {text_column!r}" if text_column else "")
                         + "; choose another column, or a file with text in it.")
    if len(out.texts) < min_rows:
        raise InputError(f"{name} has {len(out.texts):,} non-empty row{'s' * (len(out.texts) != 1)}"
                         + (f" in column {text_column!r}" if text_column else "")
                         + f"; a map needs at least {min_rows:,}: a map of fewer has no shape to show.")
    if vectors:
        out.vectors = np.concatenate(vectors)
        out.vectors.setflags(write=False)  # memoised: every session shares it
    return out


def read_corpus_text(lines: list[str]) -> Rows:
    """Rows from a list of strings (empty ones skipped and counted)."""
    return next(_chunks(((t, None, False) for t in lines), len(lines) + 1, []), Rows())


def rows_note(rows: Rows) -> list[str]:
    """What was left out or mended while reading, in words (one phrase each)."""
    notes = [f"{rows.empty:,} empty rows skipped"] if rows.empty else []
    if rows.invisible:
        first = ", ".join(f"{n:,}" for n in rows.invisible[:5]) + (" …" if len(rows.invisible) > 5 else "")
        notes.append(f"{len(rows.invisible):,} rows holding only invisible characters (zero-width spaces, direction "
                     f"marks) skipped: row {first}")
    if rows.long:
        notes.append(f"{rows.long:,} rows over {limits.MAX_ROW_CHARS:,} characters cut to that length")
    if rows.replaced:
        notes.append(f"{rows.replaced:,} rows had bytes that are not UTF-8 (replaced by \ufffd)")
    return notes
