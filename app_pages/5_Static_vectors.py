"""Static vectors: nearest words, analogies and benchmark scores (GloVe, word2vec, or the encoder's own table)."""

import numpy as np
import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex
from embedviz import plots

enc = ui.page("Static vectors", "One fixed vector per word, whatever the context: GloVe, word2vec, or BERT's own "
                                "input-embedding table.")
vecs = ui.vector_source(enc)
st.caption(ui.esc(f"{len(vecs):,} words x {vecs.dim} dimensions from {vecs.source}."))

tab_near, tab_analogy, tab_odd, tab_bench = st.tabs(["Nearest words", "Analogies", "Odd one out", "Benchmarks"],
                                                    key="tab", bind="query-params")
with tab_near:
    word = st.text_input("Word", value="king", key="near", bind="query-params")
    topn = st.slider("How many", 5, 50, 10, key="topn", bind="query-params")
    near = ui.keep_last("near", lambda: vecs.most_similar(ev.check_text(word, what="word"), topn))
    if near:
        ui.chart(plots.bar_figure([w for w, _ in near], [s for _, s in near], title=f"Nearest to '{word.strip()}'",
                                  xtitle="cosine"), key="nearest", data=pd.DataFrame(near, columns=["word", "cosine"]))
    a2, b2 = st.columns(2)
    w1 = a2.text_input("Similarity of", value="cat", key="sim_a", bind="query-params")
    w2 = b2.text_input("and", value="dog", key="sim_b", bind="query-params")
    s = ui.keep_last("pair", lambda: vecs.similarity(w1, w2))
    if s is not None:
        st.metric(ui.esc(f"cosine({w1.strip()}, {w2.strip()})"), f"{s:.3f}")

with tab_analogy:
    st.markdown("**a** is to **b** as **c** is to **?** The answer is the word closest to b - a + c.")
    c = st.columns(3)
    a = c[0].text_input("a", value="man", key="a", bind="query-params")
    b = c[1].text_input("b", value="king", key="b", bind="query-params")
    cc = c[2].text_input("c", value="woman", key="c", bind="query-params")

    def analogies():
        vecs.require([a, b, cc])
        return {m: vecs.analogy(a, b, cc, topn=10, method=m) for m in ("3cosadd", "3cosmul")}, vecs.input_ranks(a, b, cc)

    res = ui.keep_last("analogy", analogies)
    if res is not None:
        answers, ranks = res
        left, right = st.columns(2)
        for col, (m, rows) in zip((left, right), answers.items()):
            col.markdown(f"**{'3CosAdd' if m == '3cosadd' else '3CosMul'}**")
            col.dataframe(pd.DataFrame(rows, columns=["word", "score"]), hide_index=True, width="stretch")
        st.caption(ui.esc("The input words are left out of the answers. Had they not been, under 3CosAdd they would "
                          "rank: " + ", ".join(f"'{w}' #{r}" for w, r in ranks.items()) + ". (3CosMul: Levy and Goldberg, 2014.)"))
        d = answers["3cosadd"][0][0]
        words4, m4, _ = vecs.subset([a, b, cc, d])
        if len(words4) == 4:
            xy = ev.project(m4, "pca")
            ui.chart(plots.analogy_figure(np.asarray(xy), words4, title="The parallelogram, in the PCA plane of the four words"),
                     key="analogy", data=pd.DataFrame(np.asarray(xy), index=words4, columns=["x", "y"]))
    expr = st.text_input("Free arithmetic", value="king - man + woman", key="expr", bind="query-params")
    ar = ui.keep_last("arith", lambda: vecs.arithmetic(expr, 10)[0])
    if ar:
        st.dataframe(pd.DataFrame(ar, columns=["word", "cosine"]), hide_index=True)

with tab_odd:
    odd_text = st.text_input("Words", value=" ".join(ex.ODD_ONE_OUT), key="odd", bind="query-params")
    odd = ui.keep_last("odd", lambda: vecs.doesnt_match(odd_text.replace(",", " ").split()))
    if odd:
        st.success("The odd one out: " + ui.esc(odd[0]))
        st.dataframe(pd.DataFrame(odd[1], columns=["word", "cosine to the others' mean"]), hide_index=True)

with tab_bench:
    st.markdown("Score these vectors on the Google analogy set and on word-pair similarity sets.")
    default_q = ev.gensim_test_file("questions-words.txt")
    qpath = st.text_input("Analogy questions (questions-words.txt format)", value=str(default_q or ""), key="qpath")
    restrict = st.number_input("Only the most frequent words", 1000, 2_000_000, 300_000, step=10_000, key="restrict")
    if st.button("Evaluate analogies", key="run_bench"):
        with st.spinner("Scoring every question…"):
            st.session_state["bench"] = ui.keep_last("bench_res", lambda: ev.evaluate_analogies(vecs, qpath, restrict_vocab=int(restrict)))
    bench = st.session_state.get("bench")
    if bench is not None:
        st.metric("Accuracy (3CosAdd)", f"{bench.accuracy:.1%}", help=f"{bench.skipped:,} questions skipped: a word outside the vocabulary.")
        st.dataframe(pd.DataFrame(bench.table()), hide_index=True, width="stretch")
        sec = st.selectbox("Browse the failures of", [s.name for s in bench.sections], key="fail_sec")
        fails = next(s for s in bench.sections if s.name == sec).incorrect[:200]
        st.dataframe(pd.DataFrame(fails, columns=["a", "b", "c", "expected", "got"]), hide_index=True)
    for name in ("wordsim353.tsv", "simlex999.txt"):
        p = ev.gensim_test_file(name)
        if p is None:
            continue
        wp = ui.keep_last(f"pairs_{name}", lambda p=p: ev.evaluate_word_pairs(vecs, p))
        if wp:
            st.markdown(f"**{name}**: Spearman {wp.spearman:.3f}, Pearson {wp.pearson:.3f} on {len(wp.pairs)} pairs "
                        f"({wp.skipped} skipped, out of vocabulary).")
