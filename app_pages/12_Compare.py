"""Compare two spaces: the same points in two embedding spaces side by side, one selection shared by
both maps, each point coloured by how many of its nearest neighbours the two spaces share."""

import numpy as np
import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import compare_plots, plots
from embedviz import examples as ex
from ui import story

enc = ui.page("Compare two spaces", "The same words in two spaces side by side: select a cluster in one map and "
              "see where its points land in the other.")

KINDS = ["GloVe vs the encoder's input embeddings", "Layer i vs layer j (tokens in context)",
         "Static vs contextual (a corpus)"]
kind = st.radio("Compare", KINDS, horizontal=True, key=ui.key("kind"), bind="query-params")
c = st.columns([2, 1, 2])
method = c[0].radio("Each map by", list(ev.projection.METHODS), format_func=ev.projection.METHODS.get, horizontal=True,
                    key=ui.key("method"), bind="query-params")
k = int(c[1].number_input("Neighbours (k)", 1, 50, 10, key=ui.key("k"), bind="query-params"))
colour = c[2].radio("Colour by", ["group", "overlap"], horizontal=True, key=ui.key("colour"), bind="query-params",
                    format_func={"group": "group", "overlap": "neighbours shared"}.get,
                    help="Neighbours shared: the share of a point's k nearest neighbours (by cosine, in all dimensions) "
                         "that are the same in both spaces. Green: the spaces agree about it; red: they do not.")


def static_pair():
    glove, table = ev.load_vectors(ev.GLOVE), ev.load_vectors(ev.ENCODER, encoder=enc)
    groups = st.multiselect("Word groups", list(ex.WORD_GROUPS), default=list(ex.WORD_GROUPS), key=ui.key("groups"),
                            bind="query-params")
    c1, c2 = st.columns([2, 1])
    own = c1.text_input("Your own words (a group of their own)", value="", key=ui.key("words"), bind="query-params",
                        max_chars=2000)
    top_n = int(c2.number_input("And the N most frequent words both know", 0, 2000, 100, step=50, key=ui.key("top_n"),
                                bind="query-params"))
    wanted = [(w, g) for g in groups for w in ex.WORD_GROUPS[g]] + [(w, "yours") for w in own.replace(",", " ").split()]
    words = ev.shared_words(glove, table, words=[w for w, _ in wanted])
    missing = [w for w, _ in wanted if w not in words]
    if missing:
        st.caption(ui.esc(f"Not in both tables, left out: {', '.join(missing)}."))
    group_of = dict(reversed(wanted))
    extra = [w for w in ev.shared_words(glove, table, top_n + len(words)) if w not in group_of][:top_n]
    words, labels = words + extra, [group_of.get(w, "frequent") for w in words] + ["frequent"] * len(extra)

    def compute():
        if len(words) < 3:
            raise ev.InputError("Choose at least three words: a word group, or some frequent words.")
        return ev.compare_spaces(glove.unit[glove.require(words)], table.unit[table.require(words)], words,
                                 groups=labels, names=("GloVe 6B 50d", f"{enc.name} input embeddings"), method=method,
                                 k=k)
    return compute, f"{len(words)} words, {method}"


def layer_pair():
    text = ui.text_box("Sentences, one per line", name="text", height=120,
                       examples={"Bank in six sentences": "\n".join(ex.BANK_SENSES), "The bat pair": "\n".join(ex.BAT_SENTENCES)})
    sentences, cut = ui.lines(text, limit=ev.limits.MAX_SENTENCES)
    if cut:
        st.info(cut)
    l1, l2, l3 = st.columns(3)
    i = l1.slider("Layer i (left)", 0, enc.num_layers, 0, key=ui.key("layer_i"), bind="query-params")
    j = l2.slider("Layer j (right)", 0, enc.num_layers, enc.num_layers, key=ui.key("layer_j"), bind="query-params")
    by = l3.radio("Group by", ["word", "sentence"], horizontal=True, key=ui.key("group_by"), bind="query-params")

    def compute():
        hs = enc.hidden_states_many(ui.require_lines(sentences, 1))
        a, rows = ev.token_points(hs, i)
        b, _ = ev.token_points(hs, j)
        labels = [f"{r['token']} ({r['sentence']})" for r in rows]
        groups = [r["word"].lower() if by == "word" else f"{r['sentence']}. {r['context'][:30]}…" for r in rows]
        if by == "word":  # a word in one sentence only is one colour among many: keep colours for shared words
            in_sentences = pd.DataFrame({"g": groups, "s": [r["sentence"] for r in rows]}).groupby("g")["s"].nunique()
            groups = [g if in_sentences[g] > 1 else "in one sentence" for g in groups]
        return ev.compare_spaces(a, b, labels, groups=groups, names=(f"layer {i}", f"layer {j}"), method=method, k=k)
    return compute, text


def corpus_pair():
    n = int(st.number_input("Rows of Python's own docstrings", 50, 1000, 300, step=50, key=ui.key("rows"),
                            bind="query-params"))

    def compute():
        rows = ev.read_corpus(ex.docstring_corpus(n), "python-docstrings.csv", text_column="text", label_column="module")
        contextual, _ = ev.embed_corpus(enc, rows.texts, "model")
        labels = [t if len(t) <= 60 else t[:57] + "…" for t in rows.texts]
        return ev.compare_spaces(ev.static_row_vectors(enc, rows.texts), contextual, labels, groups=rows.labels,
                                 names=("static (input embeddings, averaged)", f"contextual ({enc.name})"),
                                 method=method, k=k)
    return compute, f"{n} docstrings"


compute, about = (static_pair, layer_pair, corpus_pair)[KINDS.index(kind)]()
pair = ui.keep_last(f"pair_{KINDS.index(kind)}", ui.with_progress("Projecting both spaces", lambda p: compute()),
                    about=about)
if pair is None:
    st.stop()
st.markdown(ui.esc(pair.finding()))

# One selection for both maps: a click, box or lasso in either names points by their index.
state = st.session_state.setdefault(ui.key("_linked"), {})
ident = (kind, tuple(pair.labels))
if state.get("points") != ident:
    state.update(points=ident, selected=(), events={})
sides = {"left": pair.coords_a, "right": pair.coords_b}
for side, coords in sides.items():
    sel = ((st.session_state.get(ui.key(side)) or {}).get("selection")) or {}
    box, lasso, points = sel.get("box") or [], sel.get("lasso") or [], sel.get("points") or []
    sig = repr((box, lasso, [p.get("customdata") for p in points]))
    if not (box or lasso or points):
        state["events"][side] = None
        continue
    if sig == state["events"].get(side):
        continue
    state["events"][side] = sig
    m = ev.Map(pair.labels, coords, coords)  # the picture's own geometry, for box and lasso membership
    if box:
        idx = m.in_box(box[-1]["x"], box[-1]["y"])
    elif lasso:
        idx = m.in_lasso(lasso[-1]["x"], lasso[-1]["y"])
    else:
        idx = [int(p["customdata"]) for p in points if isinstance(p.get("customdata"), (int, float))]
    state["selected"] = tuple(int(v) for v in np.unique(idx))

selected = state["selected"]
st.caption("Drag a lasso (or pick Box Select in a chart's toolbar) over a cluster in either map: the same points are "
           "ringed and labelled in both. Click one point to pick it alone.")
values = pair.overlap if colour == "overlap" else None
table = pd.DataFrame({"point": pair.labels, "group": pair.groups or [""] * len(pair.labels),
                      "neighbours shared": pair.overlap.round(3),
                      f"x ({pair.names[0]})": pair.coords_a[:, 0].round(4), f"y ({pair.names[0]})": pair.coords_a[:, 1].round(4),
                      f"x ({pair.names[1]})": pair.coords_b[:, 0].round(4), f"y ({pair.names[1]})": pair.coords_b[:, 1].round(4)})
for col, (side, coords), name in zip(st.columns(2), sides.items(), pair.names):
    fig = compare_plots.linked_map_figure(
        coords, pair.labels, title=f"{name}: {ev.projection.METHODS[method]}", groups=pair.groups if values is None else None,
        values=values, selected=selected, show_labels=len(pair.labels) <= 120)
    col.plotly_chart(fig, key=ui.key(side), on_select="rerun", selection_mode=("points", "box", "lasso"),
                     config={"toImageButtonOptions": {"filename": f"compare-{side}"}, "displaylogo": False})
    row = col.container(horizontal=True, vertical_alignment="center")
    row.download_button("Figure (HTML)", data=lambda f=fig: plots.figure_html(f), file_name=f"compare-{side}.html",
                        mime="text/html", key=ui.key(f"{side}_html"), icon=":material/download:", on_click="ignore")
    story.add_button(row, fig, key=ui.key(side), name=f"compare-{side}", data=table)

row = st.container(horizontal=True, vertical_alignment="center")
row.download_button("Numbers of both maps (CSV)", data=lambda: table.to_csv(index=False), file_name="compare.csv",
                    mime="text/csv", key=ui.key("csv"), icon=":material/table:", on_click="ignore")
if selected:
    if row.button("Clear selection", key=ui.key("clear"), icon=":material/close:"):
        state["selected"] = ()
        st.rerun()
    st.markdown(ui.esc(pair.about(selected)))
    idx = list(selected)
    st.dataframe(pd.DataFrame({
        "point": [pair.labels[i] for i in idx], "neighbours shared": pair.overlap[idx].round(2),
        f"nearest in {pair.names[0]}": [", ".join(pair.labels[j] for j in pair.near_a[i][:5]) for i in idx],
        f"nearest in {pair.names[1]}": [", ".join(pair.labels[j] for j in pair.near_b[i][:5]) for i in idx]}),
        hide_index=True, key=ui.key("selection"))
else:
    worst = np.argsort(pair.overlap, kind="stable")[:8]
    st.markdown("**Where the two spaces disagree most**")
    st.dataframe(pd.DataFrame({
        "point": [pair.labels[i] for i in worst], "neighbours shared": pair.overlap[worst].round(2),
        f"nearest in {pair.names[0]}": [", ".join(pair.labels[j] for j in pair.near_a[i][:5]) for i in worst],
        f"nearest in {pair.names[1]}": [", ".join(pair.labels[j] for j in pair.near_b[i][:5]) for i in worst]}),
        hide_index=True, key=ui.key("disagree"))
