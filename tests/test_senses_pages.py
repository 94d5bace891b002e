"""The Senses and Compare pages, and axes made of words on Projections and Your corpus, through
Streamlit's AppTest: each opens with its example computed, the findings printed are the numbers of
the data on screen, and bad input gets a message while the last result stays."""

import re
from pathlib import Path

import numpy as np
from pagetest import ok, run, spec, values

import embedviz as ev

ROOT = Path(__file__).resolve().parents[1]


def plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_senses_page_puts_one_static_list_beside_each_use(enc):
    at = run("app_pages/11_Senses.py")
    ok(at)
    md = [plain(m.value) for m in at.markdown]
    assert any("GloVe 6B 50d: one vector for “bat”" in m for m in md)
    verdicts = [m for m in md if m.startswith("Nearest labelled uses")]
    assert len(verdicts) == 3
    assert "**animal**" in verdicts[0] and "**sports**" in verdicts[1] and "**animal**" in verdicts[2]
    static = at.dataframe[0].value
    assert list(static.columns) == ["nearest word", "cosine"]
    assert static["nearest word"].tolist()[:3] == [w for w, _ in ev.load_vectors().most_similar("bat", 3)]
    acc = ev.sense_accuracy(enc)
    s = spec(at)
    curve = next(t for t in s["data"] if t["name"].startswith("nearest use"))
    np.testing.assert_allclose(values(curve["y"]), acc.accuracy, atol=1e-6)
    chance = next(t for t in s["data"] if t["name"].startswith("chance"))
    assert values(chance["y"])[0] == acc.chance
    finding = next(m for m in md if "tells the senses apart best" in m)
    assert f"{acc.accuracy.max():.2f}" in finding and f"chance {acc.chance:.2f}" in finding
    assert at.slider(key="senses_layer").value == acc.best_layer


def test_senses_page_layer_and_bad_input(enc):
    at = run("app_pages/11_Senses.py")
    at.slider(key="senses_layer").set_value(0).run()
    ok(at)
    assert "layer 0 (chosen)" in [t["name"] for t in spec(at)["data"]]
    at.text_area(key="senses_text").input("Nothing ambiguous in here.").run()
    ok(at)
    assert any("None of the reference set's words" in w.value for w in at.warning)
    assert len([m for m in at.markdown if m.value.startswith("Nearest labelled uses")]) == 3  # the last result stays
    at.text_area(key="senses_text").input("The crane lifted the container.\nA crane waded in the marsh.").run()
    ok(at)
    assert at.selectbox(key="senses_word").value == "crane"


def test_compare_page_glove_against_the_encoder_table(enc):
    at = run("app_pages/12_Compare.py")
    ok(at)
    assert len(at.get("plotly_chart")) == 2
    left, right = spec(at, 0), spec(at, 1)
    words = [w for t in left["data"] if t.get("mode") == "markers" for w in t["text"]]
    assert "car" in words and "apple" in words
    glove, table = ev.load_vectors(), ev.load_vectors("encoder", encoder=enc)
    o = ev.neighbour_overlap(glove.unit[glove.require(words)], table.unit[table.require(words)], 10)
    finding = plain(next(m.value for m in at.markdown if "On average" in m.value))
    assert f"shares {o.mean():.0%} of its 10" in finding
    assert "input embeddings" in right["layout"]["title"]["text"]
    at.radio(key="compare_colour").set_value("overlap").run()
    ok(at)
    assert spec(at, 0)["data"][0]["marker"]["colorbar"]


def test_compare_page_layer_against_layer(enc):
    at = run("app_pages/12_Compare.py")
    at.radio(key="compare_kind").set_value("Layer i vs layer j (tokens in context)").run()
    ok(at)
    assert "layer 0" in spec(at, 0)["layout"]["title"]["text"]
    assert f"layer {enc.num_layers}" in spec(at, 1)["layout"]["title"]["text"]
    at.slider(key="compare_layer_i").set_value(enc.num_layers).run()
    ok(at)  # the same layer twice: every point keeps all its neighbours
    assert "shares 100%" in plain(next(m.value for m in at.markdown if "On average" in m.value))


def test_projections_axes_put_queen_right_of_king(enc):
    at = run("app_pages/6_Projections.py")
    at.text_input(key="projections_words").input("king queen").run()
    at.toggle(key="projections_axes").set_value(True).run()
    ok(at)
    s = spec(at)
    assert s["layout"]["title"]["text"] == "x: man → woman   ·   y: bad → good"
    yours = next(t for t in s["data"] if t["name"] == "yours")
    x = dict(zip(yours["text"], values(yours["x"])))
    assert x["queen"] > x["king"]
    assert x["king"] == np.float32(ev.load_vectors().on_axes(["king"])[0, 0])
    assert any("axes made of random word pairs" in c.value for c in at.caption)
    at.button(key="projections_axes_p_size").click().run()
    ok(at)
    assert spec(at)["layout"]["title"]["text"].startswith("x: small (+2) → big (+2)")
    at.text_input(key="projections_axes_x_to").input("").run()
    ok(at)
    assert any("empty" in w.value for w in at.warning)


def test_projections_axes_for_tokens_in_context(enc):
    at = run("app_pages/6_Projections.py")
    at.radio(key="projections_kind").set_value("Tokens in context").run()
    at.toggle(key="projections_axes").set_value(True).run()
    ok(at)
    assert spec(at)["layout"]["title"]["text"].startswith("x: man → woman")


def test_corpus_axes_embed_the_ends_as_phrases(enc):
    at = run("app_pages/9_Corpus.py")
    at.toggle(key="corpus_axes").set_value(True).run()
    ok(at)
    assert any("Along x (man → woman)" in c.value for c in at.caption)


def test_compare_page_static_against_contextual_rows(enc):
    at = run("app_pages/12_Compare.py")
    at.radio(key="compare_kind").set_value("Static vs contextual (a corpus)").run()
    ok(at)
    assert "static" in spec(at, 0)["layout"]["title"]["text"]
    assert "contextual" in spec(at, 1)["layout"]["title"]["text"]
    assert any("On average" in m.value for m in at.markdown)


def test_compare_page_your_own_words_and_where_the_spaces_disagree(enc):
    at = run("app_pages/12_Compare.py")
    at.text_input(key="compare_words").input("king queen <b>b</b>").run()
    ok(at)
    assert any("<b>b</b>" in plain(c.value) for c in at.caption)  # unknown, listed as typed (escaped)
    yours = next(t for t in spec(at, 0)["data"] if t["name"] == "yours")
    assert set(yours["text"]) == {"king", "queen"}
    table = at.dataframe[0].value
    assert table["neighbours shared"].is_monotonic_increasing


def test_senses_page_with_a_long_text_says_it_was_cut_and_shows_a_window(enc):
    at = run("app_pages/11_Senses.py")
    long = "She took money from the bank. " + "It was a long day at work and nothing happened. " * 420
    assert len(long) > 20_000
    at.text_area(key="senses_text").input(long).run()
    ok(at)
    assert at.selectbox(key="senses_word").value == "bank"
    assert any(f"cut to the first {enc.max_length}" in plain(w.value) for w in at.warning)
    assert plain(at.subheader[0].value) == "“bank” in 1 sentence: one static vector, 1 contextual one"
    card = next(plain(m.value) for m in at.markdown if m.value.startswith("**Use 1:**"))
    assert "bank" in card and card.endswith("…") and len(card) < 120
