"""Train: a tiny embedding model learns from scratch, live (the second tutorial's from-scratch part)."""

import numpy as np
import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex
from embedviz import plots
from embedviz.training import TUTORIAL_GROUPS

ui.page("Train your own", "An nn.Embedding lookup table and a Linear layer learn to predict related words; "
                          "watch similar words drift together.")

# the tour's step shows the tutorial's nine words on their own tab, with the tutorial's settings
ui.take_example({"The tutorial's nine words": {"tab": "Word groups (the tutorial)"}}, resets=("dim", "epochs", "lr", "seed"))
tab_groups, tab_text = st.tabs(["Word groups (the tutorial)", "Your own text (skip-gram)"], key=ui.key("tab"),
                               bind="query-params")
with tab_groups:
    groups_text = ui.text_box("Groups, one per line", name="groups", height=100,
                              examples={"The tutorial's nine words": "\n".join(", ".join(g) for g in TUTORIAL_GROUPS)})
    c = st.columns(4)
    dim = c[0].radio("Dimensions", [2, 3], index=1, horizontal=True, key=ui.key("dim"), bind="query-params")
    lo, hi = ev.limits.LR_RANGE
    epochs = c[1].number_input("Epochs", 1, ev.limits.MAX_EPOCHS, 300, step=50, key=ui.key("epochs"), bind="query-params",
                               help=f"At most {ev.limits.MAX_EPOCHS:,}: the nine words settle in a few hundred, and "
                                    "a click here trains for a few seconds at most.")
    lr = c[2].number_input("Learning rate", lo, hi, 0.05, step=0.01, format="%.4f", key=ui.key("lr"), bind="query-params",
                           help=f"Between {lo:g} and {hi:g}: below, nothing moves in a few thousand epochs; above, "
                                "Adam overshoots and the loss diverges.")
    seed = c[3].number_input("Seed", 0, 10_000, 0, key=ui.key("seed"), bind="query-params")
    res = ui.keep_last("train", ui.with_progress("Training", lambda step: ev.train_embeddings(
        ev.parse_groups(groups_text), dim=int(dim), epochs=int(epochs), lr=float(lr), random_state=int(seed), progress=step)))
    if res is not None:
        within, across = res.within_across()
        m = st.columns(3)
        m[0].metric("loss", f"{res.losses[-1]:.3f}", f"{res.losses[-1] - res.losses[0]:+.3f} since epoch 1", delta_color="inverse")
        m[1].metric("cosine within a group", f"{within:.2f}")
        m[2].metric("cosine across groups", f"{across:.2f}")
        ui.chart(plots.training_figure(res.snapshots, res.snapshot_epochs, res.words, res.group_names()), key="training",
                 data=pd.DataFrame(res.vectors, index=res.words, columns=[f"d{i + 1}" for i in range(res.vectors.shape[1])]))
        left, right = st.columns(2)
        with left:
            ui.chart(plots.lines_figure({"loss": res.losses}, title="Loss per epoch", xtitle="epoch",
                                        ytitle="cross-entropy", x=list(range(1, len(res.losses) + 1))),
                     key="loss", data=pd.DataFrame({"loss": res.losses}))
        with right:
            sim = res.similarity()
            ui.chart(plots.heatmap_figure(sim, res.words, res.words, title="Cosine similarity after training", zmin=-1, zmax=1),
                     key="trained_similarity", data=pd.DataFrame(sim, index=res.words, columns=res.words))
    st.markdown("""**What the model learns.** Each word gets a row in a lookup table (`nn.Embedding`), here of
2 or 3 numbers. A linear layer turns that row into a score for every word, and training pushes up the scores of the
word's group-mates. Words that must predict the same neighbours end up with similar rows: that is an embedding.
word2vec's skip-gram does exactly this with real neighbours in running text, over billions of words and with
a few hundred dimensions; GloVe reaches similar vectors by fitting the counts of which words appear together.""")

with tab_text:
    corpus = ui.text_box("Paste some text", name="corpus", examples={"A few paragraphs": ex.SKIPGRAM_TEXT}, height=180,
                         max_chars=ev.limits.MAX_SKIPGRAM_CHARS)
    c = st.columns(4)
    sdim = c[0].number_input("Dimensions", 1, 300, 8, key=ui.key("sg_dim"), bind="query-params")
    window = c[1].number_input("Window", 1, 10, 2, key=ui.key("sg_window"), bind="query-params")
    sepochs = c[2].number_input("Epochs", 1, ev.limits.MAX_EPOCHS, 150, key=ui.key("sg_epochs"), bind="query-params")
    probe = c[3].text_input("Neighbours of", value="cat", key=ui.key("sg_word"), bind="query-params")
    sg = ui.keep_last("skipgram", ui.with_progress("Training", lambda step: ev.train_skipgram(
        corpus, dim=int(sdim), window=int(window), epochs=int(sepochs), lr=0.02, random_state=0, progress=step)))
    if sg is not None:
        st.caption(f"{len(sg.vectors):,} different words, {sg.n_tokens:,} tokens, {sg.n_pairs:,} (word, neighbour) pairs. "
                   f"Loss {sg.losses[0]:.2f} -> {sg.losses[-1]:.2f}.")
        near = ui.keep_last("sg_near", lambda: sg.vectors.most_similar(ev.check_text(probe, what="word"), 8))
        if near:
            st.dataframe(pd.DataFrame(near, columns=["word", "cosine"]), hide_index=True)
        st.info("Be honest with yourself about what this shows: a few paragraphs give each word only a handful of "
                "neighbours, so the model mostly memorises which words sat next to each other. Real word2vec and "
                "GloVe vectors come from billions of words; expect neighbours here to be about shared contexts "
                f"in *this* text (vocabulary {len(sg.vectors):,}, chance cosine ≈ 0 ± {1 / np.sqrt(int(sdim)):.2f}).")
