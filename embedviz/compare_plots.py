"""Pure figure builders for two spaces side by side and for the senses page (kept apart from
:mod:`embedviz.plots` so that each concept's pictures live with it)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .cache import memoize
from .plots import PALETTE, _esc, _escs, _layout


@memoize(maxsize=32)
def linked_map_figure(coords: np.ndarray, labels: list[str], *, title: str, groups: list[str] | None = None,
                      values: np.ndarray | None = None, selected: tuple[int, ...] = (), show_labels: bool = True,
                      xtitle: str = "", ytitle: str = "", value_name: str = "neighbours shared") -> go.Figure:
    """One of two linked maps: ``coords`` ``[n, 2]``, coloured by ``groups`` (one trace each) or by
    ``values`` in [0, 1] (red to green), with the ``selected`` points ringed and labelled. Every marker's
    ``customdata`` is its index, so a click or a box in either map names the same points."""
    c = np.asarray(coords, dtype=float)
    fig = go.Figure()
    keep = dict(selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=1)))
    hover = "<b>%{text}</b><extra></extra>"
    n = len(c)
    if values is not None:
        v = np.asarray(values, dtype=float)
        fig.add_trace(go.Scatter(x=c[:, 0], y=c[:, 1], mode="markers", text=_escs(labels), customdata=np.arange(n),
                                 name="points", showlegend=False, **keep,
                                 hovertemplate="<b>%{text}</b><br>" + _esc(value_name) + ": %{marker.color:.0%}<extra></extra>",
                                 marker=dict(size=8, color=v, cmin=0, cmax=1, colorscale="RdYlGn", opacity=0.85,
                                             colorbar=dict(title=_esc(value_name), thickness=12))))
    else:
        names = list(dict.fromkeys(groups)) if groups else ["points"]
        for k, g in enumerate(names):
            idx = np.flatnonzero([gg == g for gg in groups]) if groups else np.arange(n)
            fig.add_trace(go.Scatter(x=c[idx, 0], y=c[idx, 1], mode="markers", text=_escs([labels[i] for i in idx]),
                                     customdata=idx, name=_esc(g), hovertemplate=hover, showlegend=bool(groups), **keep,
                                     marker=dict(size=8, color=PALETTE[k % 10], opacity=0.8)))
    if show_labels and n <= 300:
        fig.add_trace(go.Scatter(x=c[:, 0], y=c[:, 1], mode="text", text=_escs(labels), textposition="top center",
                                 hoverinfo="skip", showlegend=False, name="labels", textfont=dict(size=10, color="#555")))
    if selected:
        idx = np.asarray(selected, dtype=np.int64)
        fig.add_trace(go.Scatter(x=c[idx, 0], y=c[idx, 1], mode="markers+text", text=_escs([labels[i] for i in idx]),
                                 customdata=idx, textposition="bottom center", name=f"selected ({len(idx)})",
                                 hovertemplate=hover, textfont=dict(size=12, color="#000"), **keep,
                                 marker=dict(size=14, color="rgba(0,0,0,0)", line=dict(color="#000", width=2))))
    fig.update_xaxes(title=_esc(xtitle), zeroline=False)
    fig.update_yaxes(title=_esc(ytitle), zeroline=False)
    fig.update_layout(clickmode="event+select", hovermode="closest", dragmode="lasso",
                      legend=dict(orientation="h", y=-0.12))
    return _layout(fig, title, height=520)


@memoize(maxsize=16)
def sense_accuracy_figure(accuracy: np.ndarray, chance: float, *, title: str, chosen: int | None = None) -> go.Figure:
    """Sense accuracy per layer (embeddings = layer 0) as a line, chance as a dashed line, the chosen
    layer marked."""
    a = np.asarray(accuracy, dtype=float)
    x = list(range(len(a)))
    fig = go.Figure(go.Scatter(x=x, y=a, mode="lines+markers", name="nearest use has the same sense",
                               line=dict(color=PALETTE[0], width=3),
                               hovertemplate="layer %{x}: %{y:.2f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=[chance] * len(a), mode="lines", name=f"chance ({chance:.2f})",
                             line=dict(color="#888", dash="dash"), hoverinfo="skip"))
    if chosen is not None and 0 <= chosen < len(a):
        fig.add_trace(go.Scatter(x=[chosen], y=[a[chosen]], mode="markers", name=f"layer {chosen} (chosen)",
                                 marker=dict(size=16, symbol="star", color="#ffd700", line=dict(color="black", width=1))))
    fig.update_xaxes(title="layer (0 = embeddings)", dtick=1)
    fig.update_yaxes(title="sense accuracy", range=[0, 1.02])
    fig.update_layout(legend=dict(orientation="h", y=-0.2))
    return _layout(fig, title, height=380)
