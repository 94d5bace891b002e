"""The app's pages, declared once: the navigation (app.py), the guided tour, stories and the tests all
read this list. A page's ``prefix`` starts every widget key and link parameter it makes
(:func:`ui.key`), so one page's state can never land in another page's widget: Streamlit's
``bind="query-params"`` carries a bound value to every page that uses the same key.

Adding a page: write its script in ``app_pages/``, add one line here, and make every widget key on it
with ``ui.key(name)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Page:
    path: str    # the script, from the repository root
    title: str   # in the navigation, and the page's heading
    icon: str
    slug: str    # the URL path: /Tokens; "" for Home
    prefix: str  # of every widget key and link parameter on the page

    def key(self, name: str) -> str:
        """The page's own key for ``name``: ``tokens_text`` for ``Tokens.key("text")``."""
        return f"{self.prefix}_{name}"


HOME = Page("app_pages/0_Home.py", "Home", ":material/home:", "", "home")
PAGES = (
    Page("app_pages/1_Tokens.py", "Tokens", ":material/text_fields:", "Tokens", "tokens"),
    Page("app_pages/2_Layers.py", "Layers", ":material/stacks:", "Layers", "layers"),
    Page("app_pages/3_Context.py", "Context", ":material/compare_arrows:", "Context", "context"),
    Page("app_pages/4_Sentences.py", "Sentences", ":material/notes:", "Sentences", "sentences"),
    Page("app_pages/8_Attention.py", "Attention & drift", ":material/visibility:", "Attention", "attention"),
    Page("app_pages/5_Static_vectors.py", "Static vectors", ":material/function:", "Static_vectors", "vectors"),
    Page("app_pages/11_Senses.py", "Senses", ":material/call_split:", "Senses", "senses"),
    Page("app_pages/6_Projections.py", "Projections", ":material/scatter_plot:", "Projections", "projections"),
    Page("app_pages/12_Compare.py", "Compare two spaces", ":material/compare:", "Compare", "compare"),
    Page("app_pages/9_Corpus.py", "Your corpus", ":material/dataset:", "Corpus", "corpus"),
    Page("app_pages/7_Train.py", "Train your own", ":material/model_training:", "Train", "train"),
    Page("app_pages/10_Story.py", "Story", ":material/slideshow:", "Story", "story"),
)
ALL = (HOME, *PAGES)
# Keys the sidebar shares on purpose across pages (the active model and static vectors): no page prefix
# may start them.
SHARED_KEYS = ("model", "model_id", "vec_source", "vec_path", "vec_upload", "glove_dim", "glove_go")


def by_title(title: str) -> Page:
    """The page titled ``title``; a page missing from :data:`PAGES` fails loudly here, at its first run."""
    for p in ALL:
        if p.title == title:
            return p
    raise KeyError(f"{title!r} is not in ui/pages.py: add it to PAGES")


def by_path(path: str) -> Page:
    for p in ALL:
        if p.path == path:
            return p
    raise KeyError(f"{path!r} is not in ui/pages.py")


def current() -> Page:
    """The page this script run draws (set by ``ui.header``)."""
    return by_title(st.session_state["_page"])


def key(name: str) -> str:
    """The running page's own widget key (and link parameter) for ``name``: ``context_layer`` on Context.
    Every widget key on a page is made here, so two pages can never share one by accident."""
    return current().key(name)
