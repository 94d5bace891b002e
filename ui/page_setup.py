"""A page's frame: its title and line of explanation, the place kept for the tour's strip, the
background warm-up, and the sidebar; and the server-side time of each run, for load tests."""

from __future__ import annotations

import os
import threading

import streamlit as st

import embedviz as ev
from ui import pages
from ui.messages import FRIENDLY
from ui.sidebar import sidebar


def page(title: str, intro: str) -> ev.Encoder:
    """Page set-up: title, a line of explanation, the tour's strip, and the sidebar; returns the active
    encoder. ``title`` names the page in ``ui/pages.py``, whose prefix then starts every :func:`key`."""
    header(title, intro)
    enc = sidebar()
    st.session_state["_encoder"] = enc  # for the tour's strip, filled in once the page has drawn
    return enc


def header(title: str, intro: str, *, heading: str | None = None) -> None:
    """Everything a page shows before it needs the model: the title (``heading``, when it differs from
    the page's name in the navigation), a line of explanation, where the guided tour is; and a check of
    what the link asked for (see :func:`report_ignored_url`)."""
    from ui import tour

    pages.by_title(title)  # a page missing from ui/pages.py fails here, at its first run
    st.session_state["_page"] = title
    st.session_state["_long_text"] = False  # set by a text box too long for a link
    st.session_state["_example"] = st.query_params.get("example")  # this run's only: see ui.links.asked_example
    if "example" in st.query_params:
        del st.query_params["example"]
    ev.serve_visitors()  # from here on, files and model folders come only from places the owner named
    st.set_page_config(page_title=f"{heading or title} · embedviz", layout="wide")
    st.title(heading or title)
    st.caption(intro)
    warm_up()  # after the first paint: the imports it starts would compete with it
    st.session_state["_encoder"] = None
    st.session_state["_tour_slot"] = st.container() if tour.current() else None
    if st.session_state.get("_url_page") != title:  # a page opened from a link: check what the link asked
        st.session_state["_url_page"] = title
        st.session_state["_url_asked"] = {k: st.query_params.get_all(k) for k in st.query_params if k not in ("tour", "example")}
        st.session_state["_url_slot"] = st.empty()


_WARMING: list = []


def warm_up() -> None:
    """Start loading the default model and GloVe in the background, once per server process, so that
    the first page that needs them answers sooner while the first page drawn needs neither."""
    def load():
        try:
            ev.load_vectors(ev.GLOVE)
            ev.load_encoder()
        except FRIENDLY:  # the page that needs it will say why
            pass

    if not _WARMING:
        _WARMING.append(threading.Thread(target=load, daemon=True, name="embedviz-warm-up"))
        _WARMING[0].start()


def log_rerun(page_title: str, seconds: float) -> None:
    """One line per script run in the server's log, with ``EMBEDVIZ_LOG_TIMES=1``: the server-side time
    that a load test reports apart from the browsers' own time."""
    if os.environ.get("EMBEDVIZ_LOG_TIMES"):
        print(f"embedviz-rerun page={page_title!r} seconds={seconds:.4f}", flush=True)
