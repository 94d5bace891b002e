"""Map folders: opened memory-mapped and shared, by a link's safe name only; coloured by any column
(numbers on a scale, many categories readable); grown by new rows that leave the old ones exactly where
they were; and every broken folder or bad name said in a sentence. The rows are real text (the standard
library's docstrings) embedded by the bundled model."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pagetest import ok, run, spec

import embedviz as ev
from embedviz import examples as ex
from embedviz import plots

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rows(enc):
    """250 docstrings (text, module: 29 modules), their sentence vectors and a PCA map of them."""
    data = ex.docstring_corpus(1000)
    got = list(csv.DictReader(io.StringIO(data.decode())))[::4]
    texts = [r["text"] for r in got]
    vecs, _ = ev.embed_corpus(enc, texts)
    coords = np.asarray(ev.project(ev.projection.unit_rows(vecs), "pca"), dtype=np.float32)
    return texts, [r["module"] for r in got], np.asarray(vecs), coords


def make_map(folder, rows, *, extra=True, model=None) -> Path:
    texts, modules, vecs, coords = rows
    ev.save_map(folder, texts, modules, coords, vecs, {"rows": len(texts), "model": model or ev.BUNDLED, "method": "pca"})
    if extra:  # more columns, as the batch job keeps them: a number per row and a category
        t = pq.read_table(folder / "map.parquet")
        t = t.append_column("length", pa.array([len(s) for s in texts], pa.int64()))
        t = t.append_column("module", pa.array(modules))
        pq.write_table(t, folder / "map.parquet")
    return folder


def test_a_map_opens_memory_mapped_once_and_lists_its_columns(rows, tmp_path):
    folder = make_map(tmp_path / "m", rows)
    cm = ev.open_map(folder)
    assert isinstance(cm.vectors, np.memmap) and cm.vectors.shape == rows[2].shape
    assert cm.texts == rows[0] and np.array_equal(cm.coords, rows[3]) and cm.labels == rows[1]
    assert cm.columns == ["label", "length", "module"] and cm.model == ev.BUNDLED
    assert ev.open_map(folder) is cm  # shared: every session, every rerun
    assert np.array_equal(cm.column("length"), [len(s) for s in rows[0]]) and cm.column("module") == rows[1]
    m = cm.picture(cm.colouring("module"))
    assert m is cm.picture(cm.colouring("module")) and len(m) == len(rows[0])
    with pytest.raises(ev.InputError, match="no column 'body'"):
        cm.column("body")


def test_colour_by_numbers_or_many_categories():
    c = ev.colour_by(np.arange(200.0), column="year")
    assert c.groups is None and (c.low, c.high) == (np.percentile(np.arange(200.0), 2), np.percentile(np.arange(200.0), 98))
    assert c.scaled()[0] == 0 and c.scaled()[-1] == 1 and "from 0 to 199" in c.note
    few = ev.colour_by(np.array([0, 1, 1, 0, 2]), column="stars")  # few distinct numbers: categories
    assert few.values is None and few.groups == ["0", "1", "1", "0", "2"]
    names = [f"m{i}" for i in range(29) for _ in range(29 - i)]  # 29 categories, m0 the most common
    c = ev.colour_by(names + [None], column="module")
    assert [g for g, _ in c.legend] == [f"m{i}" for i in range(19)] + ["other"]
    assert c.legend[-1][1] == sum(29 - i for i in range(19, 29)) + 1 and set(c.groups) == {g for g, _ in c.legend}
    assert c.note == "module: 30 values; the 19 most common each in its own colour, the other 11 (56 points) grey as “other”."
    assert ev.colour_by(["a", "", None], column="x").groups == ["a", "(none)", "(none)"]


def test_the_map_draws_a_column(rows, tmp_path):
    cm = ev.open_map(make_map(tmp_path / "m", rows))
    cat = cm.colouring("module")
    m = cm.picture(cat)
    view = m.extent()
    fig = plots.map_figure(m, view, markers=np.arange(len(m)), labelled=np.empty(0, int), legend=tuple(g for g, _ in cat.legend))
    named = [t for t in fig.data if t.showlegend]
    assert [t.name for t in named] == [g for g, _ in cat.legend if g in set(cat.groups)]  # most common first
    colours = [t.marker.color for t in named]
    assert len(set(colours)) == len(colours) == 20 and colours[-1] == plots.OTHER_COLOUR  # 29 modules: 19 + other
    num = cm.colouring("length")
    fig = plots.map_figure(cm.picture(num), view, markers=np.arange(len(m)), labelled=np.empty(0, int), colour="value",
                           values=num.values, value_range=(num.low, num.high), value_name="length")
    pts = fig.data[0]
    assert np.array_equal(pts.marker.color, num.values) and (pts.marker.cmin, pts.marker.cmax) == (num.low, num.high)
    assert pts.marker.colorbar.title.text == "length"


def test_broken_map_folders_say_why(rows, tmp_path):
    folder = make_map(tmp_path / "newer", rows, extra=False)
    (folder / "about.json").write_text(json.dumps({"version": 7, "rows": 200}))
    with pytest.raises(ev.InputError, match=r"^newer was made by another version of embedviz \(map format 7"):
        ev.open_map(folder)
    folder = make_map(tmp_path / "nox", rows, extra=False)
    t = pq.read_table(folder / "map.parquet")
    pq.write_table(t.drop(["x"]), folder / "map.parquet")
    with pytest.raises(ev.InputError, match=r"^nox: map.parquet has no column x "):
        ev.open_map(folder)
    folder = make_map(tmp_path / "novec", rows, extra=False)
    (folder / "vectors.npy").unlink()
    with pytest.raises(ev.InputError, match=r"^novec is not a corpus map: it has no vectors.npy"):
        ev.open_map(folder)


@pytest.mark.parametrize("name", ["../../etc", "/etc", "..", "a/../../b", "corpora/x", "~root", "x" * 200, ""])
def test_a_saved_maps_name_is_never_a_path(name):
    with pytest.raises(ev.InputError, match="not one this server makes"):
        ev.open_saved_map(name)


def test_a_batch_jobs_map_placed_in_corpora_opens_by_its_name(rows, tmp_path):
    corpora = ev.cache_dir() / "corpora"
    make_map(corpora / "papers-200", rows, extra=False)
    assert ev.open_saved_map("papers-200").texts == rows[0]
    make_map(tmp_path / "outside", rows, extra=False)
    (corpora / "sneaky").symlink_to(tmp_path / "outside")  # a link out of corpora/ is not a saved map
    with pytest.raises(ev.InputError, match="There is no saved map sneaky"):
        ev.open_saved_map("sneaky")
    with pytest.raises(ev.InputError, match="There is no saved map nothing-here"):
        ev.open_saved_map("nothing-here")


def test_growing_a_map_leaves_the_old_rows_exactly(rows, enc, tmp_path):
    texts, modules, vecs, coords = rows
    folder = make_map(tmp_path / "m", rows)
    before = pq.read_table(folder / "map.parquet")
    new = [texts[5], "Return the JSON encoding of a Python object, as a string."]
    grown = ev.grow_map(folder, new, encoder=enc)
    assert (grown.added, grown.rows) == (2, len(texts) + 2)
    after = pq.read_table(folder / "map.parquet")
    assert after.slice(0, len(texts)).equals(before)  # text, label, x, y and the other columns: unchanged, bit for bit
    assert after.column("text").to_pylist()[-2:] == new and after.column("length").null_count == 2
    cm = ev.open_map(folder)
    assert np.array_equal(np.asarray(cm.vectors[: len(texts)]), vecs) and len(cm.vectors) == len(texts) + 2
    assert cm.about["rows"] == len(texts) + 2 and cm.about["rows added later (placed among their nearest)"] == 2
    # a row already on the map lands where it is (its nearest row is itself); the other among the map's rows
    spread = np.linalg.norm(coords - coords.mean(0), axis=1).mean()
    assert np.linalg.norm(cm.coords[-2] - coords[5]) < 0.05 * spread
    assert ((cm.coords[-1] >= coords.min(0)) & (cm.coords[-1] <= coords.max(0))).all()


def test_grown_rows_carry_the_maps_columns_their_file_has(rows, enc, tmp_path):
    texts, modules, vecs, coords = rows
    folder = make_map(tmp_path / "m", rows)  # columns: label, length, module
    new = b"text,module,label,stars\nSplit a path into its folder and its file name.,posixpath,os\n" \
          b"Return the square root of a number.,math,math\n"
    grown = ev.grow_map(folder, new, name="new.csv", text_column="text", encoder=enc)
    assert grown.kept == ("label", "module") and grown.not_kept == ("length",)
    assert "carry their label, module from the file" in grown.sentence() and "no column length" in grown.sentence()
    cm = ev.open_map(folder)
    assert cm.labels[-2:] == ["os", "math"] and cm.column("module")[-2:] == ["posixpath", "math"]
    assert np.isnan(cm.column("length")[-2:]).all()
    colours = cm.colouring("label")  # no new, empty category: the new rows' labels are the map's own
    assert "(none)" not in colours.groups and set(colours.groups[-2:]) <= set(ev.colour_by(modules, column="label").groups)
    grown = ev.grow_map(folder, b"text,length\nA row of text about files.,26\n", name="more.csv", text_column="text",
                        encoder=enc)  # a number column: numbers again, as the map's
    assert grown.kept == ("length",) and grown.not_kept == ("label", "module")
    assert ev.open_map(folder).column("length")[-1] == 26
    with pytest.raises(ev.InputError, match="column 'length' holds values that are not int64"):
        ev.grow_map(folder, b"text,length\nAnother row.\n,\nA third.,long\n", name="bad.csv", text_column="text",
                    encoder=enc)


def test_a_batch_jobs_label_column_is_the_grown_rows_label(rows, tmp_path):
    """A batch job made with ``--label-column module`` notes it; new rows take their label from that column."""
    texts, modules, vecs, coords = rows
    src = tmp_path / "docs.csv"
    with src.open("w", newline="") as f:
        csv.writer(f).writerows([["text", "module"], *zip(texts[:60], modules[:60])])
    ev.map_corpus(src, tmp_path / "out", text_column="text", label_column="module")
    assert json.loads((tmp_path / "out" / "about.json").read_text())["label column"] == "module"
    new = b"text,module\nReturn the square root of a number.,math\n"
    grown = ev.grow_map(tmp_path / "out", new, name="new.csv", text_column="text", vectors=vecs[:1])
    assert grown.kept == ("label",) and grown.not_kept == () and ev.open_map(tmp_path / "out").labels[-1] == "math"


def test_growing_refuses_vectors_of_another_width(rows, tmp_path):
    folder = make_map(tmp_path / "m", rows, extra=False)
    wide = np.random.default_rng(0).normal(size=(2, 768)).astype(np.float32)
    with pytest.raises(ev.InputError, match="768 numbers each but this map's have 384"):
        ev.grow_map(folder, ["one row", "another row"], vectors=wide)
    assert len(ev.open_map(folder).texts) == len(rows[0])  # nothing written


@pytest.mark.slow
def test_grow_on_the_command_line(rows, tmp_path):
    folder = make_map(tmp_path / "m", rows, extra=False)
    (tmp_path / "new.csv").write_text("text\nSplit a path into its folder and its file name.\n")
    got = subprocess.run([sys.executable, "-m", "embedviz", "grow", str(folder), str(tmp_path / "new.csv"),
                          "--text-column", "text"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, HF_HUB_OFFLINE="1"))
    assert got.returncode == 0, got.stderr[-2000:]
    assert json.loads(got.stdout) == {"added": 1, "rows": len(rows[0]) + 1}
    bad = subprocess.run([sys.executable, "-m", "embedviz", "grow", str(tmp_path / "nope"), str(tmp_path / "new.csv")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "nope is not a corpus map" in bad.stderr and "Traceback" not in bad.stderr


def test_the_page_opens_a_map_by_its_link(rows, enc):
    name = "docs-200"
    make_map(ev.cache_dir() / "corpora" / name, rows)
    for param in ("corpus_map", "map"):  # the page's own link, and the short form
        at = run("app_pages/9_Corpus.py", corpus_source="A saved map", **{param: name})
        ok(at)
        assert any(f"opened from the saved map {name}; made with {ev.BUNDLED}" in c.value.replace("\\", "")
                   for c in at.caption)
        assert not any("Ignored" in w.value or "Not used" in w.value for w in at.warning)
        assert {"os", "pathlib", "other"} <= {t["name"] for t in spec(at)["data"]}  # by label: 19 modules named, other
    at.selectbox(key="corpus_colour_by").set_value("length").run()
    ok(at)
    assert any(t.get("marker", {}).get("colorbar") for t in spec(at)["data"])
    at.text_input(key="corpus_corpus_map_find").input(rows[0][3][:77] + "…" if len(rows[0][3]) > 80 else rows[0][3]).run()
    assert any(t["name"] == "found / clicked" for t in spec(at)["data"]) and not at.exception


def test_a_bad_link_says_a_sentence(rows, enc):
    at = run("app_pages/9_Corpus.py", corpus_source="A saved map", corpus_map="../../etc/passwd")
    assert not at.exception and not at.get("plotly_chart")
    assert any("not one this server makes" in w.value for w in [*at.warning, *at.error])
    name = "docs-good"
    make_map(ev.cache_dir() / "corpora" / name, rows, extra=False)
    at = run("app_pages/9_Corpus.py", corpus_source="A saved map", corpus_map=name)
    ok(at)
    (ev.cache_dir() / "corpora" / "docs-broken").mkdir()
    at.text_input(key="corpus_folder").input(str(ev.cache_dir() / "corpora" / "docs-broken")).run()
    assert any("docs-broken is not a corpus map" in w.value.replace("\\", "") for w in at.warning) and not at.exception
    assert any("opened from the saved map docs-good" in c.value.replace("\\", "") for c in at.caption) and at.get("plotly_chart")


def test_the_batch_job_keeps_columns_to_colour_by(tmp_path):
    rows = list(csv.DictReader(io.StringIO(ex.docstring_corpus(1000).decode())))[::20]
    src = tmp_path / "docs.csv"
    with src.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "module", "length", "note"])
        w.writerows([r["text"], r["module"], len(r["text"]), "" if i % 7 else "seven"] for i, r in enumerate(rows))
    ev.map_corpus(src, tmp_path / "out", text_column="text", keep_columns=("module", "length", "note"))
    cm = ev.open_map(tmp_path / "out")
    assert cm.columns == ["label", "module", "length", "note"]
    assert cm.column("module") == [r["module"] for r in rows]
    assert np.array_equal(cm.column("length"), [len(r["text"]) for r in rows])  # kept as text, read as numbers
    assert cm.colouring("length").values is not None and cm.colouring("note").groups.count("seven") == 8
    with pytest.raises(ev.InputError, match="There is no column 'stars'"):
        ev.map_corpus(src, tmp_path / "out2", text_column="text", keep_columns=("stars",))


def test_a_map_its_owner_placed_is_never_trimmed_with_the_cache(rows, tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDVIZ_CACHE", str(tmp_path))
    monkeypatch.setenv("EMBEDVIZ_CACHE_MB", "0.01")  # 10 KB: every map the app saved is over it
    make_map(tmp_path / "corpora" / "papers-250", rows, extra=False)
    texts, modules, vecs, coords = rows
    first = ev.save_corpus_map(texts[:100], None, coords[:100], vecs[:100], {"rows": 100})
    os.utime(tmp_path / "corpora" / first, (1, 1))
    ev.save_corpus_map(texts[100:], None, coords[100:], vecs[100:], {"rows": 150})
    assert not (tmp_path / "corpora" / first).exists()  # the app's own: least recently used, dropped
    assert ev.open_saved_map("papers-250").texts == texts  # the owner's: kept
