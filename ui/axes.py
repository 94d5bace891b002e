"""Axes made of words, as an option on any map: a toggle, presets, the two ends of x and y; and the
map that puts points on those axes, with the random-axis baseline in its caption. A page calls
:func:`option` where its settings are and :func:`static_map` or :func:`encoder_map` instead of its
projection."""

from __future__ import annotations

import numpy as np
import streamlit as st

import embedviz as ev
import ui

FIELDS = ("x_from", "x_to", "y_from", "y_to")
DEFAULT = ("man", "woman", "bad", "good")
METHOD = "axes made of words"


def _preset(name: str) -> tuple[str, str, str, str]:
    (a, b), (c, d) = ev.AXIS_PRESETS[name], ev.AXIS_PRESETS["sentiment" if name != "sentiment" else "size"]
    return tuple(", ".join(p) for p in (a, b, c, d))


def option(*, what: str = "words") -> tuple | None:
    """The toggle and, when it is on, the axes' ends: ``((x_from, x_to), (y_from, y_to))``, or None."""
    on = st.toggle("Axes made of words", value=False, key=ui.key("axes"), bind="query-params",
                   help=f"Instead of a projection, place the {what} on two directions you name: x from one word (or a "
                        "few, comma-separated) to another, and y the same. A point's place is its cosine with each direction.")
    if not on:
        return None
    names = [f"axes_{f}" for f in FIELDS]
    keys = [ui.key(n) for n in names]
    for name, k, v in zip(names, keys, DEFAULT):
        ui.valid_state(name, lambda s: isinstance(s, str))
        st.session_state.setdefault(k, v)
    with st.container(border=True):
        row = st.container(horizontal=True, vertical_alignment="center")
        row.caption("Presets:")
        row.button("man → woman, bad → good", key=ui.key("axes_p_default"), on_click=_set, args=(keys, DEFAULT))
        for name in ev.AXIS_PRESETS:
            row.button(name, key=ui.key(f"axes_p_{name.replace(' ', '_')}"), on_click=_set, args=(keys, _preset(name)))
        c = st.columns(4)
        labels = ["x from (left)", "x to (right)", "y from (bottom)", "y to (top)"]
        ends = [col.text_input(lab, key=k, bind="query-params", max_chars=200) for col, lab, k in zip(c, labels, keys)]
    return (ends[0], ends[1]), (ends[2], ends[3])


def _set(keys: list[str], values) -> None:
    for k, v in zip(keys, values):
        st.session_state[k] = v


def title(axes: tuple | None, fallback: str) -> str:
    """The map's title: the two axes by name, or ``fallback`` when there are none."""
    if axes is None:
        return fallback
    def name(spec):
        try:
            return ev.axis_name(spec)
        except ev.InputError:  # an end being typed: the map (the last that worked) says why
            return f"{spec[0].strip()} → {spec[1].strip()}"
    return f"x: {name(axes[0])}   ·   y: {name(axes[1])}"


class AxesMap(ev.Map):
    """A map whose places are axes made of words: "show only these" keeps the selected points where they
    are on the same axes (a projection would lose what the axes mean)."""

    def reprojected(self, idx, method=None, **_):
        idx = np.unique(np.asarray(idx, dtype=np.int64))
        if len(idx) < 2:
            raise ev.InputError("Select at least two points to show only them.")
        return AxesMap([self.labels[i] for i in idx], self.vectors[idx], self.coords[idx], method=METHOD,
                       groups=[self.groups[i] for i in idx] if self.groups else None, notes=self.notes)


def _map(labels: list[str], points: np.ndarray, coords: np.ndarray, groups, axes, pool) -> ev.Map:
    spreads = ev.axis_spread(points, coords, pool=pool)
    notes = [s.describe(f"{'xy'[i]} ({ev.axis_name(a)})") for i, (s, a) in enumerate(zip(spreads, axes))]
    pm = ev.point_map(labels, points, coords, method=METHOD, groups=groups, notes=notes)
    return AxesMap(pm.labels, pm.vectors, pm.coords, method=METHOD, groups=pm.groups, trust=pm.trust, notes=pm.notes,
                   scored=pm.scored)


def static_map(vecs: ev.StaticVectors, words: list[str], groups, axes) -> ev.Map:
    """``words`` of a static table on the axes; the baseline's random axes join two of its 10,000 most
    frequent words."""
    coords = vecs.on_axes(words, x=axes[0], y=axes[1])
    return _map(words, vecs.unit[vecs.require(words)], coords, groups, axes, vecs.unit[:10_000])


def encoder_map(enc: ev.Encoder, labels: list[str], points: np.ndarray, groups, axes, *, layer: int | None = None,
                strategy: str | None = None) -> ev.Map:
    """Points of the encoder (tokens at ``layer``, or rows embedded by ``strategy``) on the axes, whose
    ends the encoder embeds the same way; the baseline's random axes join two of the points."""
    coords = enc.on_axes(points, x=axes[0], y=axes[1], layer=layer, strategy=strategy)
    return _map(labels, np.asarray(points), coords, groups, axes, None)
