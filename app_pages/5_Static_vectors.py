"""Static vectors: nearest words, analogies and benchmark scores (GloVe 6B by default, word2vec, or the
encoder's own table)."""

import numpy as np
import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex
from embedviz import plots

enc = ui.page("Static vectors", "One fixed vector per word, whatever the context: GloVe, word2vec, or BERT's own "
                                "input-embedding table.")
ui.take_example({"king - man + woman": {"a": "man", "b": "king", "c": "woman", "expr": "king - man + woman"}})
vecs = ui.vector_source(enc)
st.caption(ui.esc(" ".join([f"Using {vecs.source}."] + vecs.notes)))

WORD_CHARS = 100  # a word box takes a word, not an essay (the Find boxes' limit)
tab_near, tab_analogy, tab_odd, tab_bench = st.tabs(["Nearest words", "Analogies", "Odd one out", "Benchmarks"],
                                                    key=ui.key("tab"), bind="query-params")
with tab_near:
    word = st.text_input("Word", value="king", key=ui.key("near"), bind="query-params", max_chars=WORD_CHARS)
    topn = st.slider("How many", 5, 50, 10, key=ui.key("topn"), bind="query-params")
    near = ui.keep_last("near", lambda: (word.strip(), vecs.most_similar(ev.check_text(word, what="word"), topn)))
    if near:
        shown, rows = near
        ui.chart(plots.bar_figure([w for w, _ in rows], [s for _, s in rows], title=f"Nearest to '{shown}'",
                                  xtitle="cosine"), key="nearest", data=pd.DataFrame(rows, columns=["word", "cosine"]))
    a2, b2 = st.columns(2)
    w1 = a2.text_input("Similarity of", value="cat", key=ui.key("sim_a"), bind="query-params", max_chars=WORD_CHARS)
    w2 = b2.text_input("and", value="dog", key=ui.key("sim_b"), bind="query-params", max_chars=WORD_CHARS)
    s = ui.keep_last("pair", lambda: (w1.strip(), w2.strip(), vecs.similarity(w1, w2)))
    if s is not None:
        st.metric(ui.esc(f"cosine({s[0]}, {s[1]})"), f"{s[2]:.3f}")

with tab_analogy:
    st.markdown("**a** is to **b** as **c** is to **?** The answer is the word closest to b - a + c.")
    c = st.columns(3)
    a = c[0].text_input("a", value="man", key=ui.key("a"), bind="query-params", max_chars=WORD_CHARS)
    b = c[1].text_input("b", value="king", key=ui.key("b"), bind="query-params", max_chars=WORD_CHARS)
    cc = c[2].text_input("c", value="woman", key=ui.key("c"), bind="query-params", max_chars=WORD_CHARS)

    def analogies():
        vecs.require([a, b, cc])
        return ((a.strip(), b.strip(), cc.strip()),
                {m: vecs.analogy(a, b, cc, topn=10, method=m) for m in ("3cosadd", "3cosmul")}, vecs.input_ranks(a, b, cc))

    res = ui.keep_last("analogy", analogies)
    if res is not None:
        (qa, qb, qc), answers, ranks = res
        st.markdown(ui.esc(f"{qa} : {qb} :: {qc} : ?") + f" — **{ui.esc(answers['3cosadd'][0][0])}**")
        left, right = st.columns(2)
        for col, (m, rows) in zip((left, right), answers.items()):
            col.markdown(f"**{'3CosAdd' if m == '3cosadd' else '3CosMul'}**")
            col.dataframe(pd.DataFrame(rows, columns=["word", "score"]), hide_index=True, width="stretch")
        st.caption(ui.esc("The input words are left out of the answers. Had they not been, under 3CosAdd they would "
                          "rank: " + ", ".join(f"'{w}' #{r}" for w, r in ranks.items()) + ". (3CosMul: Levy and Goldberg, 2014.)"))
        d = answers["3cosadd"][0][0]
        words4, m4, _ = vecs.subset([qa, qb, qc, d])
        if len(words4) == 4:
            xy = ev.project(m4, "pca")
            ui.chart(plots.analogy_figure(np.asarray(xy), words4, title="The parallelogram, in the PCA plane of the four words"),
                     key="analogy", data=pd.DataFrame(np.asarray(xy), index=words4, columns=["x", "y"]))
    expr = st.text_input("Free arithmetic", value="king - man + woman", key=ui.key("expr"), bind="query-params")
    ar = ui.keep_last("arith", lambda: vecs.arithmetic(expr, 10)[0])
    if ar:
        st.dataframe(pd.DataFrame(ar, columns=["word", "cosine"]), hide_index=True)

with tab_odd:
    odd_text = st.text_input("Words", value=" ".join(ex.ODD_ONE_OUT), key=ui.key("odd"), bind="query-params")
    odd = ui.keep_last("odd", lambda: vecs.doesnt_match(odd_text.replace(",", " ").split()))
    if odd:
        st.success("The odd one out: " + ui.esc(odd[0]))
        st.dataframe(pd.DataFrame(odd[1], columns=["word", "cosine to the others' mean"]), hide_index=True)

QUESTION_LIMIT_MB = 5
with tab_bench:
    st.markdown("Score these vectors on the Google analogy set (19,544 questions in 14 sections: capitals, "
                "currencies, plurals, tenses…) and on word-pair similarity sets rated by people.")
    c1, c2 = st.columns([2, 1])
    qfile = c1.file_uploader("Your own analogy questions (questions-words.txt format; empty: the Google set)",
                             type=["txt"], key=ui.key("qfile"))
    restrict = c2.select_slider("Only the most frequent words", ev.limits.RESTRICT_CHOICES, value=300_000,
                                key=ui.key("restrict"), bind="query-params", format_func="{:,}".format,
                                help="gensim's restrict_vocab: questions with a rarer word are skipped. A few fixed "
                                     "sizes, each scored once per server and shared.")

if tab_bench.open is not False:  # scored only when the tab is open; results are shared by every session

    def score():
        if qfile is None:
            lines, name = None, "the Google analogy set"
        elif qfile.size > QUESTION_LIMIT_MB * 1e6:
            raise ev.InputError(f"That file is over {QUESTION_LIMIT_MB} MB; the Google set is 0.6 MB.")
        else:
            try:
                lines, name = qfile.getvalue().decode("utf-8").splitlines(), qfile.name
            except UnicodeDecodeError:
                raise ev.InputError(f"{qfile.name} is not UTF-8 text.") from None
        bar = st.progress(0.0, text="Scoring every question (a few seconds, once per set of vectors)")
        try:
            return vecs.source, name, ev.evaluate_analogies(vecs, lines, restrict_vocab=int(restrict),
                                                            progress=lambda f, m: bar.progress(f, text=m))
        finally:
            bar.empty()

    with tab_bench:
        bench = ui.keep_last("bench", score)
        if bench is not None:
            source, qname, res = bench
            st.markdown(ui.esc(f"{source} on {qname}: ") + f"**{ui.esc(res.summary())}**")
            if source != vecs.source:
                st.caption(ui.esc(f"This is the last result that worked, for {source}."))
            st.dataframe(pd.DataFrame(res.table()), hide_index=True, width="stretch")
            sec = st.selectbox("Browse the failures of", [s.name for s in res.sections], key=ui.key("fail_sec"), bind="query-params")
            fails = next(s for s in res.sections if s.name == sec).incorrect[:200]
            st.dataframe(pd.DataFrame(fails, columns=["a", "b", "c", "expected", "got"]), hide_index=True)
        for name in ("wordsim353.tsv", "simlex999.txt"):
            wp = ui.keep_last(f"pairs_{name}", lambda name=name: ev.evaluate_word_pairs(vecs, ev.benchmark_file(name)))
            if wp:
                st.markdown(f"**{name}**: Spearman {wp.spearman:.3f}, Pearson {wp.pearson:.3f} on {len(wp.pairs)} pairs "
                            f"({wp.skipped} skipped, out of vocabulary).")
