"""The guided tour: the app's story in steps, each a page opened on its example. Home lists the steps;
a page opened from a step shows where it is, what to notice there (computed for the active model) and
what comes next."""

from __future__ import annotations

import streamlit as st

import embedviz as ev
from ui import pages

P = {p.slug: p for p in pages.PAGES}
# (page, the example the step opens on, by the page's own widget names). Titles, figures and what to
# notice come from embedviz.tour, one step each, in this order.
STEPS = [
    (P["Tokens"], {"example": "The tutorial's first sentence"}),
    (P["Layers"], {"example": "The three banks"}),
    (P["Context"], {"example": "The three banks"}),
    (P["Attention"], {"example": "The three banks"}),
    (P["Sentences"], {"example": "Questions"}),
    (P["Static_vectors"], {"example": "king - man + woman", "tab": "Analogies"}),
    (P["Senses"], {"example": "bat: cave, baseball, barn"}),
    (P["Projections"], {"example": "vehicles, pets, fruits"}),
    (P["Projections"], {"example": "frog on all of GloVe 6B"}),
    (P["Corpus"], {"example": "Python's docstrings"}),
    (P["Train"], {"example": "The tutorial's nine words"}),
]
assert len(STEPS) == len(ev.TOUR_TITLES)


def params(k: int) -> dict[str, str]:
    """The link parameters of step ``k`` (1-based): the example by name, the page's own keys, the step."""
    page, asked = STEPS[k - 1]
    return {name if name == "example" else page.key(name): value for name, value in asked.items()} | {"tour": str(k)}


def link(k: int, *, label: str | None = None, container=st) -> None:
    """A link to step ``k`` (1-based), opening its page on its example."""
    container.page_link(STEPS[k - 1][0].path, label=label or f"{k}. {ev.TOUR_TITLES[k - 1]}", query_params=params(k),
                        icon=":material/arrow_forward:")


def steps() -> None:
    """Home's list of steps: a link each, and what the step shows."""
    for k, about in enumerate(ev.TOUR_ABOUT, start=1):
        left, right = st.columns([1, 3])
        link(k, container=left)
        right.caption(about)


def current() -> int | None:
    """The step this page was opened from, if any."""
    try:
        k = int(st.query_params.get("tour", ""))
    except ValueError:
        return None
    return k if 1 <= k <= len(STEPS) else None


def strip(enc: ev.Encoder) -> None:
    """On a page opened from a step: "Guided tour, step k of n", what to notice on its example (computed
    for the active model), and the next step (or the way back to the start)."""
    k = current()
    if k is None:
        return
    with st.container(border=True):
        left, right = st.columns([3, 1])
        try:
            notice = ev.tour_step(k, enc, ev.load_vectors(ev.GLOVE)).notice
        except ev.InputError as e:
            notice = str(e)
        left.markdown(f"**Guided tour, step {k} of {len(STEPS)}: {ev.TOUR_TITLES[k - 1]}.** "
                      + _esc(f"On its example: {notice}"))
        if k < len(STEPS):
            link(k + 1, label=f"Next: {ev.TOUR_TITLES[k]}", container=right)
        else:
            right.page_link(pages.HOME.path, label="Back to the start", icon=":material/home:")


def _esc(text: str) -> str:
    import ui

    return ui.esc(text)


def download(enc, *, container=st) -> None:
    """A button that saves the whole tour (figures, what to notice, the numbers) as one HTML file that
    opens with no server, for sending to people; built on click."""
    container.download_button("Save the tour as one HTML file", key="home_tour_html", file_name="embedviz-tour.html",
                              data=lambda: ev.tour_html(enc, ev.load_vectors(ev.GLOVE)), mime="text/html",
                              on_click="ignore", icon=":material/download:",
                              help="Every step's figure, what to notice and its numbers in one file that opens in any "
                                   "browser, offline.")
