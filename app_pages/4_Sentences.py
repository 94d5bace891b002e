"""Sentences: sentence vectors by pooling strategy, their similarities, and semantic search."""

import numpy as np
import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex
from embedviz import plots

enc = ui.page("Sentences", "One vector per sentence: which sentences the model thinks say the same thing.")

text = ui.text_box("Sentences, one per line", name="text", examples={"Questions": "\n".join(ex.SENTENCES)},
                   height=160, resets=("strategy", "pair_a", "pair_b"))
strategy = st.selectbox("Sentence vector", list(ev.SENTENCE_STRATEGIES), format_func=ev.SENTENCE_STRATEGIES.get,
                        key=ui.key("strategy"), bind="query-params")
if strategy == "cls":
    st.info("The BERT tutorial's caveat: [CLS] is a sentence vector only for a model trained to make it one (by "
            "fine-tuning on a sentence task). In a model not trained for it, [CLS] mostly reflects the sentence's "
            "form, and the mean of a layer usually ranks sentences better; compare the rows of the table below.")
if strategy == "model" and not enc.pooling:
    st.caption(ui.esc(f"{enc.name} has no sentence-transformers pooling of its own; this is the mean of the last layer."))
sentences, cut = ui.lines(text, limit=ev.limits.MAX_SENTENCES)
if cut:
    st.info(cut)


def compute():
    hs = enc.hidden_states_many(ui.require_lines(sentences, 2))
    vecs = enc.sentence_vectors(sentences, strategy)
    return sentences, hs, vecs


res = ui.keep_last("sentences", compute)
if res is None:
    st.stop()
shown, hs_list, vecs = res
short = [f"{i + 1}. {s[:40]}" + ("…" if len(s) > 40 else "") for i, s in enumerate(shown)]
sim = ev.cos_sim(vecs)
ui.chart(plots.heatmap_figure(sim, [str(i + 1) for i in range(len(short))], short,
                              title=f"Sentence similarity: {ev.SENTENCE_STRATEGIES[strategy]}", xtitle="sentence",
                              zmin=-1, zmax=1, annotate=len(short) <= 30),
         key="sentence_similarity", data=pd.DataFrame(sim, index=shown, columns=shown))
ui.say_cut(hs_list)

st.header("What makes two sentences alike")
st.caption("With a mean of token vectors, the cosine of two sentences is exactly a sum over token pairs: "
           "a_i · b_j / (n m |mean a| |mean b|). The pairs with the largest terms are what makes them alike.")
p1, p2 = st.columns(2)
first = p1.selectbox("Sentence A", short, index=0, key=ui.key("pair_a"))
second = p2.selectbox("Sentence B", short, index=min(1, len(short) - 1), key=ui.key("pair_b"))
pair = ui.keep_last("pair", lambda: ev.pair_contributions(hs_list[short.index(first)], hs_list[short.index(second)],
                                                          strategy, pooling=enc.pooling))
if pair is not None:
    left, right = st.columns([3, 2])
    with left:
        ui.chart(plots.heatmap_figure(pair.values, [f"{j}: {t}" for j, t in enumerate(pair.cols)],
                                      [f"{i}: {t}" for i, t in enumerate(pair.rows)], title="Each token pair's share of "
                                      "the cosine", colorscale="RdBu_r", zmin=-abs(pair.values).max(),
                                      zmax=abs(pair.values).max(), annotate=False, xtitle="sentence B", ytitle="sentence A"),
                 key="pair_contributions", data=pd.DataFrame(pair.values, index=pair.rows, columns=pair.cols))
    with right:
        st.markdown("**The pairs that count most**")
        st.dataframe(pd.DataFrame(pair.top(10), columns=["token in A", "token in B", "share"]).round(4), hide_index=True)
        st.markdown(ui.esc(f"The {pair.values.size:,} shares add up to {pair.total:.4f}; the cosine of the two sentence "
                           f"vectors is {pair.cosine:.4f}.") + (" They agree." if abs(pair.total - pair.cosine) < 1e-4 else ""))

st.header("Semantic search")
query = st.text_input("A question or phrase", value=ex.QUERY, key=ui.key("query"), bind="query-params")


def search():
    q = ev.check_text(query, what="query")
    scores = {}
    for strat in ev.SENTENCE_STRATEGIES:
        qv = enc.sentence_vector(q, strat)
        sv = enc.sentence_vectors(shown, strat)
        scores[strat] = ev.cos_sim(qv, sv)[0]
    return scores


scores = ui.keep_last("search", search)
if scores is not None:
    s = scores[strategy]
    order = np.argsort(-s)
    ui.chart(plots.bar_figure([short[i] for i in order], [float(s[i]) for i in order],
                              title=f"Ranked by cosine to the query ({ev.SENTENCE_STRATEGIES[strategy]})", xtitle="cosine"),
             key="search", data=pd.DataFrame({"sentence": [shown[i] for i in order], "score": s[order]}))
    best = pd.DataFrame({ev.SENTENCE_STRATEGIES[k]: [shown[int(np.argmax(v))], round(float(np.max(v)), 3)]
                         for k, v in scores.items()}, index=["best match", "score"]).T
    n_best = len({int(np.argmax(v)) for v in scores.values()})
    st.markdown("**Every strategy's best match.** " + (
        "Here every strategy picks the same sentence." if n_best == 1 else
        f"Here the strategies pick {n_best} different sentences.") + " The model's own pooling is what a "
        "sentence-embedding model was trained for.")
    st.dataframe(best, width="stretch")
