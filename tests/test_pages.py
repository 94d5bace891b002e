"""Every page through Streamlit's AppTest: it opens with its example computed, reacts to input,
and answers bad input with a message while keeping what it showed."""

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import embedviz as ev

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["app.py"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py"))


def run(path, **params):
    at = AppTest.from_file(str(ROOT / path), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def spec(at, i=0):
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def values(v):
    """Plotly's JSON writes numpy arrays as typed arrays ({"dtype", "bdata"}); read them back."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return v


def ok(at):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("path", PAGES)
def test_page_opens_with_its_example(path, enc):
    at = run(path)
    ok(at)
    if path != "app.py":
        assert at.get("plotly_chart") or at.dataframe


def test_tokens_page(enc):
    at = run("app_pages/1_Tokens.py")
    ok(at)
    chips = "".join(m.value for m in at.markdown if "ev-chip" in m.value)
    assert "##bed" in chips and "[CLS]" in chips
    table = at.dataframe[0].value
    assert list(table["token"][7:11]) == ["em", "##bed", "##ding", "##s"]
    at.text_area(key="tokens_text").input("The bank robber was seen fishing on the river bank.").run()
    assert list(at.dataframe[0].value["token"])[1:3] == ["the", "bank"]
    at.toggle(key="two").set_value(True).run()
    assert set(at.dataframe[0].value["segment"]) == {0, 1}


@pytest.mark.parametrize("bad, expect", [("", "empty"), ("\u200b\u200b", "invisible")])
def test_tokens_bad_input_keeps_the_last_result(enc, bad, expect):
    at = run("app_pages/1_Tokens.py")
    at.text_area(key="tokens_text").input(bad).run()
    ok(at)
    assert any(expect in w.value for w in at.warning)
    assert "##bed" in "".join(m.value for m in at.markdown if "ev-chip" in m.value)


def test_tokens_long_and_html_text(enc):
    at = run("app_pages/1_Tokens.py")
    at.text_area(key="tokens_text").input("word " * 700).run()
    assert any("cut to the first 512" in w.value for w in at.warning)
    at.text_area(key="tokens_text").input('<img src=x onerror=alert(1)> <script>alert(2)</script> **bold**').run()
    ok(at)
    chips = "".join(m.value for m in at.markdown if "ev-chip" in m.value)
    assert "<img" not in chips and "<script" not in chips and "&lt;" in chips
    at.text_input(key="word").input("tokenization").run()
    assert list(at.dataframe[1].value["longest piece in the vocabulary"]) == ["token", "##ization"]


def test_layers_page(enc):
    at = run("app_pages/2_Layers.py")
    ok(at)
    assert [m.value for m in at.metric][:3] == ["7", "22", "384"]
    before = values(spec(at)["data"][0]["x"])
    assert len(before) == 384
    at.slider(key="layer").set_value(0).run()
    assert values(spec(at)["data"][0]["x"]) != before
    at.text_area(key="layers_text").input("   ").run()
    assert at.warning and at.metric[1].value == "22"


def test_context_page(enc):
    at = run("app_pages/3_Context.py")
    ok(at)
    heat = spec(at)["data"][0]
    assert heat["y"][0] == "bank (vault) ~ bank (robber)" and len(heat["x"]) == 7
    at.text_area(key="context_text").input("A bat flew out of the cave.\nHe swung the baseball bat.").run()
    ok(at)
    assert spec(at)["data"][0]["y"] == ["bat (flew) ~ bat (baseball)"]
    at.text_area(key="context_text").input("Nothing repeats in this line.").run()
    assert any("No word occurs twice" in w.value for w in at.warning)
    assert spec(at)["data"][0]["y"] == ["bat (flew) ~ bat (baseball)"]
    at.radio(key="mode").set_value("relative").run()
    ok(at)


def test_sentences_page(enc):
    at = run("app_pages/4_Sentences.py")
    ok(at)
    ranked = spec(at, 2)["data"][0]["y"]  # the third chart: after similarity and the token pairs
    assert ranked[0].startswith(("1.", "2."))  # the password / login questions
    at.text_area(key="sentences_text").input("Only one sentence.").run()
    assert any("at least 2 sentences" in w.value for w in at.warning)
    assert at.get("plotly_chart")


def test_static_vectors_page(enc):
    at = run("app_pages/5_Static_vectors.py")
    ok(at)
    assert at.radio(key="vec_source").value == "GloVe 6B 50d (bundled)"
    assert any("Using GloVe 6B 50d (400,000 words, 50 dims)" in c.value.replace("\\", "") for c in at.caption)
    assert any("Wikipedia 2014" in c.value.replace("\\", "") for c in at.caption)
    analogy_tables = [d.value for d in at.dataframe if "score" in d.value.columns]
    assert analogy_tables[0]["word"].iloc[0] == "queen"
    at.text_input(key="c").input("womann").run()
    assert any("did you mean" in w.value for w in at.warning)
    assert [d.value for d in at.dataframe if "score" in d.value.columns][0]["word"].iloc[0] == "queen"
    at.text_input(key="near").input("frogg").run()
    assert any("did you mean" in w.value and "frog" in w.value for w in at.warning)
    assert not any("frogg" in str(c.proto) for c in at.get("plotly_chart"))  # the kept chart still says 'king'


def test_static_vectors_benchmarks_tab(enc):
    at = run("app_pages/5_Static_vectors.py", tab="Benchmarks")
    ok(at)
    text = " ".join(m.value.replace("\\", "") for m in at.markdown)
    assert "answered 19,486 of 19,544 questions, skipped 58 (words not in the vocabulary)" in text
    assert "wordsim353.tsv" in text and "simlex999.txt" in text
    at.radio(key="vec_source").set_value("The encoder's input embeddings").run()
    text = " ".join(m.value.replace("\\", "") for m in at.markdown)
    assert "input embeddings" in text and "answered 19,486" not in text  # the score follows the source


def test_static_vectors_from_a_file(enc, tmp_path, small_vectors, monkeypatch):
    from embedviz.vector_files import write_glove

    monkeypatch.setenv("EMBEDVIZ_VECTOR_DIRS", str(tmp_path))

    words, m = small_vectors
    p = tmp_path / "mini.txt"
    write_glove(p, words, m)
    at = run("app_pages/5_Static_vectors.py", vec_source="A file on this machine", vec_path=str(p))
    ok(at)
    assert any("mini.txt" in c.value.replace("\\", "") for c in at.caption)  # shown Markdown-escaped
    (tmp_path / "broken.txt").write_text("a 1 2\nb 1\n")
    at.text_input(key="vec_path").input(str(tmp_path / "broken.txt")).run()
    assert any("line 2" in e.value for e in at.error) and not at.exception


def test_projections_page(enc):
    at = run("app_pages/6_Projections.py")
    ok(at)
    traces = [t for t in spec(at)["data"] if t.get("mode") == "markers"]
    assert [t["name"] for t in traces] == ["vehicles", "pets", "fruits"]
    assert sum(len(values(t["x"])) for t in traces) == 21
    at.text_input(key="words").input("zzqx king").run()
    assert any("zzqx" in w.value for w in at.warning)
    at.radio(key="kind").set_value("Tokens in context").run()
    ok(at)
    assert sum(len(values(t["x"])) for t in spec(at)["data"] if t.get("mode") == "markers") == 6  # a "bank" a sentence
    at.radio(key="dims").set_value(3).run()
    assert spec(at)["data"][0]["type"] == "scatter3d"
    at.text_input(key="proj_2_find").input("bank").run()  # 3-D is a view, and search works there too
    found = next(t for t in spec(at)["data"] if t["name"] == "found / clicked")
    assert found["type"] == "scatter3d" and found["text"] == ["bank"] * 6
    assert any("Nearest to" in m.value for m in at.markdown)
    at.radio(key="kind").set_value("A token's path through the layers").run()
    ok(at)
    assert any(t["name"].startswith("path of") for t in spec(at)["data"])


def test_train_page(enc):
    at = run("app_pages/7_Train.py")
    ok(at)
    within, across = float(at.metric[1].value), float(at.metric[2].value)
    assert within > across
    assert len(spec(at)["frames"]) > 10
    lr = at.number_input(key="lr")
    assert (lr.min, lr.max) == ev.limits.LR_RANGE and at.number_input(key="epochs").max == ev.limits.MAX_EPOCHS
    at.text_area(key="groups").input("car, bike\ncar, dog").run()
    assert any("'car' is in group 1 and group 2" in w.value for w in at.warning)


def test_bad_model_keeps_the_active_one(enc):
    at = run("app_pages/1_Tokens.py")
    at.selectbox(key="model").set_value("Other: type a Hugging Face id or a folder").run()
    at.text_input(key="model_id").input("no-such-org/no-such-model").run()
    assert any("not on this machine" in e.value and "Still using" in e.value for e in at.error)
    assert not at.exception and at.dataframe


def test_a_model_not_available_here_is_marked_and_the_picker_goes_back(enc):
    at = run("app_pages/1_Tokens.py")
    picker = at.selectbox(key="model")
    assert "bert-base-uncased (not available here)" in picker.options
    picker.set_value("bert-base-uncased").run()
    ok_errors = [e.value for e in at.error]
    assert any("bert\\-base\\-uncased is not on this machine" in e and "EMBEDVIZ\\_MODEL" in e for e in ok_errors), ok_errors
    assert at.selectbox(key="model").value == ev.BUNDLED  # back on the model that works
    assert not at.exception and at.dataframe
    at.text_area(key="tokens_text").input("Another sentence.").run()  # the next click does not retry the bad model
    assert not at.error and at.selectbox(key="model").value == ev.BUNDLED


def test_markdown_in_user_words_is_shown_literally(enc):
    at = run("app_pages/6_Projections.py")
    at.text_input(key="words").input("**bold** [x](javascript:alert(1)) $x$").run()
    ok(at)
    warning = next(w.value for w in at.warning if "left out" in w.value)
    assert r"\*\*bold\*\*" in warning and r"\[x\]\(javascript\:alert\(1\)\)" in warning and r"\$x\$" in warning


def test_vectors_from_the_environment(enc, tmp_path, small_vectors, monkeypatch):
    from embedviz.vector_files import write_glove

    words, m = small_vectors
    p = tmp_path / "env_vectors.txt"
    write_glove(p, words, m)
    monkeypatch.setenv("EMBEDVIZ_VECTORS", str(p))
    at = run("app_pages/5_Static_vectors.py")
    ok(at)
    assert at.radio(key="vec_source").value == "A file on this machine"
    assert any("env_vectors.txt" in c.value.replace("\\", "") for c in at.caption)
    at.radio(key="vec_source").set_value("The encoder's input embeddings").run()
    assert any("input embeddings" in c.value for c in at.caption)


def test_projection_bad_request_keeps_the_picture(enc):
    at = run("app_pages/6_Projections.py")
    at.multiselect(key="groups").set_value([]).run()
    at.text_input(key="words").input("king").run()  # one point: PCA cannot draw it
    assert any("at least two points" in w.value for w in at.warning)
    assert sum(len(values(t["x"])) for t in spec(at)["data"] if t.get("mode") == "markers") == 21  # still shown


@pytest.mark.parametrize("page, params, expect", [
    ("app_pages/3_Context.py", {"layer": "1e9", "mode": "bogus"}, ["layer=1e9 (showing 6)", "mode=bogus (showing raw)"]),
    ("app_pages/7_Train.py", {"epochs": "5000", "lr": "NaN"}, ["epochs=5000", "lr=NaN"]),
    ("app_pages/6_Projections.py", {"method": "magic", "dims": "7"}, ["method=magic", "dims=7"]),
])
def test_bad_link_values_are_reported_not_silently_replaced(enc, page, params, expect):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(str(ROOT / page))
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    text = " ".join(w.value.replace("\\", "") for w in at.warning)
    assert "Ignored from the link" in text and all(e in text for e in expect), text


def test_good_link_values_raise_no_warning(enc):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(str(ROOT / "app_pages/3_Context.py"))
    at.query_params.update({"layer": "3", "mode": "relative", "context_text": "bank bank"})
    at.run()
    assert not any("Ignored" in w.value for w in at.warning) and not at.exception


def test_the_whole_vocabulary_map(enc):
    at = run("app_pages/6_Projections.py", kind="The whole vocabulary")
    ok(at)
    fig = spec(at)
    assert len(fig["layout"]["images"]) == 1  # every word, in the density image
    assert any("400,000 points (PCA)" in c.value for c in at.caption)
    at.text_input(key="vocab_map_find").input("frog").run()
    ok(at)
    assert {"toad", "snake"} <= set(next(d.value for d in at.dataframe if "cosine" in d.value.columns)["word"])
    found = next(t for t in spec(at)["data"] if t["name"] == "found / clicked")
    assert found["text"] == ["frog"]
    at.text_input(key="vocab_map_find").input("frgo").run()  # not on the map: a message, and frog stays
    assert any("not on this map" in w.value and "frog" in w.value for w in at.warning)
    assert any("cosine" in d.value.columns for d in at.dataframe)
    assert next(t for t in spec(at)["data"] if t["name"] == "found / clicked")["text"] == ["frog"]
    assert not at.exception


def test_attention_page(enc):
    at = run("app_pages/8_Attention.py")
    ok(at)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert len(titles) == 6 and titles[1].startswith("6 layers x 12 heads")
    reading = next(m.value for m in at.markdown if "moves most" in m.value).replace("\\", "")
    assert "layer 6 (1 − cos 0.32)" in reading and "layer 1 (0.20)" in reading and "“river” (0.21" in reading
    at.radio(key="att_view").set_value("normed").run()
    ok(at)
    at.toggle(key="hide_special").set_value(True).run()
    ok(at)
    at.slider(key="att_layer").set_value(3).run()
    assert "Layer 3, head 0" in json.loads(at.get("plotly_chart")[2].proto.spec)["layout"]["title"]["text"]
    at.text_input(key="att_follow").input("zzqx").run()  # too few uses to follow: a message, the picture stays
    assert any("at least three uses" in w.value for w in at.warning) and len(at.get("plotly_chart")) == 6
    at.text_area(key="attention_text").input("").run()
    assert at.warning and len(at.get("plotly_chart")) == 6 and not at.exception


def test_sentences_pair_contributions(enc):
    at = run("app_pages/4_Sentences.py")
    ok(at)
    check = next(m.value for m in at.markdown if "add up to" in m.value).replace("\\", "")
    total, cosine = re.findall(r"(-?\d\.\d{4})", check)[:2]
    assert total == cosine and "They agree" in check
    at.selectbox(key="strategy").set_value("cls").run()
    assert any("splits exactly into token pairs" in w.value.replace("\\", "") for w in at.warning)


def test_your_corpus_page(enc, tmp_path):
    at = run("app_pages/9_Corpus.py")  # opens on Python's own docstrings
    ok(at)
    assert any("rows embedded with" in c.value for c in at.caption)
    found = at.dataframe[0].value
    assert list(found.columns) == ["cosine", "row", "label"] and len(found) == 10
    traces = spec(at)["data"]
    assert {"json", "os"} <= {t["name"] for t in traces}  # coloured by the module column
    at.text_input(key="corpus_query").input("").run()  # an empty query: a message, the rest stays
    assert at.warning and at.get("plotly_chart") and not at.exception
    at.button(key="corpus_save").click().run()
    saved = next(s.value for s in at.success).replace("\\", "")
    key = saved.split("Saved as map ")[1].split(".")[0]
    assert str(ev.cache_dir()) not in saved and "/" not in saved.split("(")[0]  # no server path (issue 26, item 10)
    assert (ev.cache_dir() / "corpora" / key / "map.parquet").exists()
    at.query_params["map"] = key
    at.radio(key="corpus_source").set_value("A saved map").run()
    ok(at)
    assert any("rows, opened" in c.value for c in at.caption)
    at.text_input(key="corpus_folder").input("/etc").run()  # a visitor opens only what the owner allowed
    assert any("not" in w.value.lower() for w in at.warning) and not at.exception


def test_show_only_these_runs_once_through_the_page(enc):
    """Issue 26, item 2: a rerun of the page (typing in the sub-map's search box) re-projected the
    selection in full; now it is computed once, through the build queue, and kept."""
    import numpy as np

    at = run("app_pages/6_Projections.py")
    ok(at)
    state = at.session_state["proj_0__map"]
    state["only"] = np.arange(12)
    at.session_state["proj_0__map"] = state
    before = len(ev.maps._reprojected.cache_keys())
    at.run()
    ok(at)
    assert any("Showing only the 12 selected words" in i.value for i in at.info)
    assert len(ev.maps._reprojected.cache_keys()) == before + 1
    at.text_input(key="proj_0_only_find").input("car").run()  # typing in the sub-map's search box
    ok(at)
    assert len(ev.maps._reprojected.cache_keys()) == before + 1 and ev.BUILDS.waiting() == []
