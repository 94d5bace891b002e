"""Every page through Streamlit's AppTest: it opens with its example computed, reacts to input,
and answers bad input with a message while keeping what it showed."""

import json
import re
from pathlib import Path

import pytest
from pagetest import ok, run, spec, values
from streamlit.testing.v1 import AppTest

import embedviz as ev
from ui import pages
from ui import tour as ui_tour

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["app.py"] + [p.path for p in pages.PAGES]  # Home through app.py: its tour links need the navigation


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
    at.toggle(key="tokens_two").set_value(True).run()
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
    at.text_input(key="tokens_word").input("tokenization").run()
    assert list(at.dataframe[1].value["longest piece in the vocabulary"]) == ["token", "##ization"]


def test_layers_page(enc):
    at = run("app_pages/2_Layers.py")
    ok(at)
    assert [m.value for m in at.metric][:3] == ["7", "22", "384"]
    before = values(spec(at)["data"][0]["x"])
    assert len(before) == 384
    at.slider(key="layers_layer").set_value(0).run()
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
    at.radio(key="context_mode").set_value("relative").run()
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
    at.text_input(key="vectors_c").input("womann").run()
    assert any("did you mean" in w.value for w in at.warning)
    assert [d.value for d in at.dataframe if "score" in d.value.columns][0]["word"].iloc[0] == "queen"
    at.text_input(key="vectors_near").input("frogg").run()
    assert any("did you mean" in w.value and "frog" in w.value for w in at.warning)
    assert not any("frogg" in str(c.proto) for c in at.get("plotly_chart"))  # the kept chart still says 'king'


def test_a_pasted_essay_in_a_word_box_is_named_not_repeated(enc):
    at = run("app_pages/5_Static_vectors.py")
    assert at.text_input(key="vectors_near").max_chars == 100
    at.text_input(key="vectors_expr").input("king - " + "riverbank" * 2300).run()  # a box with no limit
    ok(at)
    said = [w.value.replace("\\", "") for w in at.warning]
    assert said and all(len(w) <= 400 for w in said), [len(w) for w in said]
    assert any("riverbankriverbank" in w and "…" in w for w in said), said


@pytest.mark.slow
def test_static_vectors_benchmarks_tab(enc):
    at = run("app_pages/5_Static_vectors.py", vectors_tab="Benchmarks")
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
    at.text_input(key="projections_words").input("zzqx king").run()
    assert any("zzqx" in w.value for w in at.warning)
    at.radio(key="projections_kind").set_value("Tokens in context").run()
    ok(at)
    assert sum(len(values(t["x"])) for t in spec(at)["data"] if t.get("mode") == "markers") == 6  # a "bank" a sentence
    at.radio(key="projections_dims").set_value(3).run()
    assert spec(at)["data"][0]["type"] == "scatter3d"
    at.text_input(key="projections_proj_2_find").input("bank").run()  # 3-D is a view, and search works there too
    found = next(t for t in spec(at)["data"] if t["name"] == "found / clicked")
    assert found["type"] == "scatter3d" and found["text"] == ["bank"] * 6
    assert any("Nearest to" in m.value for m in at.markdown)
    at.radio(key="projections_kind").set_value("A token's path through the layers").run()
    ok(at)
    assert any(t["name"].startswith("path of") for t in spec(at)["data"])


def test_train_page(enc):
    at = run("app_pages/7_Train.py")
    ok(at)
    within, across = float(at.metric[1].value), float(at.metric[2].value)
    assert within > across
    assert len(spec(at)["frames"]) > 10
    lr = at.number_input(key="train_lr")
    assert (lr.min, lr.max) == ev.limits.LR_RANGE and at.number_input(key="train_epochs").max == ev.limits.MAX_EPOCHS
    at.text_area(key="train_groups").input("car, bike\ncar, dog").run()
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
    at.text_input(key="projections_words").input("**bold** [x](javascript:alert(1)) $x$").run()
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
    at.multiselect(key="projections_groups").set_value([]).run()
    at.text_input(key="projections_words").input("king").run()  # one point: PCA cannot draw it
    assert any("at least two points" in w.value for w in at.warning)
    assert sum(len(values(t["x"])) for t in spec(at)["data"] if t.get("mode") == "markers") == 21  # still shown


@pytest.mark.parametrize("page, params, expect", [
    ("app_pages/3_Context.py", {"context_layer": "1e9", "context_mode": "bogus"},
     ["context_layer=1e9 (showing 6)", "context_mode=bogus (showing raw)"]),
    ("app_pages/7_Train.py", {"train_epochs": "5000", "train_lr": "NaN"}, ["train_epochs=5000", "train_lr=NaN"]),
    ("app_pages/6_Projections.py", {"projections_method": "magic", "projections_dims": "7"},
     ["projections_method=magic", "projections_dims=7"]),
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
    at.query_params.update({"context_layer": "3", "context_mode": "relative", "context_text": "bank bank"})
    at.run()
    assert not any("Ignored" in w.value for w in at.warning) and not at.exception


def test_the_whole_vocabulary_map(enc):
    at = run("app_pages/6_Projections.py", projections_kind="The whole vocabulary", projections_method="PCA")
    ok(at)
    fig = spec(at)
    assert len(fig["layout"]["images"]) == 1  # every word, in the density image
    assert any("400,000 points (PCA)" in c.value for c in at.caption)
    at.text_input(key="projections_vocab_map_find").input("frog").run()
    ok(at)
    assert {"toad", "snake"} <= set(next(d.value for d in at.dataframe if "cosine" in d.value.columns)["word"])
    # one story of neighbours kept: the map's caption and the found word's caption give the same two figures
    m = next(c.value.replace("\\", "") for c in at.caption if "400,000 points (PCA)" in c.value)
    nb = next(c.value.replace("\\", "") for c in at.caption if "nearest neighbours in the full space" in c.value)
    scored = re.search(r"among the 20,000 most frequent words, a point keeps ([\d.]+%) of its 10", m)[1]
    among_all = re.search(r"among all 400,000 \(where a found word's neighbours are counted\), about ([\d.]+%)", m)[1]
    assert f"Among all 400,000, a point of this map keeps about {among_all} of its 10" in nb
    assert f"among only the 20,000 most frequent, {scored})" in nb and " of 10 on average" not in nb
    at.text_input(key="projections_vocab_map_find").input("qqxzqqxz").run()  # no suggestion: a few readable words
    some = next(w.value.replace("\\", "") for w in at.warning if "for instance" in w.value).split("for instance: ")[1]
    assert all(w.isalpha() and len(w) > 1 for w in some.rstrip(".").split(", ")), some
    found = next(t for t in spec(at)["data"] if t["name"] == "found / clicked")
    assert found["text"] == ["frog"]
    at.text_input(key="projections_vocab_map_find").input("frgo").run()  # not on the map: a message, and frog stays
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
    # the senses part at layer 2 (where it listened to "river"), not at layer 6, where the vector moves most
    assert "parts most from the other uses of “bank” at layer 2" in reading, reading
    assert "“river” (0.21 at layer 1" in reading and "moves most at layer 6" in reading, reading
    at.radio(key="attention_view").set_value("normed").run()
    ok(at)
    at.toggle(key="attention_hide_special").set_value(True).run()
    ok(at)
    at.slider(key="attention_layer").set_value(3).run()
    assert "Layer 3, head 0" in json.loads(at.get("plotly_chart")[2].proto.spec)["layout"]["title"]["text"]
    at.text_input(key="attention_follow").input("zzqx").run()  # too few uses to follow: a message, the picture stays
    assert any("at least three uses" in w.value for w in at.warning) and len(at.get("plotly_chart")) == 6
    at.text_area(key="attention_text").input("").run()
    assert at.warning and len(at.get("plotly_chart")) == 6 and not at.exception


def test_sentences_pair_contributions(enc):
    at = run("app_pages/4_Sentences.py")
    ok(at)
    check = next(m.value for m in at.markdown if "add up to" in m.value).replace("\\", "")
    total, cosine = re.findall(r"(-?\d\.\d{4})", check)[:2]
    assert total == cosine and "They agree" in check
    at.selectbox(key="sentences_strategy").set_value("cls").run()
    assert any("splits exactly into token pairs" in w.value.replace("\\", "") for w in at.warning)


def test_your_corpus_page(enc, tmp_path):
    at = run("app_pages/9_Corpus.py")  # opens on Python's own docstrings
    ok(at)
    assert any("rows embedded with" in c.value for c in at.caption)
    found = at.dataframe[0].value
    assert list(found.columns) == ["cosine", "row", "label"] and len(found) == 10
    traces = spec(at)["data"]
    assert {"os", "other"} <= {t["name"] for t in traces}  # coloured by the module column: the 19 most common named
    at.text_input(key="corpus_query").input("   ").run()  # an empty query: a word on what to do, the rest stays
    assert any("Type a question" in c.value for c in at.caption) and at.get("plotly_chart") and not at.exception
    assert not at.warning
    at.button(key="corpus_save").click().run()
    saved = next(s.value for s in at.success).replace("\\", "")
    assert str(ev.cache_dir()) not in saved  # no server path for a visitor
    link = saved.split("`")[1]
    assert "?corpus_source=A+saved+map&corpus_map=" in link and link.count("?") == 1
    key = link.split("corpus_map=")[1]
    opened = run("app_pages/9_Corpus.py", corpus_source="A saved map", corpus_map=key)  # the link, opened afresh
    ok(opened)
    assert any("opened from the saved map" in c.value for c in opened.caption)
    assert (ev.cache_dir() / "corpora" / key / "map.parquet").exists()
    at.radio(key="corpus_source").set_value("A saved map").run()
    at.text_input(key="corpus_folder").input(str(ev.cache_dir() / "corpora" / key)).run()
    ok(at)
    assert any("rows, opened" in c.value for c in at.caption)
    at.text_input(key="corpus_folder").input("/etc").run()  # a visitor opens only what the owner allowed
    assert any("not" in w.value.lower() for w in at.warning) and not at.exception


def test_pages_after_pages_share_no_state(enc):
    """One session through the navigation, each page after pages that used the same words for their
    widgets (groups, word, layer, tab, seed): every page's keys are its own, so none crashes (a list
    from Projections' multiselect once reached Train's text box)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    walk = ["Projections", "Train", "Context", "Tokens", "Static_vectors", "Train", "Layers", "Context", "Projections",
            "Attention", "Story", "Sentences", "Senses", "Compare", "Projections", "Corpus", "Compare", "Tokens"]
    by_slug = {p.slug: p for p in pages.PAGES}
    for slug in walk:
        at.switch_page(str(ROOT / by_slug[slug].path)).run()
        assert not at.exception, (slug, at.exception)
        assert not at.error, (slug, [e.value for e in at.error])


def test_the_last_tour_step_leads_back_home(enc):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.switch_page(str(ROOT / "app_pages/7_Train.py"))
    at.query_params["tour"] = str(len(ev.TOUR_TITLES))
    at.query_params["example"] = "The tutorial's nine words"
    at.run()
    ok(at)
    strip = next(m.value for m in at.markdown if "Guided tour, step" in m.value).replace("\\", "")
    assert f"step {len(ev.TOUR_TITLES)} of {len(ev.TOUR_TITLES)}" in strip and "The loss falls from" in strip


def test_the_page_registry_keeps_keys_apart():
    prefixes = [p.prefix for p in pages.ALL]
    assert len(set(prefixes)) == len(prefixes)
    assert not any(k.startswith(p + "_") for k in pages.SHARED_KEYS for p in prefixes)
    assert all((ROOT / p.path).exists() for p in pages.ALL)


def test_the_example_query_does_not_follow_an_upload(enc):
    at = run("app_pages/9_Corpus.py")
    assert at.text_input(key="corpus_query").value == ev.examples.CORPUS_QUERY
    at.radio(key="corpus_source").set_value("Upload a file").run()
    ok(at)
    # the page waits for a file; what the query box will show is already set: not the docstrings' question
    assert at.session_state["corpus_query"] == ""


def test_a_small_map_suggests_a_word_it_holds(enc):
    at = run("app_pages/6_Projections.py")
    box = at.text_input(key="projections_proj_0_find")
    assert box.placeholder != "frog" and box.placeholder in ev.examples.WORD_GROUPS["vehicles"] + \
        ev.examples.WORD_GROUPS["pets"] + ev.examples.WORD_GROUPS["fruits"]
    box.input("frog").run()
    said = " ".join(w.value.replace("\\", "") for w in at.warning)
    assert "not on this map of 21 points" in said and ("Did you mean" in said or "for instance" in said)


def test_a_link_value_no_control_shows_is_reported_and_dropped(enc):
    """t-SNE's perplexity in a link to a PCA map: no control draws it, so the page says so and the
    link no longer carries it (it stayed in the link, silently)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(str(ROOT / "app_pages/6_Projections.py"))
    at.query_params.update({"projections_perplexity": "40", "tokens_text": "from another page"})
    at.run()
    assert not at.exception
    said = " ".join(w.value.replace("\\", "") for w in at.warning)
    assert "Not used with these settings" in said and "projections_perplexity=40" in said and "tokens_text" in said
    assert "projections_perplexity" not in at.query_params


def test_show_only_these_runs_once_through_the_page(enc):
    """Issue 26, item 2: a rerun of the page (typing in the sub-map's search box) re-projected the
    selection in full; now it is computed once, through the build queue, and kept."""
    import numpy as np

    at = run("app_pages/6_Projections.py")
    ok(at)
    state = at.session_state["projections_proj_0__map"]
    state["only"] = np.arange(12)
    at.session_state["projections_proj_0__map"] = state
    before = len(ev.maps.reprojection.cache_keys())
    at.run()
    ok(at)
    assert any("Showing only the 12 selected words" in i.value for i in at.info)
    assert len(ev.maps.reprojection.cache_keys()) == before + 1
    at.text_input(key="projections_proj_0_only_find").input("car").run()  # typing in the sub-map's search box
    ok(at)
    assert len(ev.maps.reprojection.cache_keys()) == before + 1 and ev.BUILDS.waiting() == []


def test_a_tour_step_shows_its_own_example_after_typing(enc):
    """Typed text, a picked tab and picked sentences are all replaced by a step's example (step 1 kept
    the visitor's sentence, step 11 the skip-gram tab, step 4 a sentence picked before)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.switch_page(str(ROOT / "app_pages/1_Tokens.py")).run()
    at.text_area(key="tokens_text").input("The pitcher threw the pitcher of lemonade.").run()
    at.text_input(key="tokens_word").input("pitcher").run()
    at.switch_page(str(ROOT / "app_pages/7_Train.py")).run()
    at.session_state["train_tab"] = "Your own text (skip-gram)"
    at.run()
    at.switch_page(str(ROOT / "app_pages/8_Attention.py")).run()
    at.selectbox(key="attention_sentence").set_value(at.selectbox(key="attention_sentence").options[3]).run()
    at.selectbox(key="attention_token").set_value(at.selectbox(key="attention_token").options[1]).run()
    for k in (1, 4, len(ev.TOUR_TITLES)):
        page, params = ui_tour.STEPS[k - 1]
        for name, value in ui_tour.params(k).items():
            at.query_params[name] = value
        at.switch_page(str(ROOT / page.path)).run()
        ok(at)
        if k == 1:
            assert at.text_area(key="tokens_text").value == ev.examples.EMBEDDINGS_SENTENCE
            assert at.text_input(key="tokens_word").value == "embeddings"
        if k == 4:
            assert at.text_area(key="attention_text").value == ev.examples.BANK_SENTENCE
            assert at.selectbox(key="attention_token").value == "19: bank"  # the river bank, not a token picked before
        if k == len(ev.TOUR_TITLES):
            assert at.session_state["train_tab"] == "Word groups (the tutorial)"
        at.query_params.clear()


def test_text_past_the_model_says_where_it_was_cut(enc):
    at = run("app_pages/3_Context.py", context_text="The bank by the bank. " * 120)
    ok(at)
    assert any("cut to the first 512" in w.value.replace("\\", "") for w in at.warning)
