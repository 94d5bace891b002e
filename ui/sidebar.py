"""The sidebar: the encoder picker (models not available here marked, a failure explained and the
picker set back), the active model's facts, the static vector source every page shares, and the
story's way in."""

from __future__ import annotations

import os
from collections.abc import Callable

import streamlit as st

import embedviz as ev
from ui.messages import esc, with_progress

OTHER = "Other: type a Hugging Face id or a folder"

UPLOAD_LIMIT_MB = 200


def sidebar() -> ev.Encoder:
    """Model picker and the active model's facts. The list marks models not available here; one that
    fails to load says why, and the picker goes back to the model that worked."""
    allowed = ev.allowed_models()
    default = ev.default_model_name()
    options = list(dict.fromkeys([default] + (allowed if allowed is not None else ev.SUGGESTED)))
    if allowed is None:
        options.append(OTHER)
    if "_model_fallback" in st.session_state:  # set before the picker exists: widgets cannot change after
        st.session_state["model"] = st.session_state.pop("_model_fallback")
    with st.sidebar:
        st.subheader("Encoder")
        choice = st.selectbox("Model", options, key="model", bind="query-params", format_func=_model_label,
                              help="The bundled model works offline. Others load from the Hugging Face "
                                   "cache, the Hub when online, or a local folder.")
        for message in st.session_state.pop("_model_errors", []):
            st.error(esc(message))
        name = choice
        if choice == OTHER:
            name = st.text_input("Hugging Face id or model folder", key="model_id", bind="query-params",
                                 placeholder="bert-base-uncased or /path/to/model").strip()
        prev = st.session_state.get("active_model", default)
        enc = _load(name, prev, back=choice != OTHER and prev in options) if name else None
        if enc is None:
            enc = _load(prev, None, back=False) or ev.load_encoder(ev.BUNDLED)
        st.session_state["active_model"] = enc.name
        import pandas as pd

        facts = enc.facts()
        st.caption("Active model: " + esc(facts.pop("model")))
        st.dataframe(pd.DataFrame({"fact": list(facts), "value": [str(v) for v in facts.values()]}),
                     hide_index=True, width="stretch")
    from ui import story

    story.sidebar_note()
    return enc


def _model_label(name: str) -> str:
    return name if name == OTHER or ev.model_availability(name) is None else f"{name} (not available here)"


def _load(name: str, prev: str | None, *, back: bool) -> ev.Encoder | None:
    """The encoder ``name``, loaded with a progress bar; on failure the reason, and None. With
    ``back``, the picker is set back to ``prev`` and the page reruns, the reason kept for it."""
    if ev.model_is_loaded(name):
        return ev.load_encoder(name)
    bar = st.progress(0.0, text=f"Loading {name}")
    try:
        return ev.load_encoder(name, progress=lambda f, m: bar.progress(f, text=m))
    except ev.ModelLoadError as e:
        message = f"{e}" + (f" Still using {prev}." if prev and prev != name else "")
        if back:
            st.session_state["_model_errors"] = [message]
            st.session_state["_model_fallback"] = prev
            st.rerun()
        st.error(esc(message))
        return None
    finally:
        bar.empty()


VECTOR_SOURCES = ["GloVe 6B 50d (bundled)", "The encoder's input embeddings", "A file on this machine", "Upload a file",
                  "Download GloVe 6B 100d/200d/300d"]


def vector_source(enc: ev.Encoder) -> ev.StaticVectors:
    """Sidebar choice of static vectors, the same on every page that uses them: GloVe 6B 50d (the
    default, offline), the encoder's own table, a file, an upload, or a GloVe 6B download. A source
    that fails keeps the last one that worked, with the reason."""
    with st.sidebar:
        st.subheader("Static vectors")
        default = 2 if os.environ.get("EMBEDVIZ_VECTORS") else 0
        kind = st.radio("Source", VECTOR_SOURCES, index=default, key="vec_source", bind="query-params")
        vecs = _chosen_vectors(kind, enc)
        if vecs is None:
            vecs = st.session_state.get("_vec_last_good") or ev.load_vectors(ev.GLOVE)
            st.caption(esc(f"Still using: {vecs.source}"))
        else:
            st.caption(esc(f"Using: {vecs.source}"))
        st.session_state["_vec_last_good"] = vecs
    return vecs


def _chosen_vectors(kind: str, enc: ev.Encoder) -> ev.StaticVectors | None:
    """The vectors ``kind`` names, or None (with a message on the page) when they cannot be had."""
    if kind == VECTOR_SOURCES[0]:
        return _guarded(lambda progress: ev.load_vectors(ev.GLOVE))
    if kind == VECTOR_SOURCES[1]:
        return ev.load_vectors(ev.ENCODER, encoder=enc)
    if kind == VECTOR_SOURCES[2]:
        path = st.text_input("Path to a GloVe or word2vec file", key="vec_path", bind="query-params",
                             value=os.environ.get("EMBEDVIZ_VECTORS", "")).strip()
        if not path:
            st.info("Type the path of a vector file on this machine.")
            return None
        return _guarded(lambda progress: ev.load_vectors(path, progress=progress))
    if kind == VECTOR_SOURCES[3]:
        up = st.file_uploader("GloVe / word2vec file", type=None, key="vec_upload")
        if up is None:
            st.info("Drop a GloVe or word2vec file here.")
            return None
        if up.size > UPLOAD_LIMIT_MB * 1e6:
            st.error(f"That file is {up.size / 1e6:,.0f} MB, over the {UPLOAD_LIMIT_MB} MB upload limit.")
            return None
        kept = st.session_state.get("_vec_upload")
        if kept and kept[0] == up.file_id:
            return kept[1]
        vecs = _guarded(lambda progress: ev.upload_vectors(up.name, up.getvalue(), progress=progress))
        if vecs is not None:
            st.session_state["_vec_upload"] = (up.file_id, vecs)
        return vecs
    st.caption("Downloads glove.6B.zip (822 MB) from Stanford once, into this server's cache folder. Needs internet.")
    dim = st.selectbox("Dimensions", [100, 200, 300], key="glove_dim", bind="query-params")
    member = f"glove.6B.{dim}d.txt"
    path = ev.downloaded_glove(member)
    if path is None and st.button("Download", key="glove_go"):
        bar = st.progress(0.0)
        try:
            path = ev.download_glove(member=member, progress=lambda f, m: bar.progress(f, text=m))
        except ev.InputError as e:
            st.error(esc(e))
        finally:
            bar.empty()
    if path is None:
        return None
    return _guarded(lambda progress: ev.load_vectors(path, progress=progress))


def _guarded(load: Callable) -> ev.StaticVectors | None:
    """Run ``load(progress)`` with a progress bar; a file that fails says why, in words."""
    try:
        return with_progress("Reading vectors", load)()
    except ev.InputError as e:
        st.error(esc(e))
        return None
