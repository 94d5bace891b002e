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
    :data:`~embedviz.limits.MAX_ROW_CHARS` characters."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] | None = None
    empty: int = 0
    replaced: int = 0
    columns: list[str] = field(default_factory=list)
    invisible: list[int] = field(default_factory=list)
    long: int = 0
    extra: dict[str, list] = field(default_factory=dict)  # kept columns (``keep_columns``): name -> one value a row


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
              keep_columns: tuple[str, ...] = ()) -> Iterator[Rows]:
    """The rows of a corpus file (or its bytes, with ``name`` for its format), ``chunk_rows`` at a time,
    streamed: a file of any size is never in memory whole, and each row is cut to
    :data:`~embedviz.limits.MAX_ROW_CHARS` characters as it is read. ``text_column``: the column to
    embed (required for CSV, parquet and JSON lines; plain text has one row per line). ``max_bytes``:
    refuse a file whose text, once decoded (decompressed, dictionary entries expanded), is larger.
    ``keep_columns``: other columns whose values each row carries along (``Rows.extra``), as text."""
    name = name or str(source)
    kind = file_kind(name)
    if kind == "parquet":
        yield from _parquet_rows(source, text_column, label_column, chunk_rows, max_bytes, name, keep_columns)
        return
    raw = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
    with raw:
        _looks_binary(raw.read(8192), name)
        raw.seek(0)
        budget = _Budget(max_bytes, name)
        lines = (_decode(budget.take(b)) for b in raw)
        if kind == "text":
            if keep_columns:
                raise InputError("A plain text file has no other columns to keep.")
            yield from _chunks(((t.rstrip("\r\n"), None, bad) for t, bad in lines), chunk_rows, [])
        elif kind == "jsonl":
            yield from _jsonl_rows(lines, text_column, label_column, chunk_rows, keep_columns)
        else:
            yield from _csv_rows(lines, text_column, label_column, chunk_rows, "\t" if name.lower().endswith(".tsv") else ",",
                                 keep_columns)


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


def _chunks(items, chunk_rows: int, columns: list[str], keep: tuple[str, ...] = ()) -> Iterator[Rows]:
    rows = Rows(columns=columns)
    for n, (text, label, bad, *extra) in enumerate(items, 1):
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
        for c, v in zip(keep, extra[0] if extra else ()):
            rows.extra.setdefault(c, []).append(None if v is None else cut_row(str(v))[0])
        if len(rows.texts) >= chunk_rows:
            yield rows
            rows = Rows(columns=columns)
    if rows.texts or rows.empty or rows.invisible:
        yield rows


def _need(column: str | None, columns: list[str], what: str = "text") -> str:
    if column is None:
        raise InputError(f"Choose the {what} column: one of {', '.join(map(str, columns[:20]))}.")
    if column not in columns:
        raise InputError(f"There is no column {column!r}; the columns are: {', '.join(map(str, columns[:20]))}.")
    return column


def _csv_rows(lines, text_column, label_column, chunk_rows, delimiter, keep=()) -> Iterator[Rows]:
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

    yield from _chunks(items(), chunk_rows, header, tuple(keep))


def _jsonl_rows(lines, text_column, label_column, chunk_rows, keep=()) -> Iterator[Rows]:
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

    yield from _chunks(items(), chunk_rows, seen, tuple(keep))


def _parquet_file(source, name: str, read_dictionary=None):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(io.BytesIO(source) if isinstance(source, bytes) else source, read_dictionary=read_dictionary)
    except Exception as e:  # noqa: BLE001 - Arrow's errors are many; say it in words
        raise InputError(f"{Path(name).name} is not a readable parquet file ({str(e)[:120]}); write it again with "
                         "pandas' to_parquet or pyarrow, or save it as CSV.") from None


def _parquet_rows(source, text_column, label_column, chunk_rows, max_bytes, name, keep=()) -> Iterator[Rows]:
    import pyarrow as pa
    import pyarrow.compute as pc

    f = _parquet_file(source, name)
    columns = f.schema_arrow.names
    cols = [_need(text_column, columns)] + ([_need(label_column, columns, "label")] if label_column else [])
    cols += [_need(c, columns, "kept") for c in keep]
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
        for batch in f.iter_batches(batch_size=max(1, min(chunk_rows, 256)), columns=cols):  # 256 rows decoded at a time
            texts = column(batch, 0)
            labels = column(batch, 1) if label_column else [None] * len(texts)
            first = 2 if label_column else 1
            kept = list(zip(*[column(batch, first + j) for j in range(len(keep))])) if keep else [()] * len(texts)
            yield from ((t if t is not None else "", lab, False, k) for t, lab, k in zip(texts, labels, kept))

    yield from _chunks(items(), chunk_rows, columns, tuple(keep))


def columns_of(data: bytes, name: str) -> list[str]:
    """The column names of a corpus file's bytes ([] for plain text)."""
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


@memoize(maxsize=4)
def read_corpus(data: bytes, name: str, *, text_column: str | None = None, label_column: str | None = None,
                max_rows: int = limits.MAX_CORPUS_ROWS, max_bytes: int = limits.MAX_CORPUS_BYTES) -> Rows:
    """All the rows of an uploaded corpus, for the app: at most ``max_rows`` rows and ``max_bytes`` of
    decoded text, or a message that says to use the batch job. Memoised (by a digest of the bytes):
    a rerun of the page does not parse the file again."""
    out = Rows()
    seen = 0
    for chunk in iter_rows(data, name=name, text_column=text_column, label_column=label_column, max_bytes=max_bytes):
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
