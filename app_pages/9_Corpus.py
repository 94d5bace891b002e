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
    """A map written by `python -m embedviz map` or saved here, by its folder or its link (``corpus_map=NAME``,
    or the short ``map=NAME``), coloured by any of its columns, grown by an upload."""
    key = ui.link_value("map") or ui.link_value("map", alias=True)
    folder = st.text_input("Folder of a saved map (from `python -m embedviz map … --out DIR`)", key=ui.key("folder"),
                           placeholder="a folder, or open the link “Save this map” gave")
    typed = folder.strip()
    if not typed and not key:
        st.info("Type the folder of a saved map, or open a map's link.")
        return None
    where = typed or f"the saved map {key}"
    cm, where = ui.keep_last("corpus_opened", lambda: (ev.open_map(typed) if typed else ev.open_saved_map(key), where),
                             about=where) or (None, None)  # a bad folder or link: the last map stays, named truly
    if cm is None:
        return None
    st.caption(ui.esc(f"{len(cm.texts):,} rows, opened from {where}; made with {cm.model_name or 'an unnamed model'}: "
                      + ", ".join(f"{k} {v}" for k, v in cm.about.items()
                                  if k not in ("source", "model", "model name", "version"))))
    columns = cm.columns
    by = st.selectbox("Colour by column", [None] + columns, key=ui.key("colour_by"),
                      index=1 + columns.index("label") if "label" in columns and any(cm.labels) else 0,
                      format_func=lambda v: "none" if v is None else v)
    colouring = ui.keep_last("corpus_colouring", lambda: cm.colouring(by))
    if colouring is not None:
        st.caption(ui.esc(colouring.note))
    if not typed:
        _grow(key)
    return cm.picture(colouring), cm.texts, cm.vectors, cm.labels, False, ev.map_model(cm.about), colouring


def _grow(name: str) -> None:
    """"Add rows to this map": an upload, embedded with the map's own model and placed among its rows."""
    with st.expander("Add rows to this map", key=ui.key("grow_open")):  # keyed: stays open across reruns
        up = st.file_uploader("A .csv, .tsv, .parquet, .jsonl or .txt file of new rows",
                              type=["csv", "tsv", "parquet", "jsonl", "ndjson", "txt"], key=ui.key("grow_file"))
        if up is None:
            st.caption("New rows are embedded with the map's own model and placed among their nearest rows; "
                       "the rows already on the map stay exactly where they are.")
            return
        # keyed by the file: a bad file says why and offers nothing to add, never the last file's columns
        columns, texts = ui.keep_last(f"corpus_grow_columns_{up.file_id}", lambda: (
            ev.columns_of(up.getvalue(), up.name), ev.text_columns(up.getvalue(), up.name))) or (None, None)
        if columns is None:
            return
        text_col = st.selectbox("Text column", columns, key=ui.key("grow_text_col"),
                                index=columns.index("text" if "text" in texts else texts[0])) if columns else None
        if said := st.session_state.pop(ui.key("grown"), None):
            st.success(ui.esc(said))
        if st.button("Add these rows", key=ui.key("grow"), icon=":material/add:"):
            grown = ui.keep_last("corpus_grow", ui.with_progress("Adding rows", lambda p: ev.grow_map(
                name, up.getvalue(), name=up.name, text_column=text_col, progress=p)))
            if grown is not None:  # the map above was drawn before it grew: draw it again, grown
                st.session_state[ui.key("grown")] = grown.sentence()
                st.rerun()


def corpus_file():
    """The example's name and bytes, or the uploaded file's (None while there is none)."""
    if source == SOURCES[0]:
        return "python-docstrings.csv", ex.docstring_corpus()
    up = st.file_uploader("A .csv, .tsv, .parquet, .jsonl or .txt file (one row per line)",
                          type=["csv", "tsv", "parquet", "jsonl", "ndjson", "txt"], key=ui.key("file"))
    if up is None:
        st.info(f"Drop a file of up to {ev.limits.MAX_CORPUS_ROWS:,} rows here; for more, run "
                "`python -m embedviz map FILE --text-column COLUMN --out DIR` and open its folder as a saved map.")
        return None
    return up.name, up.getvalue()


def embedded_map(name, data):
    columns = ev.columns_of(data, name)  # a bad file raises: one sentence, the last map kept (see below)
    texts = ev.text_columns(data, name)  # a column of numbers is not text: never the default
    c = st.columns(4)
    text_col = label_col = vec_col = None
    if columns:
        text_col = c[0].selectbox("Text column", columns, key=ui.key("text_col"),
                                  index=columns.index("text" if "text" in texts else texts[0]),
                                  help="The column whose text each row is embedded by; columns of text: "
                                       + ", ".join(texts[:20]) + ".")
        label_col = c[1].selectbox("Colour by column (optional)", [None] + columns, key=ui.key("label_col"),
                                   index=([None] + columns).index("module") if "module" in columns else 0,
                                   format_func=lambda v: "none: clusters" if v is None else v)
        if name.lower().endswith(".parquet"):  # a parquet file can bring its rows' vectors in a column
            vec_col = c[1].selectbox("Vectors of your own (optional)", [None] + columns, key=ui.key("vec_col"),
                                     format_func=lambda v: "none: embed the text" if v is None else v)
    static = ev.embedder_spec(f"static:{enc.name}")
    spec = c[2].selectbox("Rows embedded by", [enc.name, static], key=ui.key("model"), disabled=vec_col is not None,
                          format_func=lambda s: "the encoder" if s == enc.name else "a static model (faster)",
                          help=f"The encoder ({enc.name}) reads each row through all its layers; a static model "
                               f"({ev.embedder_name(static)}, built once for this server) averages its tokens' "
                               "vectors, for big corpora.")
    strategy = c[3].selectbox("Sentence vector", list(ev.SENTENCE_STRATEGIES), format_func=ev.SENTENCE_STRATEGIES.get,
                              index=list(ev.SENTENCE_STRATEGIES).index("model"), key=ui.key("strategy"),
                              disabled=spec == static or vec_col is not None,
                              help="A static model has one: the mean of its token vectors.")
    strategy = "model" if spec == static else strategy
    rows = ev.read_corpus(data, name, text_column=text_col, label_column=label_col, vector_column=vec_col,
                          min_rows=ev.limits.MIN_MAP_ROWS)
    if rows.vectors is not None:  # the rows brought their vectors: used as they are, nothing embedded
        st.caption(ui.esc(f"{len(rows.texts):,} rows with vectors of your own from column {vec_col!r} "
                          f"({rows.vectors.shape[1]:,} numbers each); nothing was embedded. "
                          + " ".join(ev.rows_note(rows))))
        return _map_of(rows.vectors, rows, label_col, None, (None, "model"))
    embedder = enc if spec == enc.name else ui.keep_last("corpus_embedder", ui.with_progress(
        f"The {ev.embedder_name(static)} model: built once for this server, then read from its cache",
        lambda p: ev.load_embedder(spec, progress=p)))
    if embedder is None:
        return None
    if embedder is not enc and embedder.quality:  # its price, measured when it was built, beside the choice
        st.caption(ui.esc(f"{embedder.name[0].upper()}{embedder.name[1:]}: {embedder.quality.sentence()}."))
    vecs, cut = ui.keep_last("corpus_vectors", ui.with_progress(
        f"Embedding {len(rows.texts):,} rows", lambda p: ev.embed_corpus(embedder, rows.texts, strategy, progress=p))) or (None, 0)
    if vecs is None:
        return None
    notes = [f"{len(rows.texts):,} rows embedded with {embedder.name}"] + ev.rows_note(rows)
    notes += [f"{cut:,} rows longer than the model reads were cut"] if cut else []
    st.caption(ui.esc("; ".join(notes) + "."))
    return _map_of(vecs, rows, label_col, embedder, (spec, strategy))


def _map_of(vecs, rows, label_col, embedder, made_with):
    """The map of rows and their vectors, coloured by the label column or by named clusters; axes made
    of words when an ``embedder`` (the rows' own model) can place the axes' ends in the same space."""
    groups = rows.labels
    if groups is None:
        k = st.slider("Clusters, named by their most distinctive words", 2, 20, 8, key=ui.key("k"))
        assign, names = ev.clusters(vecs, rows.texts, k)
        groups = [names[a] for a in assign]
    m = ui.keep_last("corpus_map", ui.with_progress("Projecting", lambda p: ev.corpus_map(
        vecs, rows.texts, groups, method, progress=p)))
    axes = word_axes.option(what="rows") if embedder is not None else None  # axes made of words (ui/axes.py)
    if axes is not None and m is not None:
        m = ui.keep_last("corpus_axes", lambda: word_axes.encoder_map(embedder, m.labels, vecs, groups, axes,
                                                                      strategy=made_with[1])) or m
    colouring = ev.colour_by(groups, column=label_col or "cluster") if groups else None
    if colouring is not None and colouring.groups != groups:  # many values: the most common named, the rest "other"
        m = ev.Map(m.labels, m.vectors, m.coords, method=m.method, groups=colouring.groups, trust=m.trust, notes=m.notes,
                   scored=m.scored, unit=m.unit, explained_variance=m.explained_variance, key=f"{m.memo_key[1]}-top")
        st.caption(ui.esc(colouring.note))
    return (m, rows.texts, vecs, groups, True, made_with, colouring) if m is not None else None

method = st.radio("Method", list(ev.projection.METHODS), format_func=ev.projection.METHODS.get, horizontal=True,
                  key=ui.key("method"), bind="query-params")
if source == SOURCES[2]:
    got = opened_map()
else:  # a file that cannot be mapped (binary, no column of text, too few rows) is said once; the last map stays
    file = corpus_file()
    got = file and ui.keep_last("corpus_embedded", lambda: embedded_map(*file), about=file[0])
if got is None:
    st.stop()
m, texts, vecs, labels, can_save, made_with, colouring = got
if can_save and st.button("Save this map", key=ui.key("save"), icon=":material/save:",
                          help="Keeps the rows, their vectors and the map on this server, to reopen by a link."):
    model = {"model": made_with[0], "model name": ev.embedder_name(made_with[0])} if made_with[0] else \
        {"model": ev.OWN_VECTORS, "model name": ev.OWN_VECTORS}
    key = ev.save_corpus_map(texts, labels, m.coords, vecs, {"rows": len(texts), **model, "strategy": made_with[1],
                                                             "method": m.method})
    link = ui.page_url({ui.key("source"): SOURCES[2], ui.key("map"): key})
    st.success(ui.esc("Saved on this server. Its link, to reopen or share: ") + f"`{link}`")

st.subheader("Find rows by meaning")
spec, strategy = made_with  # a query is embedded by the model that made the rows' vectors, never another
why = ("This map's vectors are your own, or it does not record which model made them, so no model here can place a "
       "query among them" if spec is None else ev.embedder_unavailable(spec))
if why:
    st.info(ui.esc(f"Search is off for this map: {why.rstrip('.')}. A query embedded by another model would land "
                   "in another space. The map itself is below."))
long = len(st.session_state.get(ui.key("query")) or "") > ui.URL_TEXT_LIMIT  # too long for a link: kept out of it
query = st.text_input("A question or phrase", key=ui.key("query"), bind=None if long else "query-params",
                      disabled=bool(why), placeholder="what are you looking for?")
if len(query) > ui.URL_TEXT_LIMIT:
    st.caption(f"This query is {len(query):,} characters, too long to share in a link (at most "
               f"{ui.URL_TEXT_LIMIT:,}): a copied link opens this page without it.")
found = None
if query.strip() and not why:
    embedder = ui.keep_last("corpus_query_model", ui.with_progress(
        f"Loading {ev.embedder_name(spec)}", lambda p: ev.load_embedder(spec, progress=p)))
    qv, cut = (embedder and ui.keep_last("corpus_query_vector", lambda: ev.embed_corpus(
        embedder, [ev.check_text(query, what="query")], strategy))) or (None, 0)
    if cut:
        st.warning(ui.esc(f"The query made more tokens than {embedder.name} reads, so it was cut to its first part: "
                          "the rows below are nearest to that part only."))
    found = qv is not None and ui.keep_last("corpus_search", lambda: ev.nearest_rows(
        vecs, qv[0], 10, made_with=ev.embedder_name(spec), model=embedder.name)) or None
    if found is not None:
        how = "the mean of its token vectors" if isinstance(embedder, ev.StaticEmbedder) else \
            ev.SENTENCE_STRATEGIES.get(strategy, strategy).lower()
        st.caption(ui.esc(f"Query embedded with {embedder.name} ({how}), the model that made this map's vectors."))
elif not why:
    st.caption("Type a question or phrase: the rows nearest to it in meaning are listed here.")
if found is not None:
    idx, sims = found
    st.dataframe(pd.DataFrame({"cosine": np.round(sims, 3), "row": [texts[i] for i in idx],
                               "label": [labels[i] if labels else "" for i in idx]}), hide_index=True)

st.subheader("The map")
map_view.explore(m, "corpus_map", title=f"Your corpus: {ev.projection.METHODS.get(m.method, m.method)}", what="rows",
                 reproject=lambda idx, p=None: m.reprojected(idx, m.method, progress=p), show_labels=len(m) <= 300,
                 colouring=colouring)
