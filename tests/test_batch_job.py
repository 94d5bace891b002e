"""The batch job on Ray (one job, one pool, resumable) and corpora that bring their own vectors: real
files, a real local Ray, the real command line. The corpus is the standard library's docstrings."""

import csv
import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import embedviz as ev
from embedviz import examples as ex

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """600 standard-library docstrings as a CSV file, and their texts."""
    data = ex.docstring_corpus(600)
    path = tmp_path_factory.mktemp("corpus") / "docs.csv"
    path.write_bytes(data)
    return path, [r["text"] for r in csv.DictReader(io.StringIO(data.decode()))]


def _cli(*args, **kw):
    return [sys.executable, "-m", "embedviz", "map", *map(str, args)], dict(cwd=ROOT, text=True, **kw)


# ---------------------------------------------------------------- vectors of your own

def _vector_file(tmp_path, vectors, texts=None, name="own.parquet"):
    texts = texts or [f"Row {i} of a corpus with its own vectors." for i in range(len(vectors))]
    path = tmp_path / name
    pq.write_table(pa.table({"text": texts, "v": vectors}), path)
    return path


def test_a_vector_column_is_used_as_it_is(tmp_path):
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(50, 7))
    texts = [f"Row {i}, with a vector of its own." for i in range(50)]
    texts[3] = "   "  # an empty row: skipped, and its vector with it
    path = _vector_file(tmp_path, [list(v) for v in vecs], texts)
    out = ev.map_corpus(path, tmp_path / "job", text_column="text", vector_column="v", chunk_rows=16, sample=30)
    m = ev.open_map(out)
    keep = [i for i in range(50) if i != 3]
    assert m.texts == [texts[i] for i in keep]
    assert np.array_equal(np.asarray(m.vectors), vecs[keep].astype(np.float32))  # as they are: not embedded
    assert m.about["model"] == "your own vectors (v)" and m.about["empty rows skipped"] == 1
    # the app's read of an upload: the same vectors with the rows
    rows = ev.read_corpus(path.read_bytes(), path.name, text_column="text", vector_column="v")
    assert rows.texts == m.texts and np.array_equal(rows.vectors, vecs[keep].astype(np.float32))
    assert ev.read_corpus(path.read_bytes(), path.name, text_column="text").vectors is None


def test_a_npy_beside_the_file_is_used_when_asked(docs, tmp_path):
    path, texts = docs
    csv_path = tmp_path / "docs.csv"
    csv_path.write_bytes(path.read_bytes())
    vecs = np.random.default_rng(1).normal(size=(len(texts), 5)).astype(np.float32)
    np.save(tmp_path / "docs.npy", vecs)
    seen = []
    out = ev.map_corpus(csv_path, tmp_path / "job", text_column="text", vectors_npy=True, chunk_rows=256,
                        progress=lambda f, m: seen.append(m))
    m = ev.open_map(out)
    assert m.texts == texts and np.array_equal(np.asarray(m.vectors), vecs) and m.about["model"] == "your own vectors (docs.npy)"
    # without the flag, the job says the .npy is there (and would embed)
    with pytest.raises(ev.InputError, match="There is no column 'body'"):
        ev.map_corpus(csv_path, tmp_path / "job2", text_column="body", progress=lambda f, m: seen.append(m))
    assert "docs.npy is beside the input: add --vectors-npy to use its vectors as they are" in seen


@pytest.mark.parametrize("vectors, message", [
    ([[1.0, 2.0, 3.0], [1.0, 2.0], [1.0, 2.0, 3.0]],
     r"Row 2's vector \(column 'v'\) has 2 numbers and the first row's has 3: every vector must have the same length"),
    ([["1", "2"], ["3", "4"], ["5", "6"]], r"Column 'v' holds lists of string, not numbers"),
    (["1 2", "3 4", "5 6"], r"Column 'v' holds string, not vectors"),
    ([[1.0, 2.0], [1.0, float("nan")], [1.0, 2.0]], r"Row 2's vector \(column 'v'\) holds NaN, infinity"),
    ([[1.0, 2.0], [1.0, 2.0], [float("inf"), 2.0]], r"Row 3's vector \(column 'v'\) holds NaN, infinity"),
    ([[1.0, 2.0], None, [1.0, 2.0]], r"Row 2 has no vector in column 'v'"),
    ([[1.0, 2.0], [], [1.0, 2.0]], r"Row 2's vector \(column 'v'\) is empty"),
])
def test_bad_vector_columns_say_why(tmp_path, vectors, message):
    path = _vector_file(tmp_path, vectors)
    with pytest.raises(ev.InputError, match=message):  # the app's read of an upload
        ev.read_corpus(path.read_bytes(), path.name, text_column="text", vector_column="v")
    with pytest.raises(ev.InputError, match=message):  # the batch job
        ev.map_corpus(path, tmp_path / "job", text_column="text", vector_column="v")
    assert not list((tmp_path / "job" / "chunks").glob("*.parquet"))


@pytest.mark.parametrize("array, message", [
    (np.zeros((4, 3)), r"docs.npy has 4 rows and docs.csv 3: it needs one vector per row of the input"),
    (np.zeros((2, 3)), r"docs.csv has more rows than docs.npy \(2\): it needs one vector per row"),
    (np.zeros(3), r"docs.npy holds an array of float64 of shape \(3,\); it must be numbers, one row per input row"),
    (np.array([["a", "b"]] * 3), r"docs.npy holds an array of <U1"),
    (np.array([[1.0, np.inf]] * 3), r"Row 1's vector \(docs.npy\) holds NaN, infinity"),
    (np.array([[1, {}]] * 3, dtype=object), r"docs.npy is not a .npy array of numbers numpy can read without unpickling"),
    (None, r"There is no docs.npy beside docs.csv"),
])
def test_bad_npy_files_say_why(tmp_path, array, message):
    path = tmp_path / "docs.csv"
    path.write_text("text\nA first row.\n\nA third row, after an empty one.\n")
    if array is not None:
        np.save(tmp_path / "docs.npy", array, allow_pickle=True)
    with pytest.raises(ev.InputError, match=message):
        ev.map_corpus(path, tmp_path / "job", text_column="text", vectors_npy=True)
    assert not (tmp_path / "job" / "map.parquet").exists()


def test_vectors_of_a_csv_come_from_a_npy():
    with pytest.raises(ev.InputError, match=r"A column of vectors is read from a .parquet file.*save its vectors as a.npy"):
        ev.read_corpus(b"text,v\nA row.,1 2\n", "a.csv", text_column="text", vector_column="v")


# ---------------------------------------------------------------- what the app takes

def test_a_file_over_the_app_limit_points_to_the_batch_job(tmp_path):
    """Past ev.limits.MAX_CORPUS_ROWS (enforced in read_corpus, which the Your corpus page calls), the app
    says so and gives the batch command; the batch job maps the same file."""
    n = ev.limits.MAX_CORPUS_ROWS + 1
    path = tmp_path / "big.csv"
    path.write_text("text\n" + "".join(f"Ticket {i}: the printer on floor {i % 7} is out of paper.\n" for i in range(n)))
    with pytest.raises(ev.InputError, match=rf"big.csv has more than {ev.limits.MAX_CORPUS_ROWS:,} rows, more than the "
                                            r"app embeds; .*python -m embedviz map big.csv --text-column text --out DIR"):
        ev.read_corpus(path.read_bytes(), "big.csv", text_column="text")
    rows = sum(len(c.texts) for c in ev.iter_rows(path, text_column="text"))  # the batch job's reader takes them all
    assert rows == n


# ---------------------------------------------------------------- Ray

def test_a_ray_address_that_does_not_answer_is_one_line(docs, tmp_path):
    """Nothing listens there: the job says so in one line within a few seconds, and writes nothing."""
    path, _ = docs
    t = time.monotonic()
    cmd, kw = _cli(path, "--text-column", "text", "--out", tmp_path / "a", "--engine", "ray", "--address", "127.0.0.1:9")
    run = subprocess.run(cmd, capture_output=True, timeout=120, **kw)
    took = time.monotonic() - t
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert run.returncode == 2 and lines == ["embedviz: No Ray cluster answers at 127.0.0.1:9 (tried for 3 s); start one "
                                             "with `ray start --head`, or leave out --address to run Ray on this machine."]
    assert not (tmp_path / "a").exists()
    assert took < 60, took  # an answer, not a hang (the check itself gives up after 3 s)


@pytest.mark.parametrize("reply, message", [
    (None, r"No Ray cluster answers at 127.0.0.1:\d+ \(tried for 3 s\)"),  # a port that takes the call and says nothing
    (b"220 mail.example.com ESMTP ready\r\n", r"Something answers at 127.0.0.1:\d+, but not a Ray cluster"),
])
def test_an_address_that_is_not_ray(docs, reply, message, tmp_path):
    """A listening port that is not Ray's head made ray.init wait for minutes; the check says so first."""
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    held = []

    def serve():
        conn, _ = server.accept()
        held.append(conn)
        if reply:
            conn.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    try:
        with pytest.raises(ev.InputError, match=message):
            ev.map_corpus(docs[0], tmp_path / "job", engine="ray", address=f"127.0.0.1:{server.getsockname()[1]}")
    finally:
        server.close()
        [c.close() for c in held]


def _ray_for_test():
    """A local Ray for one test: two CPUs, embedviz shipped to its workers as the job does."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"py_modules": [str(ROOT / "embedviz")]})
    return ray


def _pools_started() -> int:
    """Actors of the embedding pool Ray has made so far in this session (alive or done)."""
    from ray._private import state  # the state API without the dashboard

    return sum("_RayEmbedder" in a["ActorClassName"] for a in state.actors().values())


@pytest.mark.slow
def test_one_ray_job_has_one_pool_and_resumes(docs, tmp_path):
    path, texts = docs
    ray = _ray_for_test()
    try:
        out = tmp_path / "ray"
        ev.ray_engine.check_ray_address(ray.get_runtime_context().gcs_address)  # a real head passes the check
        ev.map_corpus(path, out, text_column="text", engine="ray", workers=2, chunk_rows=100, sample=200,
                      keep_columns=("module",))
        assert _pools_started() == 2  # 6 chunks, one pool of 2 actors (was: a pool per chunk, 12 actors)
        m = ev.open_map(out)
        assert m.texts == texts and m.about["engine"] == "ray" and 1 <= m.about["Ray actors"] <= 2
        modules = [r["module"] for r in csv.DictReader(io.StringIO(path.read_text()))]
        assert m.columns == ["label", "module"] and m.column("module") == modules  # kept through Ray, in row order
        local, _ = ev.embed_rows(ev.load_encoder(), texts)
        assert np.allclose(np.asarray(m.vectors), local, atol=1e-5)
        (out / "chunks" / "000002.parquet").unlink()  # a lost chunk: embedded again, by one more pool
        seen = []
        ev.map_corpus(path, out, text_column="text", engine="ray", workers=2, chunk_rows=100, sample=200,
                      keep_columns=("module",), progress=lambda f, msg: seen.append(msg))
        assert sum("done before, skipped" in s for s in seen) == 5 and _pools_started() == 4
        assert np.allclose(np.asarray(ev.open_map(out).vectors), local, atol=1e-5)
        assert ev.open_map(out).column("module") == modules  # the chunk embedded again carries its column too
    finally:
        ray.shutdown()


@pytest.mark.slow
def test_ctrl_c_on_ray_then_a_rerun_gives_each_row_once(docs, tmp_path):
    """The command line on Ray, stopped by SIGINT once its first chunk file is written, then run again:
    one row per input row, in order, with the in-process engine's vectors."""
    path, texts = docs
    out = tmp_path / "job"
    cmd, kw = _cli(path, "--text-column", "text", "--out", out, "--engine", "ray", "--chunk-rows", "25", "--sample", "200")
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, **kw)
    t0 = time.monotonic()
    while not list((out / "chunks").glob("*.parquet")) and time.monotonic() - t0 < 300 and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 130 and "Traceback" not in err, err[-3000:]
    assert err.strip().splitlines()[-1] == "embedviz: stopped (Ctrl-C). Finished chunks are kept: rerun the same command to resume."
    kept = len(list((out / "chunks").glob("*.parquet")))
    assert 1 <= kept < len(texts) // 25 and not (out / "map.parquet").exists()
    again = subprocess.run(cmd, capture_output=True, timeout=600, **kw)
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stderr.count("done before, skipped") == kept
    m = ev.open_map(out)
    assert m.texts == texts and len(m.texts) == len(texts) and json.loads(again.stdout)["rows"] == len(texts)
    local, _ = ev.embed_rows(ev.load_encoder(), texts)
    assert np.allclose(np.asarray(m.vectors), local, atol=1e-5)
    assert not any(p.name.endswith(".tmp") for p in out.rglob("*"))
