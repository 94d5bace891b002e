"""What every page shares: the sidebar, safe token chips, charts with downloads, and bad-input
handling that keeps the last good result on screen. Widgets live here and in app_pages/, never in
embedviz/."""

from __future__ import annotations

import html
import logging
import os
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import streamlit as st

import embedviz as ev
from embedviz import plots
from ui import pages

if TYPE_CHECKING:
    import pandas as pd  # imported where used: a cold server draws Home's first lines before pandas loads

log = logging.getLogger("embedviz.ui")
OTHER = "Other: type a Hugging Face id or a folder"
UPLOAD_LIMIT_MB = 200
FRIENDLY = (ev.InputError, ev.ModelLoadError)
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def esc(text: object) -> str:
    """``text`` with every Markdown (and LaTeX) character backslash-escaped, so that user text inside a
    message, caption or label shows literally."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def page(title: str, intro: str) -> ev.Encoder:
    """Page set-up: title, a line of explanation, the tour's strip, and the sidebar; returns the active
    encoder. ``title`` names the page in ``ui/pages.py``, whose prefix then starts every :func:`key`."""
    header(title, intro)
    enc = sidebar()
    st.session_state["_encoder"] = enc  # for the tour's strip, filled in once the page has drawn
    return enc


def key(name: str) -> str:
    """The running page's own widget key (and link parameter) for ``name``: ``context_layer`` on Context.
    Every widget key on a page is made here, so two pages can never share one by accident."""
    return _own(name)


def _own(name: str) -> str:  # for helpers whose argument is itself called ``key``
    return pages.by_title(st.session_state["_page"]).key(name)


def page_url(params: dict[str, str]) -> str:
    """The running page's address with ``params``: a link to copy (the whole address when the browser
    told it, else the page's path)."""
    from urllib.parse import urlencode

    base = st.context.url or pages.by_title(st.session_state["_page"]).slug
    return f"{base}?{urlencode(params)}"


def header(title: str, intro: str, *, heading: str | None = None) -> None:
    """Everything a page shows before it needs the model: the title (``heading``, when it differs from
    the page's name in the navigation), a line of explanation, where the guided tour is; and a check of
    what the link asked for (see :func:`report_ignored_url`)."""
    from ui import tour

    pages.by_title(title)  # a page missing from ui/pages.py fails here, at its first run
    st.session_state["_page"] = title
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
    if not asked or slot is None:
        return
    ignored = []
    for key, raw in asked.items():
        now = st.query_params.get_all(key)
        if key.startswith("embed") or now == raw or _same(raw, st.session_state.get(key)):
            continue
        what = ", ".join(raw) if raw else "(empty)"
        shown = f"showing {st.session_state[key]}" if key in st.session_state else "no such setting here"
        ignored.append(f"{key}={what[:60]} ({shown})")
    if ignored:
        slot.warning(esc("Ignored from the link, as not a value this page offers: " + ", ".join(ignored) + "."))


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


def take_example(examples: dict[str, dict[str, object]]) -> None:
    """When the link names one of ``examples`` (``?example=NAME``, as the tour's steps do), set the
    widgets it lists (by their short names, as given to :func:`key`), whatever was typed before; call
    before those widgets are drawn."""
    asked = st.query_params.get("example")
    if asked in examples:
        st.session_state.update({key(name): value for name, value in examples[asked].items()})
        del st.query_params["example"]


def valid_state(name: str, ok: Callable[[object], bool]) -> None:
    """Drop the page's state for ``name`` unless ``ok(value)``: a value that came from a link, an old
    session or a story is checked for its type and range before its widget sees it (the widget then
    starts on its default)."""
    k = key(name)
    if k in st.session_state and not ok(st.session_state[k]):
        del st.session_state[k]


URL_TEXT_LIMIT = 4000  # characters of typed text a link carries; past it, links stay short and say so


def text_box(label: str, *, name: str, examples: dict[str, str], height: int = 100,
             max_chars: int | None = None) -> str:
    """A text area (the page's :func:`key` for ``name``) that starts on the first of ``examples``, with
    a button per example. An example always shows exactly its text, however the box was edited: a
    button, or a link (a tour step) naming it with ``?example=NAME``. The text is in the URL for
    sharing, unless it is too long for a link, which the page then says."""
    take_example({example: {name: text} for example, text in examples.items()})
    valid_state(name, lambda v: isinstance(v, str))
    k = key(name)
    if len(examples) > 1:
        cols = st.columns(len(examples) + 1)
        cols[0].caption("Examples:")
        for col, (example, text) in zip(cols[1:], examples.items()):
            col.button(example, key=f"{k}_ex_{example}", on_click=st.session_state.__setitem__, args=(k, text),
                       width="stretch")
    if k not in st.session_state:  # the first example, unless the link says otherwise
        st.session_state[k] = next(iter(examples.values()))
    long = len(st.session_state[k]) > URL_TEXT_LIMIT
    text = st.text_area(label, key=k, bind=None if long else "query-params", height=height, max_chars=max_chars)
    if len(text) > URL_TEXT_LIMIT:
        st.caption(f"This text is {len(text):,} characters, too long to share in a link (at most "
                   f"{URL_TEXT_LIMIT:,}): a copied link opens this page on its first example.")
    return text


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
    key = _own(key)
    try:
        result = compute()
    except FRIENDLY as e:
        st.warning(esc(e))
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


CHIP_STYLE = {
    "special": "background:#37474f;color:#fff",
    "piece": "background:#fff3e0;color:#8a4b00;border:1px dashed #e08a00",
    "word": "background:#e3f2fd;color:#0d47a1",
    "word2": "background:#e8f5e9;color:#1b5e20",
}


def chips(tokens: list[str], *, special: list[bool], segments: list[int], ids: list[int] | None = None) -> None:
    """Coloured token chips: special tokens dark, ``##`` pieces dashed orange, the second segment
    green. Every token is HTML-escaped, so typed markup shows literally."""
    parts = []
    for i, t in enumerate(tokens):
        kind = "special" if special[i] else "piece" if t.startswith("##") else "word2" if segments[i] else "word"
        sub = f"<sub style='opacity:.6;margin-left:3px'>{ids[i]}</sub>" if ids is not None else ""
        parts.append(f"<span class='ev-chip' title='token {i}' style='display:inline-block;margin:2px;padding:2px 7px;"
                     f"border-radius:6px;font-family:monospace;{CHIP_STYLE[kind]}'>{html.escape(t)}{sub}</span>")
    st.markdown("<div>" + "".join(parts) + "</div>", unsafe_allow_html=True)


def chart(fig, *, key: str, data: pd.DataFrame | None = None, note: str | None = None) -> None:
    """Show a figure with downloads of its picture (HTML) and its numbers (CSV), both built on click;
    ``key`` names the files and, with the page's prefix, the widgets."""
    name, key = key, _own(key)
    st.plotly_chart(fig, key=f"{key}_chart", config={"toImageButtonOptions": {"filename": name}})
    row = st.container(horizontal=True, vertical_alignment="center")  # buttons as wide as their labels
    row.download_button("Figure (HTML)", data=lambda: plots.figure_html(fig), file_name=f"{name}.html",
                        mime="text/html", key=f"{key}_html", icon=":material/download:", on_click="ignore")
    if data is not None:
        row.download_button("Numbers (CSV)", data=lambda: data.to_csv(index=True), file_name=f"{name}.csv",
                            mime="text/csv", key=f"{key}_csv", icon=":material/table:", on_click="ignore")
    from ui import story

    story.add_button(row, fig, key=key, name=name, data=data)
    if note:
        row.caption(note)


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
