"""Your own story: "Add to story" beside every figure keeps the view (its page and settings as a link,
the figure, its numbers, a caption you type); the Story page lists, reorders, plays and saves them.

Slides live in the session; the Story page also writes them into its own link (titles, captions and
links, packed by :func:`embedviz.story_link`), so a reload or a shared link brings the story back. The
figures are kept on the server, a bounded store keyed by each slide's digest: after a reload they come
back while the server has them, and a slide whose figure is gone says so and links to its view.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from urllib.parse import parse_qsl, urlencode, urlsplit

import streamlit as st

import embedviz as ev
import ui
from ui import pages

FIGURES_MB = 64  # the server keeps this many MB of story figures, least recently used dropped first
_FIGURES: OrderedDict[str, tuple[str | None, str | None]] = OrderedDict()
_LOCK = threading.Lock()


def slides() -> list[ev.Slide]:
    """This session's story (the list itself: pages change it in place)."""
    return st.session_state.setdefault("_story", [])


def digest(s: ev.Slide) -> str:
    return hashlib.sha256("\x00".join((s.title, s.caption, s.link)).encode()).hexdigest()[:24]


def keep_figure(s: ev.Slide) -> None:
    """Keep ``s``'s figure and numbers on the server under its digest (bounded in bytes)."""
    with _LOCK:
        _FIGURES[digest(s)] = (s.figure, s.numbers)
        _FIGURES.move_to_end(digest(s))
        while sum(len(f or "") + len(n or "") for f, n in _FIGURES.values()) > FIGURES_MB * 1e6 and len(_FIGURES) > 1:
            _FIGURES.popitem(last=False)


def with_figure(s: ev.Slide) -> ev.Slide:
    """``s`` with its figure and numbers, if the server still has them."""
    with _LOCK:
        kept = _FIGURES.get(digest(s))
    return ev.Slide(s.title, s.caption, s.link, *kept) if kept else s


def current_link() -> str:
    """The view on screen as a link relative to the app: the page and every setting the URL holds."""
    page = pages.by_title(st.session_state["_page"])
    params = [(k, v) for k in st.query_params for v in st.query_params.get_all(k) if k != "tour"]
    return page.slug + (f"?{urlencode(params)}" if params else "")


def target(link: str) -> tuple[pages.Page, dict[str, list[str]]] | None:
    """The page and settings a slide's link opens, or None when it names no page of this app."""
    parts = urlsplit(link)
    for p in pages.ALL:
        if p.slug == parts.path:
            params: dict[str, list[str]] = {}
            for k, v in parse_qsl(parts.query, keep_blank_values=True):
                params.setdefault(k, []).append(v)
            return p, params
    return None


@st.dialog("Add to your story")
def _add_dialog(fig, name: str, data) -> None:
    title = ((fig.layout.title.text or name) if fig.layout.title else name) if fig is not None else name
    st.caption(ui.esc(f"The figure “{title}”, this page's settings as a link, and its numbers." if fig is not None else
                      "This page with its settings, as a link the story opens live."))
    if st.session_state.get("_long_text"):
        st.warning("This page's text is too long for a link (over 4,000 characters): the slide keeps the figure as "
                   "you see it, but its link opens the page on its example.")
    caption = st.text_area("Caption: what should the audience notice?", key="_story_caption", max_chars=ev.story.MAX_CAPTION)
    if st.button("Add", key="_story_add", type="primary", icon=":material/add:"):
        page = pages.by_title(st.session_state["_page"])
        s = ev.Slide(f"{page.title}: {title}"[:200], caption.strip(), current_link(),
                     fig.to_json() if fig is not None else None, ev.numbers_html(data) if data is not None else None)
        keep_figure(s)
        slides().append(s)
        st.session_state.pop("_story_caption", None)
        st.rerun()


def add_button(container, fig, *, key: str, name: str, data=None) -> None:
    """An "Add to story" button (``key``: the page's own) that keeps ``fig`` with a caption."""
    if container.button("Add to story", key=f"{key}_story", icon=":material/playlist_add:",
                        help="Keep this figure, this page's settings and a caption as a slide of your story "
                             "(the Story page plays and saves it)."):
        _add_dialog(fig, name, data)


def sidebar_note() -> None:
    """In the sidebar: this view as a slide (a page without a figure too), how many slides the story
    has, and the way to it."""
    if st.sidebar.button("Add this view to your story", key="_story_view", icon=":material/playlist_add:",
                         help="Keep this page and its settings as a slide (figures have their own button)."):
        _add_dialog(None, "this view", None)
    n = len(slides())
    if n:
        st.sidebar.page_link(next(p.path for p in pages.PAGES if p.slug == "Story"),
                             label=f"Your story: {n} slide{'s' * (n != 1)}", icon=":material/slideshow:")
