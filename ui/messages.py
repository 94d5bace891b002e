"""Bad input in plain words: escaping user text, keeping the last good result on screen with the
reason, progress bars that are also where a long step stops, and lines of a text box."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import streamlit as st

import embedviz as ev
from ui import pages

log = logging.getLogger("embedviz.ui")

FRIENDLY = (ev.InputError, ev.ModelLoadError)

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def esc(text: object) -> str:
    """``text`` with every Markdown (and LaTeX) character backslash-escaped, so that user text inside a
    message, caption or label shows literally."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


ECHO_LIMIT = 60  # characters of typed input a message repeats
MESSAGE_LIMIT = 400
QUOTED = re.compile(r"(['‘“\"])([^\n]{%d,}?)(['’”\"])" % (ECHO_LIMIT + 1))


def bounded(message: str) -> str:
    """``message`` with every quoted stretch of typed input cut to its first ``ECHO_LIMIT`` characters
    and "…", and the whole cut to ``MESSAGE_LIMIT``: a pasted essay is named, not repeated."""
    message = QUOTED.sub(lambda m: m[1] + m[2][:ECHO_LIMIT] + "…" + m[3], message)
    return message if len(message) <= MESSAGE_LIMIT else message[:MESSAGE_LIMIT - 1] + "…"


def with_progress(text: str, compute: Callable[[Callable[[float, str], None]], object]) -> Callable[[], object]:
    """``compute(progress)`` as a no-argument function that shows a progress bar while it runs. The
    bar is also where a long step stops: Streamlit ends a run at its next update when the visitor
    clicks again or leaves."""
    def run():
        bar = st.progress(0.0, text=text)
        try:
            return compute(lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m))
        finally:
            bar.empty()
    return run


def keep_last(key: str, compute: Callable[[], object], *, about: str | None = None):
    """Run ``compute``; on bad input show the reason and return the last good result for ``key``
    (None when there is none), saying which input that result belongs to (``about``: a few words
    naming the input, such as the text). No traceback reaches the page."""
    store = st.session_state.setdefault("_last_good", {})
    key = pages.key(key)
    try:
        result = compute()
    except FRIENDLY as e:
        st.warning(esc(bounded(str(e))))
        return _last(store, key)
    except Exception as e:  # a bug: log it for us, tell the person in words
        log.exception("while computing %s", key)
        st.error(f"Something went wrong ({type(e).__name__}).")
        return _last(store, key)
    store[key] = (result, about)
    return result


def _last(store: dict, key: str):
    if key not in store:
        return None
    result, about = store[key]
    short = about if about is None or len(about) <= 80 else about[:77] + "…"
    st.caption(esc("Still showing the last result that worked" + (f", for: {short}" if short else "") + "."))
    return result


def lines(text: str, *, limit: int = 200) -> tuple[list[str], str | None]:
    """Non-empty lines of a text area, capped at ``limit`` with a message when cut."""
    rows = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if len(rows) > limit:
        return rows[:limit], f"Using the first {limit} of {len(rows)} lines."
    return rows, None


def require_lines(rows: list[str], n: int) -> list[str]:
    """``rows``, or an InputError when there are fewer than ``n``."""
    if len(rows) < n:
        raise ev.InputError("Type at least one sentence." if n == 1 else f"Type at least {n} sentences, one per line.")
    return rows


def say_cut(hs_list) -> None:
    """Which texts were longer than the model reads, and where they were cut (one sentence for all)."""
    cut = [(i, h.tokenization) for i, h in enumerate(hs_list) if h.tokenization.truncated]
    if not cut:
        return
    which = "The text" if len(hs_list) == 1 else (
        "Sentence " + ", ".join(str(i + 1) for i, _ in cut[:10]) + (" and others" if len(cut) > 10 else ""))
    st.warning(esc(f"{which} made more tokens than the model reads, so {'it was' if len(cut) == 1 else 'they were'} "
                   f"cut to the first {cut[0][1].max_length}: the figures show only what the model read."))
