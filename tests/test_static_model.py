"""The static model for big corpora (distilled from the bundled encoder with model2vec, for real) and a
map that remembers its model: the command line, the Python API, about.json, and the Your corpus page's
search, which embeds a query with the model that made the map's vectors and never another.

The distillation runs once per test session (17 s on an idle machine, minutes on a busy one), into the
session's cache folder; the tests that need it are marked slow."""

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
MISSING = "no-such-org/no-such-encoder"


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """300 standard-library docstrings as a CSV file, and their texts."""
    data = ex.docstring_corpus(300)
    path = tmp_path_factory.mktemp("static-corpus") / "docs.csv"
    path.write_bytes(data)
    return path, [r["text"] for r in csv.DictReader(io.StringIO(data.decode()))]


@pytest.fixture(scope="session")
def static():
    """The static model distilled from the bundled encoder: built once in the session's cache folder."""
    return ev.load_embedder("static:bundled")


def cli(*args, env=None, timeout=600):
    import os

    return subprocess.run([sys.executable, "-m", "embedviz", "map", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_a_spec_names_the_encoder_or_the_static_model_distilled_from_it():
    assert ev.embedder_spec(None) == ev.default_model_name()
    assert ev.embedder_spec("bundled") == ev.BUNDLED
    assert ev.embedder_spec("static") == f"static:{ev.default_model_name()}"  # the map still names it if the default changes
    assert ev.embedder_spec(" static : bundled ") == "static:bundled: all-MiniLM-L6-v2"
    assert ev.embedder_name("static:bundled") == "static, distilled from all-MiniLM-L6-v2"
    assert ev.embedder_name("bert-base-uncased") == "bert-base-uncased"
    # what a map folder says it was made with: older maps' "default" is the default encoder
    assert ev.map_model({"model": "static:bundled", "strategy": "model"}) == ("static:bundled: all-MiniLM-L6-v2", "model")
    assert ev.map_model({"model": "default"}) == (ev.default_model_name(), "model")
    assert ev.map_model({"rows": 3}) == (None, "model")


def test_a_static_model_of_a_missing_encoder_is_one_sentence(docs, tmp_path):
    path, _ = docs
    assert MISSING in ev.embedder_unavailable(f"static:{MISSING}") and ev.embedder_unavailable("static:bundled") is None
    with pytest.raises(ev.ModelLoadError, match="not on this machine"):
        ev.load_embedder(f"static:{MISSING}")
    with pytest.raises(ev.InputError, match="one sentence vector"):  # refused before anything is written
        ev.map_corpus(path, tmp_path / "m", text_column="text", model="static:bundled", strategy="cls")
    assert not (tmp_path / "m").exists()
    for env, model in (({}, f"static:{MISSING}"), ({"EMBEDVIZ_MODEL": MISSING}, "static")):
        done = cli(path, "--text-column", "text", "--out", tmp_path / "out", "--model", model, env=env, timeout=120)
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        assert done.returncode == 2 and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        assert lines[0].startswith("embedviz: static, distilled from no-such-org") and "not on this machine" in lines[0]
        assert not (tmp_path / "out").exists()


def test_a_map_whose_model_is_not_here_keeps_its_map_and_turns_search_off(enc):
    texts = [r["text"] for r in csv.DictReader(io.StringIO(ex.docstring_corpus(60).decode()))]
    rng = np.random.default_rng(0)
    key = ev.save_corpus_map(texts, None, rng.normal(size=(len(texts), 2)).astype(np.float32),
                             rng.normal(size=(len(texts), 256)).astype(np.float32),
                             {"rows": len(texts), "model": f"static:{MISSING}"})
    at = run("app_pages/9_Corpus.py", corpus_source="A saved map", corpus_map=key)
    ok(at)
    said = " ".join(i.value.replace("\\", "") for i in at.info)
    assert "Search is off for this map" in said and MISSING in said
    assert at.text_input(key="corpus_query").disabled  # no query vector from another space
    assert not any("cosine" in d.value.columns for d in at.dataframe)
    assert at.get("plotly_chart")  # the map is kept


@pytest.mark.slow
def test_the_static_model_is_built_once_and_read_back(static):
    assert static.name == "static, distilled from all-MiniLM-L6-v2" and static.hidden_size == 256
    v = static.sentence_vectors(["Return the square root of x.", "Open a file and return a stream."])
    assert v.shape == (2, 256) and v.dtype == np.float32 and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-3)
    assert (static.folder / "about.json").is_file() and static.folder.parent == ev.cache_dir() / "static"
    assert not list(static.folder.parent.glob("*.building"))  # written atomically: no half folder left
    from embedviz.static_model import forget

    forget()  # another process: read from the cache folder, not built again
    again = ev.load_embedder("static")
    assert again is not static and again.folder == static.folder
    assert np.array_equal(again.sentence_vectors(["Return the square root of x."]), v[:1])
    with pytest.raises(ev.InputError, match="one sentence vector"):
        static.sentence_vectors(["x"], "cls")


@pytest.mark.slow
def test_its_neighbours_agree_with_the_encoders_far_above_chance(static, enc):
    q = ev.static_quality("bundled")
    assert q == static.quality and q.rows > 1800 and q.k == 10
    assert 5 * q.chance < q.overlap < 1.0  # far above chance, and not the encoder itself
    assert q.rows_per_s > q.encoder_rows_per_s
    # recomputed on fewer rows, the same measure: the static model against the encoder, and the encoder
    # against itself (all neighbours agree)
    small = ev.neighbour_agreement(static, enc, rows=300)
    assert small.rows == 300 and small.chance == pytest.approx(10 / 299) and 3 * small.chance < small.overlap < 1.0
    assert ev.neighbour_agreement(enc, enc, rows=100).overlap == pytest.approx(1.0)


@pytest.mark.slow
def test_the_command_line_maps_with_the_static_model_and_records_it(static, docs, tmp_path):
    path, texts = docs
    done = cli(path, "--text-column", "text", "--out", tmp_path / "m", "--model", "static", "--chunk-rows", "128")
    assert done.returncode == 0, done.stderr[-2000:]
    about = json.loads((tmp_path / "m" / "about.json").read_text())
    assert about["model"] == "static:bundled: all-MiniLM-L6-v2" and about["strategy"] == "model"
    assert about["model name"] == "static, distilled from all-MiniLM-L6-v2" and about["rows"] == len(texts)
    job = json.loads((tmp_path / "m" / "job.json").read_text())
    assert job["input"]["model"] == about["model"]
    cm = ev.open_map(tmp_path / "m")
    assert cm.vectors.shape == (len(texts), 256)
    ours, cut = ev.embed_rows(ev.load_embedder("static"), texts)  # the Python API: the same vectors
    assert cut == 0 and np.allclose(cm.vectors, ours, atol=1e-6)
    assert ev.map_model(cm.about) == ("static:bundled: all-MiniLM-L6-v2", "model")


@pytest.mark.slow
def test_search_embeds_the_query_with_the_maps_model(static, enc, docs, tmp_path):
    """A map made with the static model, opened while the sidebar's encoder is the default: the query is
    embedded by the static model (the encoder's 384 numbers would not even fit its 256)."""
    path, texts = docs
    ev.map_corpus(path, tmp_path / "m", text_column="text", model="static")
    cm = ev.open_map(tmp_path / "m")
    key = ev.save_corpus_map(cm.texts, cm.labels, cm.coords, cm.vectors, cm.about)  # where a visitor may open it
    at = run("app_pages/9_Corpus.py", corpus_source="A saved map", corpus_map=key)
    at.text_input(key="corpus_query").input("read a JSON document").run()
    ok(at)
    assert any("Query embedded with static, distilled from all-MiniLM-L6-v2" in c.value.replace("\\", "")
               for c in at.caption)
    idx, sims = ev.nearest_rows(cm.vectors, static.sentence_vector("read a JSON document"), 10)
    found = next(d.value for d in at.dataframe if "cosine" in d.value.columns)
    assert list(found["row"]) == [texts[i] for i in idx] and np.allclose(found["cosine"], np.round(sims, 3))


@pytest.mark.slow
def test_the_page_embeds_rows_with_the_static_model_and_saves_which(static, enc):
    at = run("app_pages/9_Corpus.py")  # Python's docstrings, embedded by the encoder
    at.selectbox(key="corpus_model").set_value(f"static:{enc.name}").run()
    ok(at)
    assert at.selectbox(key="corpus_strategy").disabled
    said = " ".join(c.value.replace("\\", "") for c in at.caption)
    assert "rows embedded with static, distilled from all-MiniLM-L6-v2" in said
    assert "nearest rows agree with the encoder" in said  # its quality beside the choice, measured
    assert "Query embedded with static" in said and len(at.dataframe[0].value) == 10
    at.button(key="corpus_save").click().run()
    key = next(s.value for s in at.success).replace("\\", "").split("corpus_map=")[1].split("`")[0]
    about = json.loads((ev.cache_dir() / "corpora" / key / "about.json").read_text())
    assert about["model"] == f"static:{enc.name}" and about["strategy"] == "model"
