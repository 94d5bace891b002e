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
from pagetest import ok, run

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
    (b"not parquet", "a.parquet", "text", "not a readable parquet file"),
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
    chunks = sorted((out / "chunks").glob("*.parquet"))
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
    try:
        on_ray = ev.embed_rows_ray(texts, workers=1, batch=64)  # a real Ray, started on this machine
    finally:
        ev.ray_engine.stop_ray()
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


# ---------------------------------------------------------------- a shared server, round two (issue 26)

def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_tiny_file_cannot_take_gigabytes(tmp_path):
    """Item 1: an 833-byte parquet of 2,000 dictionary-encoded 1 MB rows decodes to 2 GB. It is measured
    as it is read (refused by the app), the batch job's reader cuts every row before it is expanded,
    and a 10 MB row of plain text is cut to MAX_ROW_CHARS characters before it is tokenized."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    row = "bank " * 200_000
    col = pa.DictionaryArray.from_arrays(pa.array(np.zeros(2000, np.int32)), pa.array([row]))
    path = tmp_path / "tiny.parquet"
    pq.write_table(pa.table({"text": col}), path, compression="zstd")
    data = path.read_bytes()
    assert len(data) < 4000
    before = _peak_mb()
    with pytest.raises(ev.InputError, match=r"more than 64 MB of text once decoded.*batch job"):
        ev.read_corpus(data, "tiny.parquet", text_column="text")
    chunks = list(ev.iter_rows(path, text_column="text", chunk_rows=1000))  # the batch job's reader: no limit, rows cut
    assert [len(c.texts) for c in chunks] == [1000, 1000] and chunks[0].long == 1000
    assert {len(t) for c in chunks for t in c.texts} == {ev.limits.MAX_ROW_CHARS - 1}  # cut, then stripped
    assert _peak_mb() - before < 400  # was +4 GB
    # one 10 MB row: cut before it is tokenized, the cut counted
    big = ("The river bank was flooded again this spring. " * 220_000).encode()
    rows = ev.read_corpus(b"A short row.\n" + big + b"\n", "rows.txt", max_bytes=20 * 2**20)
    assert len(rows.texts[1]) <= ev.limits.MAX_ROW_CHARS and rows.long == 1
    assert "1 rows over 5,000 characters cut to that length" in ev.rows_note(rows)
    enc = ev.load_encoder()
    vecs, cut = ev.embed_rows(enc, [big.decode()])  # the notebook API cuts too (both engines call embed_batch)
    assert cut == 1 and vecs.shape == (1, enc.hidden_size)
    cut_row, _ = ev.rows.cut_row(big.decode())
    assert np.allclose(vecs, ev.embed_rows(enc, [cut_row])[0], atol=1e-5)  # the cut row is what was embedded


def test_memo_keys_are_digests_and_memos_are_bounded_in_bytes(docs):
    """Item 1: a memo keeps no visitor's text alive in its keys, and holds at most max_bytes."""
    from embedviz.cache import memoize

    path, rows = docs
    texts = [r["text"] * 3 for r in rows]
    vecs, _ = ev.embed_corpus(ev.load_encoder(), texts)
    flat = repr(ev.embed_corpus.cache_keys())
    assert len(flat) < 2000 and texts[0] not in flat
    assert ev.embed_corpus.cache_bytes() >= vecs.nbytes

    @memoize(maxsize=100, max_bytes=10 * 2**20)
    def block(i):
        return np.ones(2**20 // 4 * 3, np.float32) * i  # 3 MB each

    for i in range(10):
        block(i)
    assert block.cache_bytes() <= 10 * 2**20 and len(block.cache_keys()) == 3
    assert np.all(block(9) == 9)


@pytest.mark.parametrize("data, name, column, message", [
    (b"[1, 2, 3]\n[4, 5, 6]\n", "a.jsonl", None, r"The first line of a.jsonl is a JSON list, not an object"),
    (b'{"text": "A row."}\n[4, 5, 6]\n', "a.jsonl", "text", r"JSON line 2 is a JSON list, not an object"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "photo.csv", None, r"photo.csv holds binary data"),
])
def test_corpus_errors_are_sentences(data, name, column, message):
    """Item 9: a JSON-lines file of arrays and a binary .csv get a sentence saying what to do (the first
    replaced the page with the exception box: its column names were numbers)."""
    with pytest.raises(ev.InputError, match=message):
        ev.columns_of(data, name) if column is None else ev.read_corpus(data, name, text_column=column)
    if column is None:
        with pytest.raises(ev.InputError, match=message.split(" of ")[0] if "first" not in message else "JSON list"):
            ev.read_corpus(data, name, text_column="text")


def test_a_zero_width_row_is_named_and_skipped():
    data = "text\nA first row.\n\u200b\u200b\nA third row.\n\u200e\n".encode()
    rows = ev.read_corpus(data, "z.csv", text_column="text")
    assert rows.texts == ["A first row.", "A third row."] and rows.invisible == [2, 4]
    assert any("invisible characters" in n and "row 2, 4" in n for n in ev.rows_note(rows))
    vecs, _ = ev.embed_rows(ev.load_encoder(), rows.texts)  # the upload is embedded, not rejected
    assert vecs.shape[0] == 2


def test_saved_maps_and_searches_say_what_is_wrong(docs, tmp_path):
    """Item 9: a saved map without x/y, and a search with a model of another size, are sentences (they
    were "Something went wrong"); item 10: no server path in them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path, rows = docs
    enc = ev.load_encoder()
    texts = [r["text"] for r in rows][:40]
    vecs, _ = ev.embed_corpus(enc, texts)
    folder = tmp_path / "secret-server-folder" / "m1"
    folder.mkdir(parents=True)
    np.save(folder / "vectors.npy", vecs)
    pq.write_table(pa.table({"text": texts}), folder / "map.parquet")
    with pytest.raises(ev.InputError, match=r"^m1: map.parquet has no column x, y") as e:
        ev.open_map(folder)
    assert "secret-server-folder" not in str(e.value)
    with pytest.raises(ev.InputError, match="m1 is not a corpus map") as e:
        ev.open_map(folder / "m1")
    other = np.random.default_rng(0).normal(size=(40, 768)).astype(np.float32)  # a bert-base-sized map
    q = enc.sentence_vector("read a file", "model")
    with pytest.raises(ev.InputError, match=r"768 numbers each \(made with bert-base-uncased\), the query's 384"):
        ev.nearest_rows(other, q, 5, made_with="bert-base-uncased", model=enc.name)
    with pytest.raises(ev.InputError, match="not one this server makes"):
        ev.open_saved_map("../../etc")


def test_a_click_does_not_parse_or_cluster_again(docs):
    """Item 9: every rerun of the page (a click on a 20,000-row map) re-parsed the file and re-ran
    k-means; both are memoised by the value of their input."""
    path, rows = docs
    data = path.read_bytes()
    first = ev.read_corpus(data, "docs.csv", text_column="text")
    assert ev.read_corpus(bytes(data), "docs.csv", text_column="text") is first
    vecs, _ = ev.embed_corpus(ev.load_encoder(), first.texts)
    a = ev.clusters(vecs, first.texts, 6)
    assert ev.clusters(vecs.copy(), list(first.texts), 6) is a and not a[0].flags.writeable


class _Planted:
    """What a planted chunk's pickle would run: it leaves a file behind."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_the_batch_job_owns_its_folder(docs, tmp_path):
    """Item 7: nothing in the folder is unpickled; another input, another chunk size or a foreign folder
    is refused (or restarted on request), never mixed into the map."""
    path, rows = docs
    out = tmp_path / "job"
    with pytest.raises(ev.InputError, match="There is no column 'body'"):
        ev.map_corpus(path, out, text_column="body", chunk_rows=80)  # a typo: nothing done, nothing to protect
    ev.map_corpus(path, out, text_column="text", chunk_rows=80)
    job = json.loads((out / "job.json").read_text())
    assert job["input"]["size"] == path.stat().st_size and job["input"]["chunk_rows"] == 80
    assert not list(out.rglob("*.npz"))
    # a chunk planted in the old format, with a pickle that runs code when loaded
    marker = tmp_path / "pwned"
    np.savez(out / "chunks" / "000001.npz", vectors=np.zeros((80, 384), np.float32),
             texts=np.array([_Planted(marker)], dtype=object), labels=np.array([""], dtype=object), cut=0)
    (out / "chunks" / "000001.parquet").unlink()
    ev.map_corpus(path, out, text_column="text", chunk_rows=80)
    assert not marker.exists() and len(ev.open_map(out).texts) == len(rows)
    # another input into the same folder: refused, then restarted on request
    other = tmp_path / "other.csv"
    other.write_text("text\n" + "".join(f"Row {i} of another file.\n" for i in range(30)))
    with pytest.raises(ev.InputError, match=r"holds a job for another input \(input, size, modified_ns differ\).*--restart"):
        ev.map_corpus(other, out, text_column="text", chunk_rows=80)
    with pytest.raises(ev.InputError, match=r"another input \(chunk_rows differ\)"):
        ev.map_corpus(path, out, text_column="text", chunk_rows=60)
    ev.map_corpus(other, out, text_column="text", chunk_rows=80, restart=True)
    assert ev.open_map(out).texts == [f"Row {i} of another file." for i in range(30)]
    # a folder that is not the job's own
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(ev.InputError, match="is not empty and is not a folder this job made"):
        ev.map_corpus(path, foreign, text_column="text", restart=True)
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]


@pytest.mark.slow  # a subprocess per bad input
def test_the_command_line_fails_in_one_line(docs, tmp_path):
    """Item 7 / 10: bad numbers, a FIFO, a foreign folder, a Ray that cannot start and Ctrl-C: one line
    each, no traceback, nothing left running."""
    import os
    import signal
    import time

    path, rows = docs

    def cli(*args, env=None, timeout=60):
        return subprocess.run([sys.executable, "-m", "embedviz", "map", *map(str, args)], cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout, env={**os.environ, **(env or {})})

    def one_line(run, text, rc=2):
        lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
        assert run.returncode == rc and len(lines) == 1 and text in lines[0] and "Traceback" not in run.stderr, run.stderr

    one_line(cli(path, "--text-column", "text", "--out", tmp_path / "a", "--sample", "0"), "--sample: 0 is below 2")
    one_line(cli(path, "--text-column", "text", "--out", tmp_path / "a", "--chunk-rows", "0"), "--chunk-rows: 0 is below 1")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    one_line(cli(fifo, "--text-column", "text", "--out", tmp_path / "b", timeout=30), "pipe.csv is a pipe")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "thesis.tex").write_text("mine")
    one_line(cli(path, "--text-column", "text", "--out", tmp_path / "c"), "not a folder this job made")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    ray = cli(path, "--text-column", "text", "--out", tmp_path / "d", "--engine", "ray",
              env={"RAY_TMPDIR": str(blocker / "ray")}, timeout=120)
    assert ray.returncode == 2 and "embedviz: Ray did not start (NotADirectoryError" in ray.stderr, ray.stderr
    assert "Traceback" not in ray.stderr
    # Ctrl-C while it embeds
    proc = subprocess.Popen([sys.executable, "-m", "embedviz", "map", str(path), "--text-column", "text", "--out",
                             str(tmp_path / "e"), "--chunk-rows", "20"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    seen = ""
    t0 = time.time()
    while "chunk 0" not in seen and time.time() - t0 < 120:
        seen += proc.stderr.read(1)
    proc.send_signal(signal.SIGINT)
    err = seen + proc.stderr.read()
    assert proc.wait(60) == 130 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == "embedviz: stopped (Ctrl-C). Finished chunks are kept: rerun the same command to resume."


@pytest.mark.slow
def test_a_query_too_long_is_cut_and_said(enc):
    """A 20,000-character query: the page says the model read only its first part, and that it is too long
    for a link (it was cut without a word, and put in the URL whole)."""
    at = run("app_pages/9_Corpus.py")
    query = ("How do I split a path into its folder and its file name? " * 400)[:20_000]
    at.text_input(key="corpus_query").input(query).run()
    ok(at)
    assert any("so it was cut to its first part" in w.value.replace("\\", "") for w in at.warning)
    assert any("20,000 characters, too long to share in a link" in c.value for c in at.caption)
    assert "corpus_query" not in at.query_params
    assert len(at.dataframe[0].value) == 10  # the rows nearest to what was read
    at.text_input(key="corpus_query").input("split a path").run()  # a short one: nothing said
    assert not at.warning and not any("too long" in c.value for c in at.caption)


def test_columns_of_numbers_are_not_text(tmp_path):
    """The text column a page offers first is one that holds text: ids and scores are not (an upload of
    ``id,score`` made ``id`` the text column and mapped two numbers)."""
    assert ev.text_columns(b"id,title,score\n1,A first title,2.5\n2,,3\n", "a.csv") == ["title"]
    assert ev.text_columns(b"id\tbody\n1\tSome words\n", "a.tsv") == ["body"]
    assert ev.text_columns(b'{"id": 1, "n": "2", "t": "words"}\n', "a.jsonl") == ["t"]
    assert ev.text_columns(b"a line\nanother\n", "a.txt") == []  # plain text: its lines are the rows
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": [1, 2], "text": ["a", "b"]}), tmp_path / "t.parquet")
    assert ev.text_columns((tmp_path / "t.parquet").read_bytes(), "t.parquet") == ["text"]
    with pytest.raises(ev.InputError, match=r"numbers.csv has no column of text: its columns \(id, score\) hold only"):
        ev.text_columns(b"id,score\n1,2\n3,4\n", "numbers.csv")
    pq.write_table(pa.table({"id": [1, 2], "score": [0.5, 1.0]}), tmp_path / "n.parquet")
    with pytest.raises(ev.InputError, match="n.parquet has no column of text"):
        ev.text_columns((tmp_path / "n.parquet").read_bytes(), "n.parquet")
    with pytest.raises(ev.InputError, match="two.csv has 2 non-empty rows in column 'text'; a map needs at least 4"):
        ev.read_corpus(b"text\nOne row.\nAnother row.\n", "two.csv", text_column="text", min_rows=ev.limits.MIN_MAP_ROWS)


def test_the_static_models_quality_names_its_reference_set():
    """Beside a corpus of 1,000 rows, "1,916 docstrings" read as if it counted the visitor's rows: the
    sentence says the quality was measured on a reference set when the model was built."""
    said = ev.NeighbourAgreement(rows=1916, k=10, overlap=0.62, chance=10 / 1915, rows_per_s=30_000,
                                 encoder_rows_per_s=300).sentence()
    assert "measured when it was built here, on a reference set of 1,916 docstrings, not on your rows" in said
    assert said.startswith("its 10 nearest rows agree with the encoder's for 62% of them")


def test_the_static_models_build_says_its_rate_and_time_left():
    from embedviz.static_model import distil_progress

    assert distil_progress(256, 29_528, "all-MiniLM-L6-v2", 2.0) == \
        "Distilling the static model: 256 of 29,528 tokens through all-MiniLM-L6-v2, 128 tokens/s, about 229 s left"
