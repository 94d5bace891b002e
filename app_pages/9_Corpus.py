"""Your corpus: a file of your own rows as a map, with search by meaning and named clusters."""

import numpy as np
import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex
from ui import axes as word_axes
from ui import map_view

enc = ui.page("Your corpus", "What does your own data look like? Drop a file of rows (tickets, titles, abstracts, a "
              "book's sentences): each row becomes a vector, and the vectors a map.")

ev.set_visitor(map_view.visitor())  # re-projections: one at a time per visitor, in the shared queue
SOURCES = ["Python's own docstrings (an example)", "Upload a file", "A saved map"]
ui.take_example({"Python's docstrings": {"source": SOURCES[0], "query": ex.CORPUS_QUERY}})
source = st.radio("Corpus", SOURCES, horizontal=True, key=ui.key("source"), bind="query-params")
if st.session_state.get(ui.key("query_for")) != source:  # a query typed for the example is not one for your file
    from_link = ui.key("query_for") not in st.session_state and ui.key("query") in st.query_params
    st.session_state[ui.key("query_for")] = source
    if not from_link:
        st.session_state[ui.key("query")] = ex.CORPUS_QUERY if source == SOURCES[0] else ""


def opened_map():
    """A map written by `python -m embedviz map` or saved here, by its folder or its link."""
    key = ui.link_value("map")
    folder = st.text_input("Folder of a saved map (from `python -m embedviz map … --out DIR`)", key=ui.key("folder"),
                           placeholder="a folder, or open the link “Save this map” gave")
    typed = folder.strip()
    if not typed and not key:
        st.info("Type the folder of a saved map, or open a map's link.")
        return None
    cm = ui.keep_last("corpus_opened", lambda: ev.open_map(typed) if typed else ev.open_saved_map(key),
                      about=typed or f"the saved map {key}")
    if cm is None:
        return None
    m = ev.Map([t if len(t) <= 80 else t[:77] + "…" for t in cm.texts], cm.vectors, cm.coords,
               method=cm.about.get("method", "pca"), groups=cm.labels if any(cm.labels) else None)
    where = typed if typed else f"the saved map {key}"
    st.caption(ui.esc(f"{len(cm.texts):,} rows, opened from {where}: " + ", ".join(f"{k} {v}" for k, v in cm.about.items()
                                                                                   if k != "source")))
    return m, cm.texts, np.asarray(cm.vectors), cm.labels, False, cm.about.get("model")


def embedded_map():
    if source == SOURCES[0]:
        name, data = "python-docstrings.csv", ex.docstring_corpus()
    else:
        up = st.file_uploader("A .csv, .tsv, .parquet, .jsonl or .txt file (one row per line)",
                              type=["csv", "tsv", "parquet", "jsonl", "ndjson", "txt"], key=ui.key("file"))
        if up is None:
            st.info(f"Drop a file of up to {ev.limits.MAX_CORPUS_ROWS:,} rows here; for more, run "
                    "`python -m embedviz map FILE --text-column COLUMN --out DIR` and open its folder as a saved map.")
            return None
        name, data = up.name, up.getvalue()
    columns = ui.keep_last("corpus_columns", lambda: ev.columns_of(data, name))
    if columns is None:
        return None
    c = st.columns(3)
    text_col = label_col = vec_col = None
    if columns:
        text_col = c[0].selectbox("Text column", columns, index=columns.index("text") if "text" in columns else 0,
                                  key=ui.key("text_col"))
        label_col = c[1].selectbox("Colour by column (optional)", [None] + columns, key=ui.key("label_col"),
                                   index=([None] + columns).index("module") if "module" in columns else 0,
                                   format_func=lambda v: "none: clusters" if v is None else v)
        vec_col = c[1].selectbox("Vectors of your own (optional)", [None] + columns, key=ui.key("vec_col"),
                                 format_func=lambda v: "none: embed the text" if v is None else v)
    strategy = c[2].selectbox("Sentence vector", list(ev.SENTENCE_STRATEGIES), format_func=ev.SENTENCE_STRATEGIES.get,
                              index=list(ev.SENTENCE_STRATEGIES).index("model"), key=ui.key("strategy"))
    rows = ui.keep_last("corpus_rows", lambda: ev.read_corpus(data, name, text_column=text_col, label_column=label_col,
                                                                  vector_column=vec_col))
    if rows is None:
        return None
    vecs, cut = ui.keep_last("corpus_vectors", ui.with_progress(
        f"Embedding {len(rows.texts):,} rows", lambda p: (rows.vectors, 0) if rows.vectors is not None
        else ev.embed_corpus(enc, rows.texts, strategy, progress=p))) or (None, 0)
    if vecs is None:
        return None
    notes = [f"{len(rows.texts):,} rows embedded with {enc.name}"] + ev.rows_note(rows)
    notes += [f"{cut:,} rows longer than the model reads ({enc.max_length} tokens) were cut"] if cut else []
    st.caption(ui.esc("; ".join(notes) + "."))
    groups = rows.labels
    if groups is None:
        k = st.slider("Clusters, named by their most distinctive words", 2, 20, 8, key=ui.key("k"))
        assign, names = ev.clusters(vecs, rows.texts, k)
        groups = [names[a] for a in assign]
    m = ui.keep_last("corpus_map", ui.with_progress("Projecting", lambda p: ev.corpus_map(
        vecs, rows.texts, groups, method, progress=p)))
    axes = word_axes.option(what="rows")  # axes made of words, the ends embedded as phrases (ui/axes.py)
    if axes is not None and m is not None:
        m = ui.keep_last("corpus_axes", lambda: word_axes.encoder_map(enc, m.labels, vecs, groups, axes,
                                                                      strategy=strategy)) or m
    return (m, rows.texts, vecs, groups, True, enc.name) if m is not None else None


method = st.radio("Method", list(ev.projection.METHODS), format_func=ev.projection.METHODS.get, horizontal=True,
                  key=ui.key("method"), bind="query-params")
got = opened_map() if source == SOURCES[2] else embedded_map()
if got is None:
    st.stop()
m, texts, vecs, labels, can_save, made_with = got
if can_save and st.button("Save this map", key=ui.key("save"), icon=":material/save:",
                          help="Keeps the rows, their vectors and the map on this server, to reopen by a link."):
    key = ev.save_corpus_map(texts, labels, m.coords, vecs, {"rows": len(texts), "model": enc.name, "method": m.method})
    link = ui.page_url({ui.key("source"): SOURCES[2], ui.key("map"): key})
    st.success(ui.esc("Saved on this server. Its link, to reopen or share: ") + f"`{link}`")

st.subheader("Find rows by meaning")
query = st.text_input("A question or phrase", key=ui.key("query"), bind="query-params",
                      placeholder="what are you looking for?")
found = None
if query.strip():
    found = ui.keep_last("corpus_search", lambda: ev.nearest_rows(
        vecs, enc.sentence_vector(ev.check_text(query, what="query"), st.session_state.get(ui.key("strategy"), "model")),
        10, made_with=made_with, model=enc.name))
else:
    st.caption("Type a question or phrase: the rows nearest to it in meaning are listed here.")
if found is not None:
    idx, sims = found
    st.dataframe(pd.DataFrame({"cosine": np.round(sims, 3), "row": [texts[i] for i in idx],
                               "label": [labels[i] if labels else "" for i in idx]}), hide_index=True)

st.subheader("The map")
map_view.explore(m, "corpus_map", title=f"Your corpus: {ev.projection.METHODS.get(m.method, m.method)}", what="rows",
                 reproject=lambda idx, p=None: m.reprojected(idx, m.method, progress=p), show_labels=len(m) <= 300)
