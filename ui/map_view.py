"""A map to explore, as the Embedding Projector's is: find a word, click a point for its nearest
neighbours in the full space, select a region with the box or the lasso, show only the selection,
zoom to it, colour by how well each point keeps its neighbours, and export what is selected.

Streamlit clears a chart's selection whenever its figure changes, and the figure changes with every
highlight, so what is found, clicked and selected lives in session state; box and lasso membership is
computed here from the shape the browser returns, over every point of the map (also those drawn only
in the density image), never from the few thousand points it sends back.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

import embedviz as ev
import ui
from embedviz import plots
from ui import story

LIST_ROWS = 200  # words listed for a selection; the export has them all


def explore(m: ev.Map, key: str, *, title: str, show_labels: bool = True,
            reproject: Callable[..., ev.Map] | None = None, what: str = "words",
            paths: dict[str, list[int]] | None = None, colouring: ev.Colouring | None = None) -> None:
    """Draw ``m`` with its search box, neighbours, selection and exports. ``reproject(idx)`` makes the
    map of just the points ``idx`` ("show only these"; ``reproject(idx, progress)``, whose progress
    also says its place in the build queue); ``what`` names the points in messages; ``paths`` joins
    named point sequences by a line; ``colouring`` (:func:`ev.colour_by` of a column) colours the
    points by a column's numbers or orders its legend. ``key`` is the map's name on its page."""
    _explore(m, ui.key(key), title=title, show_labels=show_labels, reproject=reproject, what=what, paths=paths,
             colouring=colouring)


def _explore(m: ev.Map, key: str, *, title: str, show_labels: bool, reproject, what: str, paths,
             colouring=None) -> None:
    state = _state(m, key)
    if state["only"] is not None and reproject is not None:
        top = st.container(horizontal=True, vertical_alignment="center")
        top.info(f"Showing only the {len(state['only']):,} selected {what}, projected again.")
        if top.button("Back to the whole map", key=f"{key}_back", icon=":material/arrow_back:"):
            state["only"] = None
            st.rerun()
        sub = ui.keep_last(f"{key}_only", ui.with_progress(  # computed once, queued, kept: a rerun does not redo it
            f"Projecting the {len(state['only']):,} selected {what} again", lambda p: reproject(state["only"], p)))
        if sub is not None:
            _explore(sub, f"{key}_only", title=f"{title}: the selection", show_labels=show_labels, reproject=None,
                     what=what, paths=None)
            return
        state["only"] = None
    c = st.columns([3, 1, 2, 1])
    find = c[0].text_input(f"Find a {what[:-1] if what.endswith('s') else what}", value="",
                           key=f"{key}_find", placeholder=_example_word(m) if what == "words" else None,
                           max_chars=ev.limits.MAX_WORD_CHARS)
    k = int(c[1].number_input("Neighbours", 1, 100, 10, key=f"{key}_k"))
    numbers = colouring is not None and colouring.values is not None
    colour = c[2].radio("Colour by", ["value", "trust"] if numbers else ["group", "trust"], horizontal=True,
                        key=f"{key}_colour" + ("_value" if numbers else ""),
                        format_func={"group": "group" if m.groups else "one colour", "trust": "neighbours kept",
                                     "value": colouring.column if numbers else ""}.get,
                        help="Neighbours kept: the share of each point's nearest neighbours in the full space that are "
                             "also its nearest in the picture. Red points are where the picture misleads.")
    big = len(m) > ev.limits.MAX_MARKERS
    show_regions = big and m.dims == 2 and what == "words" and c[3].toggle(
        "Regions", key=f"{key}_regions", help="Outline the dense parts of the map and name each by its most central "
        "frequent words.")
    _take_search(m, state, find)
    _take_event(m, state, key)
    view = state["view"] or m.extent()
    markers = m.markers(view) if big else np.arange(len(m))
    nb = m.neighbours(state["clicked"], k) if state["clicked"] is not None else None
    found = tuple(state["found"]) if state["found"] else ((state["clicked"],) if state["clicked"] is not None else ())
    highlighted = [*found, *(int(i) for i in nb.full)] if nb is not None else list(found)
    layout = m.label_layout(highlighted, view) if m.dims == 2 and highlighted else None  # crowded: moved, with lines
    labelled = m.labelled(view, placed=layout) if show_labels else np.empty(0, dtype=np.int64)
    png = None
    if big and m.dims == 2:
        png = (m.density_png(view, values=colouring.scaled(), scale="viridis") if colour == "value" else
               m.density_png(view, values=m.trust if colour == "trust" else None))
    extra = {}
    if colouring is not None:
        extra = dict(values=colouring.values, value_range=(colouring.low, colouring.high), value_name=colouring.column,
                     legend=tuple(g for g, _ in colouring.legend) or None)
    fig = plots.map_figure(m, view, markers=markers, labelled=labelled, colour=colour, found=found, **extra,
                           cells=m.cells(view) if big and m.dims == 2 else None,
                           neighbours=tuple(int(i) for i in nb.full) if nb is not None else (),
                           selected=state["selected"], png=png, title=title, paths=paths, layout=layout,
                           regions=ev.map_regions(m) if show_regions else None)
    if m.dims == 2:
        st.plotly_chart(fig, key=key, on_select="rerun", selection_mode=("points", "box", "lasso"),
                        config={"toImageButtonOptions": {"filename": key}, "displaylogo": False})
        st.caption(_facts(m, view, big, len(markers)))
    else:
        st.plotly_chart(fig, key=key, config={"displaylogo": False})
        st.caption("3-D is a view: find a word here; click, box and lasso work in 2-D.")
    story.add_button(st, fig, key=key, name="map")
    left, right = st.columns(2)
    with left:
        _neighbour_list(m, nb, what, key)
    with right:
        _selection(m, state, key, what, can_reproject=reproject is not None)


def _example_word(m: ev.Map) -> str:
    """A word the search box can suggest that is on this map ("frog" on a whole vocabulary)."""
    return "frog" if m.find("frog") else (m.labels[min(3, len(m) - 1)] if len(m) else "")


def visitor() -> str | None:
    """This session's id: the build queue gives each visitor one build at a time."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def _state(m: ev.Map, key: str) -> dict:
    """What is found, clicked and selected on map ``key``. A new map of the same points (another method
    or seed) keeps them, so a cluster selected in PCA can be followed into UMAP; the view resets."""
    s = st.session_state.setdefault(f"{key}__map", {})
    # the same points: every label for a small map (new text, new points), the ends for a big one (cheap)
    ident = (len(m), hash(tuple(m.labels)) if len(m) <= ev.limits.MAX_MARKERS else (m.labels[0], m.labels[-1]))
    if s.get("points") != ident:
        s.update(points=ident, clicked=None, found=[], selected=None, how="", only=None, searched=None, event=None)
    if s.get("map") != m.memo_key:
        s.update(map=m.memo_key, view=None)
    return s


def _take_search(m: ev.Map, state: dict, find: str) -> None:
    if find == state["searched"]:
        return
    state["searched"] = find
    if not find.strip():
        state["found"] = []
        return
    hits = m.find(find)
    if not hits:
        tips = m.suggest(find)
        some = ", ".join(m.labels[i] for i in np.flatnonzero(m.readable)[:8])  # words, not ",", "." or "the"
        st.warning(ui.esc(f"“{find}” is not on this map of {len(m):,} points."
                          + (f" Did you mean: {', '.join(tips)}?" if tips else f" It holds, for instance: {some}.")))
        return
    state["found"], state["clicked"] = hits[:20], hits[0]
    if m.dims == 2:  # centre on it, close enough that its neighbourhood gets labels
        x0, x1, y0, y1 = m.extent()
        w, h = (x1 - x0) / 8, (y1 - y0) / 8
        cx, cy = (float(v) for v in m.coords[hits[0], :2])
        state["view"] = (cx - w, cx + w, cy - h, cy + h) if len(m) > ev.limits.MAX_MARKERS else None


def _take_event(m: ev.Map, state: dict, key: str) -> None:
    """Read the chart's last selection (a click, a box or a lasso) once."""
    raw = st.session_state.get(key)
    sel = (raw or {}).get("selection") if raw else None
    if not sel:
        return
    box, lasso, points = sel.get("box") or [], sel.get("lasso") or [], sel.get("points") or []
    sig = repr((box, lasso, [p.get("customdata") for p in points][:50], len(points)))
    if sig == state["event"]:
        return
    state["event"] = sig
    if box:
        b = box[-1]
        state["selected"], state["how"] = m.in_box(b["x"], b["y"]), "box"
    elif lasso:
        lz = lasso[-1]
        state["selected"], state["how"] = m.in_lasso(lz["x"], lz["y"]), "lasso"
    elif points:
        idx = [_index(p) for p in points]
        idx = [i for i in idx if i is not None]
        if len(idx) == 1:
            state["clicked"], state["found"] = idx[0], []
        elif idx:
            state["selected"], state["how"] = np.unique(idx), "clicks"


def _index(point: dict) -> int | None:
    cd = point.get("customdata")
    if isinstance(cd, list):
        cd = cd[0] if cd else None
    try:
        return int(cd)
    except (TypeError, ValueError):
        return None


def _facts(m: ev.Map, view, big: bool, drawn: int) -> str:
    n_view = len(m.in_view(view))
    parts = [f"{len(m):,} points ({ev.projection.METHODS.get(m.method, m.method)})"]
    if big:
        parts.append(f"{n_view:,} in view: every one in the shaded density image, the {drawn:,} most frequent as "
                     "points you can click; labels for a few, spread out")
    if m.explained_variance is not None:
        parts.append("variance kept: " + " + ".join(f"{v:.1%}" for v in m.explained_variance[:2]))
    if m.scored:
        parts.append(_kept_story(m))
    return "; ".join(parts) + ". " + " ".join(m.notes)


def _neighbour_list(m: ev.Map, nb: ev.Neighbours | None, what: str, key: str) -> None:
    if nb is None:
        st.markdown("**Neighbours**")
        st.caption(f"Click a point, or find a {what[:-1]}, to list its nearest neighbours in the full space.")
        return
    import pandas as pd

    word = m.labels[nb.index]
    st.markdown(f"**Nearest to “{ui.esc(word)}”** (cosine, all {len(m.vectors[0])} dimensions)")
    near = set(nb.picture.tolist())
    st.dataframe(pd.DataFrame({"word": [m.labels[i] for i in nb.full], "cosine": np.round(nb.cosines, 3),
                               "near in the picture too": ["yes" if i in near else "" for i in nb.full]}),
                 hide_index=True, height=min(38 + 35 * len(nb.full), 390), key=f"{key}_nb_{m.memo_key[1]}")
    k = len(nb.full)
    typical, over = m.typical_kept(k)
    st.caption(f"{nb.kept} of its {k} nearest neighbours in the full space are among its {k} nearest in the picture "
               f"(each among all {len(m):,} points). Among all {len(m):,}, a point of this map keeps about "
               f"{_share(typical / k)} of its {k} on average (measured on {over:,} points drawn at random"
               + (f"; among only the {m.scored:,} most frequent, {_scored_share(m)}" if 0 < m.scored < len(m) else "")
               + f"), so {nb.kept} is "
               + ("about usual." if abs(nb.kept - typical) <= max(1.0, 0.25 * typical) else
                  "better than usual." if nb.kept > typical else "worse than usual."))


def _share(x: float) -> str:
    """A share as a percentage a reader takes in: "19%", "1%", "0.4%" (never "0%" for a few)."""
    return f"{x:.0%}" if x >= 0.01 or x == 0 else f"{x:.1%}"


def _scored_share(m: ev.Map) -> str:
    return _share(float(np.nanmean(m.trust[: m.scored])))


def _kept_story(m: ev.Map) -> str:
    """How many of its 10 nearest neighbours a point keeps, among the scored words (among themselves) and,
    when those are not all the map's points, among all of them, where a found word's neighbours are
    counted: the two figures as one story (the neighbour list repeats both)."""
    scored = f"among the {m.scored:,} most frequent words, a point keeps {_scored_share(m)} of its 10 nearest neighbours"
    if m.scored >= len(m):
        return scored
    typical, over = m.typical_kept(10)
    return f"{scored}; among all {len(m):,} (where a found word's neighbours are counted), about {_share(typical / 10)}"


def _selection(m: ev.Map, state: dict, key: str, what: str, *, can_reproject: bool) -> None:
    sel = state["selected"]
    st.markdown("**Selection**")
    if sel is None:
        st.caption("Pick Box Select or Lasso Select in the chart's toolbar and drag over the map. The downloads "
                   "below export every point until you select some.")
        idx = np.arange(len(m))
    elif len(sel) == 0:
        st.info(f"That {state['how']} holds no {what}: try a larger area.")
        idx = sel
    else:
        import pandas as pd

        st.caption(f"{len(sel):,} {what} selected by {state['how']}" + (f"; the first {LIST_ROWS} listed, most frequent "
                   "first (the downloads hold them all)" if len(sel) > LIST_ROWS else "") + ".")
        first = sel[:LIST_ROWS]
        st.dataframe(pd.DataFrame({"word": [m.labels[i] for i in first], "x": m.coords[first, 0].round(3),
                                   "y": m.coords[first, 1].round(3)}), hide_index=True, height=250,
                     key=f"{key}_sel_{m.memo_key[1]}")
        idx = sel
    row = st.container(horizontal=True)
    if sel is not None:
        if can_reproject and len(sel) >= 2 and row.button("Show only these", key=f"{key}_only_btn",
                                                          icon=":material/filter_alt:"):
            state["only"] = sel
            st.rerun()
        if len(sel) and m.dims == 2 and row.button("Zoom to selection", key=f"{key}_zoom", icon=":material/zoom_in:"):
            c = m.coords[sel, :2]
            lo, hi = c.min(axis=0), c.max(axis=0)
            pad = (hi - lo) * 0.05 + 1e-6
            state["view"] = (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1]))
            st.rerun()
        if row.button("Clear", key=f"{key}_clear", icon=":material/close:"):
            state["selected"], state["how"] = None, ""
            st.rerun()
    if state["view"] is not None and row.button("Whole map", key=f"{key}_whole", icon=":material/zoom_out_map:"):
        state["view"] = None
        st.rerun()
    if len(idx):
        name = "selection" if sel is not None else "map"
        row = st.container(horizontal=True)
        _csv_button(m, idx, row, key, name)
        row.download_button("vectors.tsv (Projector)", lambda: m.projector_files(idx)[0], f"{key}-{name}-vectors.tsv",
                            key=f"{key}_tsv", on_click="ignore")
        row.download_button("metadata.tsv (Projector)", lambda: m.projector_files(idx)[1],
                            f"{key}-{name}-metadata.tsv", key=f"{key}_meta", on_click="ignore")


BIG_EXPORT = 50_000  # rows past which an export says its size and is written with progress first


def _csv_button(m: ev.Map, idx: np.ndarray, row, key: str, name: str) -> None:
    """The CSV download; a big one says its estimated size, then is written with a progress bar on a
    click, and downloaded from the file so made (the 400,000 words: ~180 MB)."""
    label = "CSV (coordinates, labels, vectors)"
    if len(idx) <= BIG_EXPORT:
        row.download_button(label, lambda: m.csv(idx), f"{key}-{name}.csv", "text/csv", key=f"{key}_csv",
                            icon=":material/download:", on_click="ignore")
        return
    sig = (m.memo_key, len(idx), hash(idx[:: max(1, len(idx) // 1000)].tobytes()))
    ready = st.session_state.get(f"{key}__csv")
    if ready is not None and ready[0] == sig:
        row.download_button(f"{label}: {len(ready[1]) / 1e6:,.0f} MB, ready", ready[1], f"{key}-{name}.csv", "text/csv",
                            key=f"{key}_csv", icon=":material/download:", on_click="ignore")
        return
    size = m.csv_size(idx)
    if row.button(f"Prepare the CSV of {len(idx):,} rows (about {size / 1e6:,.0f} MB)", key=f"{key}_csv_make",
                  icon=":material/download:"):
        data = ui.with_progress(f"Writing the CSV of {len(idx):,} rows (about {size / 1e6:,.0f} MB)",
                                lambda p: m.csv(idx, progress=p))()
        st.session_state[f"{key}__csv"] = (sig, data)  # one prepared file a map, replaced by the next
        st.rerun()
