"""Your corpus: a file of your own rows as a map, with search by meaning and named clusters."""

import numpy as np
import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex
from ui import map_view

enc = ui.page("Your corpus", "What does your own data look like? Drop a file of rows (tickets, titles, abstracts, a "
              "book's sentences): each row becomes a vector, and the vectors a map.")

ev.set_visitor(map_view.visitor())  # re-projections: one at a time per visitor, in the shared queue
SOURCES = ["Python's own docstrings (an example)", "Upload a file", "A saved map"]
source = st.radio("Corpus", SOURCES, horizontal=True, key="corpus_source", bind="query-params")


def opened_map():
    """A map written by `python -m embedviz map` or saved here, by its folder or its link."""
    key = st.query_params.get("map", "")
    folder = st.text_input("Folder of a saved map (from `python -m embedviz map … --out DIR`), or leave it empty to "
                           "open the map of this page's link", value="", key="corpus_folder")
    if not folder.strip() and not key:
        st.info("Type the folder of a saved map, or open a map's link.")
        return None
    cm = ui.keep_last("corpus_opened", lambda: ev.open_saved_map(key) if not folder.strip() else ev.open_map(folder.strip()),
                      about=folder.strip() or key)
    if cm is None:
        return None
    m = ev.Map([t if len(t) <= 80 else t[:77] + "…" for t in cm.texts], cm.vectors, cm.coords,
               method=cm.about.get("method", "pca"), groups=cm.labels if any(cm.labels) else None)
    st.caption(ui.esc(f"{len(cm.texts):,} rows, opened: " + ", ".join(f"{k} {v}" for k, v in cm.about.items()
                                                                                  if k != "source")))
    return m, cm.texts, np.asarray(cm.vectors), cm.labels, False, cm.about.get("model")


def embedded_map():
    if source == SOURCES[0]:
        name, data = "python-docstrings.csv", ex.docstring_corpus()
    else:
        up = st.file_uploader("A .csv, .tsv, .parquet, .jsonl or .txt file (one row per line)",
                              type=["csv", "tsv", "parquet", "jsonl", "ndjson", "txt"], key="corpus_file")
        if up is None:
            st.info(f"Drop a file of up to {ev.limits.MAX_CORPUS_ROWS:,} rows here; for more, run "
                    "`python -m embedviz map FILE --text-column COLUMN --out DIR` and open its folder as a saved map.")
            return None
        name, data = up.name, up.getvalue()
    columns = ui.keep_last("corpus_columns", lambda: ev.columns_of(data, name))
    if columns is None:
        return None
    c = st.columns(3)
    text_col = label_col = None
    if columns:
        text_col = c[0].selectbox("Text column", columns, index=columns.index("text") if "text" in columns else 0,
                                  key="corpus_text_col")
        label_col = c[1].selectbox("Colour by column (optional)", [None] + columns, key="corpus_label_col",
                                   index=([None] + columns).index("module") if "module" in columns else 0,
                                   format_func=lambda v: "none: clusters" if v is None else v)
    strategy = c[2].selectbox("Sentence vector", list(ev.SENTENCE_STRATEGIES), format_func=ev.SENTENCE_STRATEGIES.get,
                              index=list(ev.SENTENCE_STRATEGIES).index("model"), key="corpus_strategy")
    rows = ui.keep_last("corpus_rows", lambda: ev.read_corpus(data, name, text_column=text_col, label_column=label_col))
    if rows is None:
        return None
    vecs, cut = ui.keep_last("corpus_vectors", ui.with_progress(
        f"Embedding {len(rows.texts):,} rows", lambda p: ev.embed_corpus(enc, rows.texts, strategy, progress=p))) or (None, 0)
    if vecs is None:
        return None
    notes = [f"{len(rows.texts):,} rows embedded with {enc.name}"] + ev.rows_note(rows)
    notes += [f"{cut:,} rows longer than the model reads ({enc.max_length} tokens) were cut"] if cut else []
    st.caption(ui.esc("; ".join(notes) + "."))
    groups = rows.labels
    if groups is None:
        k = st.slider("Clusters, named by their most distinctive words", 2, 20, 8, key="corpus_k")
        assign, names = ev.clusters(vecs, rows.texts, k)
        groups = [names[a] for a in assign]
    m = ui.keep_last("corpus_map", ui.with_progress("Projecting", lambda p: ev.corpus_map(
        vecs, rows.texts, groups, method, progress=p)))
    return (m, rows.texts, vecs, groups, True, enc.name) if m is not None else None


method = st.radio("Method", list(ev.projection.METHODS), format_func=ev.projection.METHODS.get, horizontal=True,
                  key="corpus_method", bind="query-params")
got = opened_map() if source == SOURCES[2] else embedded_map()
if got is None:
    st.stop()
m, texts, vecs, labels, can_save, made_with = got

st.subheader("Find rows by meaning")
query = st.text_input("A question or phrase", value="read a file", key="corpus_query", bind="query-params")
found = ui.keep_last("corpus_search", lambda: ev.nearest_rows(
    vecs, enc.sentence_vector(ev.check_text(query, what="query"), st.session_state.get("corpus_strategy", "model")), 10,
    made_with=made_with, model=enc.name))
if found is not None:
    idx, sims = found
    st.dataframe(pd.DataFrame({"cosine": np.round(sims, 3), "row": [texts[i] for i in idx],
                               "label": [labels[i] if labels else "" for i in idx]}), hide_index=True)

st.subheader("The map")
map_view.explore(m, "corpus_map", title=f"Your corpus: {ev.projection.METHODS.get(m.method, m.method)}", what="rows",
                 reproject=lambda idx, p=None: m.reprojected(idx, m.method, progress=p), show_labels=len(m) <= 300)
if can_save and st.button("Save this map", key="corpus_save", icon=":material/save:"):
    key = ev.save_corpus_map(texts, labels, m.coords, vecs, {"rows": len(texts), "model": enc.name, "method": m.method})
    st.success(ui.esc(f"Saved as map {key}. Reopen it with this page's link plus ?corpus_source=A+saved+map&map={key} "
                      "(on this server)."))
