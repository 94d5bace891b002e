"""Links and state: every input lives in the URL under the page's own name, examples always show
exactly their example, a value from a link is checked before its widget sees it, and what a link
asked for that the page could not use is reported."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui import pages
from ui.messages import esc


def asked_example() -> str | None:
    """The example this run's link names (``?example=NAME``, as the tour's steps do). Taken from the
    link once, when the page starts (``ui.header``), so that every :func:`take_example` of the page sees
    it, and a rerun does not apply it again over what the visitor typed since."""
    return st.session_state.get("_example")


def take_example(examples: dict[str, dict[str, object]], *, resets: tuple[str, ...] = ()) -> None:
    """When the link names one of ``examples``, set the widgets it lists (by their short names, as given
    to :func:`key`), whatever was typed before, and forget ``resets``: the widgets whose choices depend
    on them (a picked sentence or token), so they start on the example's own default. Call before those
    widgets are drawn."""
    asked = asked_example()
    if asked in examples:
        forget(resets)
        st.session_state.update({pages.key(name): value for name, value in examples[asked].items()})


def forget(names: tuple[str, ...]) -> None:
    """Drop the page's state for ``names``: their widgets start again on their defaults."""
    for name in names:
        st.session_state.pop(pages.key(name), None)


def valid_state(name: str, ok: Callable[[object], bool]) -> None:
    """Drop the page's state for ``name`` unless ``ok(value)``: a value that came from a link, an old
    session or a story is checked for its type and range before its widget sees it (the widget then
    starts on its default)."""
    k = pages.key(name)
    if k in st.session_state and not ok(st.session_state[k]):
        del st.session_state[k]


URL_TEXT_LIMIT = 4000  # characters of typed text a link carries; past it, links stay short and say so


def text_box(label: str, *, name: str, examples: dict[str, str], height: int = 100,
             max_chars: int | None = None, resets: tuple[str, ...] = ()) -> str:
    """A text area (the page's :func:`key` for ``name``) that starts on the first of ``examples``, with
    a button per example. An example always shows exactly its text, however the box was edited: a
    button, or a link (a tour step) naming it with ``?example=NAME``. The text is in the URL for
    sharing, unless it is too long for a link, which the page then says."""
    take_example({example: {name: text} for example, text in examples.items()}, resets=resets)
    valid_state(name, lambda v: isinstance(v, str))
    k = pages.key(name)
    if len(examples) > 1:
        cols = st.columns(len(examples) + 1)
        cols[0].caption("Examples:")
        for col, (example, text) in zip(cols[1:], examples.items()):
            col.button(example, key=f"{k}_ex_{example}", on_click=_show_example, args=(k, text, resets),
                       width="stretch")
    if k not in st.session_state:  # the first example, unless the link says otherwise
        st.session_state[k] = next(iter(examples.values()))
    long = len(st.session_state[k]) > URL_TEXT_LIMIT
    st.session_state["_long_text"] = st.session_state.get("_long_text") or long  # a slide's link cannot hold it
    text = st.text_area(label, key=k, bind=None if long else "query-params", height=height, max_chars=max_chars)
    if len(text) > URL_TEXT_LIMIT:
        st.caption(f"This text is {len(text):,} characters, too long to share in a link (at most "
                   f"{URL_TEXT_LIMIT:,}): a copied link opens this page on its first example.")
    return text


def _show_example(k: str, text: str, resets: tuple[str, ...]) -> None:
    forget(resets)
    st.session_state[k] = text


def page_url(params: dict[str, str]) -> str:
    """The running page's address with ``params``: a link to copy (the whole address when the browser
    told it, else the page's path)."""
    from urllib.parse import urlencode

    base = st.context.url or pages.current().slug
    return f"{base}?{urlencode(params)}"


def after_page() -> None:
    """What a page shows once it has drawn (app.py calls it after every page, also one that stopped
    early): the tour's strip in the place kept for it, and what the link asked for that the page could
    not use."""
    from ui import tour

    slot, enc = st.session_state.pop("_tour_slot", None), st.session_state.pop("_encoder", None)
    if slot is not None and enc is not None:
        with slot:
            tour.strip(enc)
    report_ignored_url()


def report_ignored_url() -> None:
    """Say which values of the link this page could not use (out of range, unknown, not a number),
    instead of replacing them silently; called once the page has drawn its widgets."""
    asked = st.session_state.pop("_url_asked", None)
    slot = st.session_state.pop("_url_slot", None)
    read = st.session_state.pop("_url_read", set())
    if not asked or slot is None:
        return
    ignored, unused = [], []
    for key, raw in asked.items():
        now = st.query_params.get_all(key)
        what = ", ".join(raw) if raw else "(empty)"
        if key.startswith("embed") or key in read:
            continue
        if key not in st.session_state and now == raw:  # no widget drew it: hidden by the other settings, or
            unused.append(f"{key}={what[:60]}")      # another page's; dropped, so a copied link says what is shown
            del st.query_params[key]
            continue
        if now == raw or _same(raw, st.session_state.get(key)):
            continue
        shown = f"showing {st.session_state[key]}" if key in st.session_state else "no such setting here"
        ignored.append(f"{key}={what[:60]} ({shown})")
    said = []
    if ignored:
        said.append("Ignored from the link, as not a value this page offers: " + ", ".join(ignored) + ".")
    if unused:
        said.append("Not used with these settings (no control on this page shows it), so left out of the link: "
                    + ", ".join(unused) + ".")
    if said:
        slot.warning(esc(" ".join(said)))


def link_value(name: str, default: str = "", *, alias: bool = False) -> str:
    """The page's link parameter ``name`` that no widget draws (a saved map's name, a story), read once
    and counted as used, so it is not reported as ignored. ``alias``: ``name`` as a link may spell it
    without the page's prefix (``map=…`` for ``corpus_map=…``)."""
    k = name if alias else pages.key(name)
    st.session_state.setdefault("_url_read", set()).add(k)
    return st.query_params.get(k, default)


def _same(raw: list[str], value) -> bool:
    """Does the URL's ``raw`` text say ``value`` (a link value that is the default is dropped from the URL)?"""
    if value is None or not raw:
        return False
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value] == raw
    text = raw[-1]
    if isinstance(value, bool):
        return text.lower() in ("true", "1") if value else text.lower() in ("false", "0")
    if isinstance(value, (int, float)):
        try:
            return float(text) == float(value)
        except ValueError:
            return False
    return str(value).lower() == text.lower()
