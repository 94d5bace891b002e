"""A user's corpus: reading every format, bad rows counted, the batch job (resumable, streamed), the same
vectors in process and on a real local Ray, the saved map, search by meaning and named clusters. The
corpus is real text nobody here wrote: the standard library's docstrings."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import embedviz as ev
from embedviz import examples as ex

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """200 standard-library docstrings as a CSV file, and its rows."""
    data = ex.docstring_corpus(200)
    path = tmp_path_factory.mktemp("corpus") / "docs.csv"
    path.write_bytes(data)
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    return path, rows


def test_every_format_reads_the_same_rows(docs, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path, rows = docs
    texts = [r["text"] for r in rows]
    got = ev.read_corpus(path.read_bytes(), "docs.csv", text_column="text", label_column="module")
    assert got.texts == texts and got.labels == [r["module"] for r in rows]
    pq.write_table(pa.table({"text": texts, "module": [r["module"] for r in rows]}), tmp_path / "docs.parquet")
    (tmp_path / "docs.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (tmp_path / "docs.txt").write_text("\n".join(texts) + "\n")
    for name in ("docs.parquet", "docs.jsonl"):
        r = ev.read_corpus((tmp_path / name).read_bytes(), name, text_column="text", label_column="module")
        assert r.texts == texts and r.labels == got.labels
    assert ev.read_corpus((tmp_path / "docs.txt").read_bytes(), "docs.txt").texts == texts
    assert ev.columns_of((tmp_path / "docs.parquet").read_bytes(), "docs.parquet") == ["text", "module"]
    # streamed in chunks: the same rows
    chunks = list(ev.iter_rows(path, text_column="text", chunk_rows=64))
    assert [len(c.texts) for c in chunks] == [64, 64, 64, 8] and sum((c.texts for c in chunks), []) == texts


def test_bad_rows_are_counted_not_fatal(tmp_path):
    data = b'text,label\n"A good row.",a\n,b\n"   ",c\n"Caf\xe9 au lait, in Latin-1 bytes.",d\n"' + b"word " * 600 + b'",e\n'
    r = ev.read_corpus(data, "mixed.csv", text_column="text", label_column="label")
    assert len(r.texts) == 3 and r.empty == 2 and r.replaced == 1 and "Caf\ufffd" in r.texts[1]
    enc = ev.load_encoder()
    _, cut = ev.embed_rows(enc, r.texts)
    assert cut == 1  # the 600-word row was longer than the model reads: cut, and counted


@pytest.mark.parametrize("data, name, column, message", [
    (b"text,label\nA row.,x\n", "a.csv", "body", "There is no column 'body'; the columns are: text, label"),
    (b"text,label\nA row.,x\n", "a.csv", None, "Choose the text column"),
    (b'{"text": "A row."}\n{not json\n', "a.jsonl", "text", "JSON line 2 is not JSON"),
    (b"text\n\n  \n", "a.csv", "text", "no non-empty rows"),
    (b"some bytes", "a.docx", "text", "a corpus is a .csv"),
    (b"not parquet", "a.parquet", "text", "Not a readable parquet file"),
])
def test_bad_corpus_files_say_why(data, name, column, message):
    with pytest.raises(ev.InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ev.read_corpus(data, name, text_column=column)


def test_a_file_too_large_for_the_app_points_to_the_batch_job():
    data = b"text\n" + b"".join(f"Row number {i}.\n".encode() for i in range(25))
    with pytest.raises(ev.InputError, match=r"more than 20 rows.*python -m embedviz map big.csv --text-column text"):
        ev.read_corpus(data, "big.csv", text_column="text", max_rows=20)


def test_the_batch_job_resumes_and_streams(docs, tmp_path):
    path, rows = docs
    out = tmp_path / "job"
    seen = []
    ev.map_corpus(path, out, text_column="text", label_column="module", chunk_rows=80, progress=lambda f, m: seen.append(m))
    chunks = sorted((out / "chunks").glob("*.npz"))
    assert len(chunks) == 3 and not list(out.glob("*.tmp"))
    first = ev.open_map(out)
    assert len(first.texts) == len(rows) and first.coords.shape == (len(rows), 2)
    assert first.texts == [r["text"] for r in rows] and first.labels == [r["module"] for r in rows]
    assert first.about["rows"] == len(rows) and first.about["engine"] == "local"
    # the same vectors as embedding the rows directly
    direct, _ = ev.embed_rows(ev.load_encoder(), first.texts)
    assert np.allclose(np.asarray(first.vectors), direct, atol=1e-5)
    # a rerun skips finished chunks; a lost chunk is done again
    chunks[1].unlink()
    seen.clear()
    ev.map_corpus(path, out, text_column="text", label_column="module", chunk_rows=80, progress=lambda f, m: seen.append(m))
    assert sum("done before, skipped" in m for m in seen) == 2
    again = ev.open_map(out)
    assert np.array_equal(np.asarray(again.vectors), np.asarray(first.vectors)) and np.allclose(again.coords, first.coords)


@pytest.mark.slow
def test_the_command_line(docs, tmp_path):
    path, rows = docs
    out = tmp_path / "cli"
    run = subprocess.run([sys.executable, "-m", "embedviz", "map", str(path), "--text-column", "text", "--out", str(out),
                          "--sample", "120"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout)["rows"] == len(rows) and "rows/s" in run.stderr
    m = ev.open_map(out)  # PCA fitted on the first 120 rows, the other 80 placed by it
    assert np.isfinite(m.coords).all() and len(m.texts) == len(rows)
    from sklearn.decomposition import PCA

    unit = np.asarray(m.vectors) / np.linalg.norm(m.vectors, axis=1, keepdims=True)
    assert np.allclose(PCA(2, random_state=0).fit(unit[:120]).transform(unit), m.coords, atol=1e-4)
    bad = subprocess.run([sys.executable, "-m", "embedviz", "map", str(path), "--text-column", "body", "--out",
                          str(tmp_path / "bad")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "There is no column 'body'" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_ray_gives_the_same_vectors(docs, tmp_path):
    # Ray is in requirements-dev.txt (through requirements-ray.txt): this test runs wherever the tests do
    path, rows = docs
    texts = [r["text"] for r in rows][:120]
    local, _ = ev.embed_rows(ev.load_encoder(), texts)
    on_ray = ev.embed_rows_ray(texts, workers=1, batch=64)  # a real Ray, started on this machine
    assert on_ray.shape == local.shape and np.abs(on_ray - local).max() < 1e-5


def test_a_ray_address_that_does_not_answer(docs, tmp_path):
    path, _ = docs
    out = tmp_path / "nowhere"
    with pytest.raises(ev.InputError, match="No Ray cluster answers at 127.0.0.1:9"):
        ev.map_corpus(path, out, text_column="text", engine="ray", address="127.0.0.1:9")
    assert not out.exists()  # nothing written, not even half


def test_search_clusters_and_a_saved_map(docs, tmp_path):
    path, rows = docs
    enc = ev.load_encoder()
    texts = [r["text"] for r in rows]
    vecs, _ = ev.embed_corpus(enc, texts)
    q = enc.sentence_vector("turn a JSON document into Python objects", "model")
    idx, sims = ev.nearest_rows(vecs, q, 5)
    assert list(sims) == sorted(sims, reverse=True)
    assert rows[idx[0]]["module"] == "json"
    assign, names = ev.clusters(vecs, texts, 5)
    assert len(names) == 5 and set(assign) == set(range(5)) and all(n.split(": ")[1] for n in names)
    m = ev.corpus_map(vecs, texts, names and [names[a] for a in assign])
    saved = ev.save_map(tmp_path / ev.map_key(vecs, texts), texts, None, m.coords, vecs, {"rows": len(texts)})
    back = ev.open_map(saved)
    assert back.texts == texts and np.allclose(back.coords, m.coords) and np.allclose(np.asarray(back.vectors), vecs)
    with pytest.raises(ev.InputError, match="not a corpus map"):
        ev.open_map(tmp_path)
