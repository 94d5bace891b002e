"""Pure functions from result objects to ``plotly.graph_objects.Figure``.

Every builder takes already computed numbers and returns a figure; nothing here computes maths
or touches a widget, so the figures can be tested as data (``fig.data[0].z`` and friends).
Building a plotly figure costs tens of milliseconds (validation), so builders are memoised by
their arguments: a rerun that changes nothing reuses the figure. Treat returned figures as
read-only (``st.plotly_chart`` copies them).
"""

from __future__ import annotations

import html
import warnings

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import limits
from .cache import memoize

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]
# a map's categories: the ten above, then the lighter ten of d3's category20; "other" grey
GROUP_COLOURS = PALETTE + ["#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d",
                           "#9edae5"]
OTHER_COLOUR = "#c7c7c7"
WEBGL_AFTER = 1000


def _esc(text) -> str:
    """Plotly reads its strings as a little HTML (<b>, <a href>): user words are escaped to show literally."""
    return html.escape(str(text), quote=False)


def _escs(items) -> list[str]:
    return [_esc(t) for t in items]


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    # No template here: applying one costs ~25 ms a figure, more than the rest of a page's rerun, and the
    # app draws with Streamlit's theme anyway; figure_html applies plotly_white to a download.
    # automargin: long tick labels ("bank (robber) ~ bank (river)") widen the margin instead of being cut
    fig.update_layout(title=_esc(title), height=height, margin=dict(l=40, r=20, t=50, b=40))
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


@memoize(maxsize=64)
def histogram_figure(values: np.ndarray, *, title: str, bins: int = 200) -> go.Figure:
    """A histogram of one vector's values (the tutorial's 200 bins)."""
    v = np.asarray(values).ravel()
    fig = go.Figure(go.Histogram(x=v, nbinsx=bins, marker_color=PALETTE[0]))
    fig.update_xaxes(title="value")
    fig.update_yaxes(title="count")
    return _layout(fig, title)


@memoize(maxsize=64)
def layer_histograms_figure(array: np.ndarray, token_index: int, token: str, *, bins: int = 80) -> go.Figure:
    """Small multiples: the value histogram of one token at every layer, ``array`` ``[layers + 1, tokens, hidden]``."""
    n = array.shape[0]
    cols = min(n, 4)
    rows = int(np.ceil(n / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[f"layer {i}" + (" (embeddings)" if i == 0 else "")
                                                               for i in range(n)])
    lo, hi = float(array[:, token_index].min()), float(array[:, token_index].max())
    for i in range(n):
        fig.add_trace(go.Histogram(x=array[i, token_index], nbinsx=bins, marker_color=PALETTE[i % 10],
                                   xbins=dict(start=lo, end=hi, size=(hi - lo) / bins or 1), showlegend=False),
                      row=i // cols + 1, col=i % cols + 1)
    return _layout(fig, f"Values of '{token}' at every layer", height=220 * rows)


@memoize(maxsize=64)
def heatmap_figure(z: np.ndarray, x: list, y: list, *, title: str, colorscale: str = "RdBu_r",
                   zmin: float | None = None, zmax: float | None = None, annotate: bool = True,
                   xtitle: str = "", ytitle: str = "", fmt: str = ".2f") -> go.Figure:
    """An annotated heatmap: ``z`` ``[len(y), len(x)]``."""
    z = np.asarray(z, dtype=float)
    text = [[format(v, fmt) for v in row] for row in z] if annotate and z.size <= 900 else None
    fig = go.Figure(go.Heatmap(z=z, x=_escs(x), y=_escs(y), colorscale=colorscale,
                               zmin=zmin, zmax=zmax, text=text, texttemplate="%{text}" if text else None,
                               hovertemplate="%{y} / %{x}: %{z:.3f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title=ytitle, type="category")
    fig.update_xaxes(title=xtitle, type="category")
    return _layout(fig, title, height=max(360, 34 * len(y) + 160))


@memoize(maxsize=64)
def layer_similarity_figure(values: np.ndarray, labels: list[str], *, title: str, mode: str = "raw") -> go.Figure:
    """Rows: pairs of uses of a word; columns: layers 0..L; cells: cosine (or relative) similarity."""
    # Cosines of contextual vectors crowd into a narrow band (0.81-0.96 for the three banks): the colours span
    # the values shown, so the gap between the uses is visible (the title of the colour bar says so).
    zmin, zmax = float(values.min()), float(values.max())
    return heatmap_figure(values, list(range(values.shape[1])), labels, title=title, zmin=zmin,
                          zmax=zmax if zmax > zmin else zmin + 1e-6, colorscale="Viridis", xtitle="layer (0 = embeddings)")


@memoize(maxsize=64)
def lines_figure(series: dict[str, np.ndarray], *, title: str, xtitle: str, ytitle: str,
                 x: list | None = None, dashed: set[str] = frozenset()) -> go.Figure:
    """One line per named series (for example similarity per layer, loss per epoch)."""
    fig = go.Figure()
    for k, (name, ys) in enumerate(series.items()):
        xs = x if x is not None else list(range(len(ys)))
        fig.add_trace(go.Scatter(x=xs, y=np.asarray(ys, dtype=float), mode="lines+markers" if len(ys) < 40 else "lines",
                                 name=_esc(name), line=dict(color=PALETTE[k % 10], dash="dash" if name in dashed else None)))
    fig.update_xaxes(title=xtitle)
    fig.update_yaxes(title=ytitle)
    return _layout(fig, title)


@memoize(maxsize=64)
def bar_figure(labels: list[str], values: list[float], *, title: str, xtitle: str = "", fmt: str = ".3f") -> go.Figure:
    """Scores as horizontal bars, best first (nearest words, ranked search results); ``fmt`` formats
    the values (``"d"`` for integers such as token ids)."""
    fig = go.Figure(go.Bar(x=values, y=_escs(labels), orientation="h", marker_color=PALETTE[0],
                           text=[format(v, fmt) for v in values], textposition="auto",
                           hovertemplate=f"%{{y}}: %{{x:{fmt}}}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title=xtitle)
    return _layout(fig, title, height=max(300, 28 * len(labels) + 120))


@memoize(maxsize=64)
def scatter_figure(coords: np.ndarray, labels: list[str], *, color: list[str], title: str,
                   hover: dict[str, list] | None = None, show_labels: bool = True,
                   paths: dict[str, list[int]] | None = None, label_room: tuple[int, int] | None = None) -> go.Figure:
    """2-D or 3-D scatter of ``coords`` ``[n, 2 or 3]``, one trace per colour group, text labels
    optional, WebGL past a thousand points; ``paths`` joins named point sequences by a line.
    ``label_room``: the plot area's size in pixels (taken small): each 2-D label is then put beside its
    point where it overlaps no other (:func:`~embedviz.maps.text_positions`), else above it."""
    coords = np.asarray(coords, dtype=float)
    three = coords.shape[1] == 3
    where = ["top center"] * len(coords)
    if label_room is not None and show_labels and not three:
        from .maps import text_positions

        where = text_positions(coords, labels, size=label_room)
    hover = hover or {}
    fig = go.Figure()
    groups = list(dict.fromkeys(color))
    big = len(coords) > WEBGL_AFTER
    for k, g in enumerate(groups):
        idx = [i for i, c in enumerate(color) if c == g]
        custom = [[_esc(hover[h][i]) for h in hover] for i in idx]
        tmpl = "<b>%{text}</b><br>" + "<br>".join(f"{_esc(h)}: %{{customdata[{j}]}}" for j, h in enumerate(hover)) + "<extra></extra>"
        common = dict(name=_esc(g), text=[_esc(labels[i]) for i in idx], customdata=custom, hovertemplate=tmpl,
                      mode="markers+text" if show_labels else "markers", textposition=[where[i] for i in idx] if label_room else "top center")
        marker = dict(size=5 if three else 9, color=PALETTE[k % 10], opacity=0.85)
        if three:
            fig.add_trace(go.Scatter3d(x=coords[idx, 0], y=coords[idx, 1], z=coords[idx, 2], marker=marker, **common))
        else:
            cls = go.Scattergl if big else go.Scatter
            fig.add_trace(cls(x=coords[idx, 0], y=coords[idx, 1], marker=marker, **common))
    for name, idx in (paths or {}).items():
        if three:
            fig.add_trace(go.Scatter3d(x=coords[idx, 0], y=coords[idx, 1], z=coords[idx, 2], mode="lines",
                                       line=dict(color="#555", width=2), name=_esc(name), hoverinfo="skip"))
        else:
            fig.add_trace(go.Scatter(x=coords[idx, 0], y=coords[idx, 1], mode="lines", name=_esc(name),
                                     line=dict(color="#888", width=1.5), hoverinfo="skip"))
    return _layout(fig, title, height=560)


@memoize(maxsize=64)
def analogy_figure(coords: np.ndarray, words: list[str], *, title: str) -> go.Figure:
    """The analogy parallelogram: ``coords`` ``[4, 2]`` for a, b, c and the answer d, with arrows
    a -> b and c -> d (the same offset if the analogy holds)."""
    c = np.asarray(coords, dtype=float)
    fig = go.Figure(go.Scatter(x=c[:, 0], y=c[:, 1], mode="markers+text", text=_escs(words), textposition="top center",
                               marker=dict(size=12, color=[PALETTE[0], PALETTE[0], PALETTE[1], PALETTE[1]]),
                               hovertemplate="%{text}<extra></extra>", showlegend=False))
    for (i, j), colr in (((0, 1), PALETTE[0]), ((2, 3), PALETTE[1]), ((0, 2), "#bbb"), ((1, 3), "#bbb")):
        fig.add_annotation(x=c[j, 0], y=c[j, 1], ax=c[i, 0], ay=c[i, 1], xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=3, arrowwidth=2, arrowcolor=colr)
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return _layout(fig, title, height=480)


@memoize(maxsize=64)
def training_figure(snapshots: np.ndarray, epochs: list[int], words: list[str], groups: list[str]) -> go.Figure:
    """Words moving during training: one animation frame per snapshot ``[frames, words, 2 or 3]``."""
    return moving_points_figure(snapshots, epochs, words, groups, frame_name="epoch",
                                title=f"The words after {epochs[-1]:,} epochs (press Play to watch them learn, or drag "
                                      "the slider)")


@memoize(maxsize=16)
def moving_points_figure(snapshots: np.ndarray, frames: list[int], words: list[str], groups: list[str], *,
                         frame_name: str, title: str) -> go.Figure:
    """Points moving: one animation frame per snapshot ``[frames, points, 2 or 3]``, a slider named
    ``frame_name``, and "Play from the start"; it opens on the last frame."""
    epochs = frames
    three = snapshots.shape[2] >= 3
    lim = float(np.abs(snapshots[..., :3]).max()) * 1.1 or 1.0

    def traces(frame: np.ndarray) -> list:
        out = []
        for k, g in enumerate(dict.fromkeys(groups)):
            idx = [i for i, gg in enumerate(groups) if gg == g]
            kw = dict(mode="markers+text", text=[_esc(words[i]) for i in idx], name=_esc(g), textposition="top center",
                      marker=dict(size=6 if three else 11, color=PALETTE[k % 10]))
            if three:
                out.append(go.Scatter3d(x=frame[idx, 0], y=frame[idx, 1], z=frame[idx, 2], **kw))
            else:
                out.append(go.Scatter(x=frame[idx, 0], y=frame[idx, 1], **kw))
        return out

    fig = go.Figure(data=traces(snapshots[-1]),  # opens on the trained result; Play replays the training
                    frames=[go.Frame(data=traces(s), name=str(e)) for s, e in zip(snapshots, epochs)])
    steps = [dict(method="animate", label=str(e), args=[[str(e)], dict(mode="immediate", frame=dict(duration=0, redraw=three),
                                                                      transition=dict(duration=0))]) for e in epochs]
    fig.update_layout(
        # the button above the plot's top right, the slider below it at full width: neither covers the other
        updatemenus=[dict(type="buttons", showactive=False, x=1, y=1.01, xanchor="right", yanchor="bottom",
                          buttons=[dict(label="Play from the start", method="animate",
                                        args=[[str(e) for e in epochs], dict(frame=dict(duration=120, redraw=three),
                                                                             mode="immediate", transition=dict(duration=60))])])],
        sliders=[dict(active=len(epochs) - 1, steps=steps, currentvalue=dict(prefix=f"{frame_name} "), x=0, len=1.0,
                      y=-0.02)],
    )
    if three:
        fig.update_scenes(xaxis=dict(range=[-lim, lim]), yaxis=dict(range=[-lim, lim]), zaxis=dict(range=[-lim, lim]))
    else:
        fig.update_xaxes(range=[-lim, lim])
        fig.update_yaxes(range=[-lim, lim], scaleanchor="x", scaleratio=1)
    return _layout(fig, title, height=560)


def figure_html(fig: go.Figure) -> str:
    """A stand-alone HTML file of the figure, plotly.js included, so it opens offline."""
    return go.Figure(fig).update_layout(template="plotly_white").to_html(include_plotlyjs=True, full_html=True)


@memoize(maxsize=16)
def map_figure(m, view: tuple[float, float, float, float], *, markers: np.ndarray, labelled: np.ndarray,
               cells: np.ndarray | None = None,
               colour: str = "group", found: tuple[int, ...] = (), neighbours: tuple[int, ...] = (),
               selected: np.ndarray | None = None, png: bytes | None = None, title: str = "",
               paths: dict[str, list[int]] | None = None, height: int = 620, layout=None,
               regions=None, values: np.ndarray | None = None,
               value_range: tuple[float, float] = (0.0, 1.0), value_name: str = "",
               legend: tuple[str, ...] | None = None) -> go.Figure:
    """A :class:`~embedviz.Map` in ``view`` (x0, x1, y0, y1): ``png`` (a density image of every point)
    beneath, ``cells`` as invisible points over it (one per occupied cell, so that any part of the image
    answers a hover, a click or a selection), the ``markers`` as WebGL points (``customdata`` = the
    point's index in the map),
    text for the ``labelled`` points, and highlights for a selection (its first few thousand points),
    the found or clicked points and their neighbours. ``colour``: ``group`` or ``trust`` (how well each
    point keeps its neighbours, red to green) or ``value`` (``values[i]`` per point, a column's numbers,
    on a colour bar named ``value_name`` from ``value_range``'s low to its high). Groups keep one colour
    each over every view (``legend``: their order, by default as they first appear in the map), twenty
    at most, "other" grey; ``paths`` joins named point sequences by a line; ``layout`` (a
    :class:`~embedviz.maps.LabelLayout`) places the found word's and its neighbours' labels, those moved
    aside joined to their point by a thin line; ``regions`` (:class:`~embedviz.regions.Regions`) outlines
    the dense regions and writes their names. 3-D maps draw points and highlights only."""
    c = m.coords
    three = m.dims == 3
    fig = go.Figure()

    def pts(idx, **kw):
        idx = np.asarray(idx, dtype=np.int64)
        text = [_esc(m.labels[i]) for i in idx]
        cls = kw.pop("cls", go.Scattergl)
        if three:
            kw.pop("selected", None)
            kw.pop("unselected", None)
            if kw.get("marker", {}).get("symbol") == "star":  # 3-D markers have no star
                kw["marker"] = dict(kw["marker"], symbol="diamond")
            return go.Scatter3d(x=c[idx, 0], y=c[idx, 1], z=c[idx, 2], text=text, customdata=idx, **kw)
        return cls(x=c[idx, 0], y=c[idx, 1], text=text, customdata=idx, **kw)

    # Plotly fades what a selection leaves out; the map draws its own highlights, so nothing fades
    keep_look = dict(selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=1)))
    keep_text = dict(selected=dict(textfont=dict(color="#333")), unselected=dict(textfont=dict(color="#333")))
    hover = "<b>%{text}</b><extra></extra>"
    size = 4 if len(markers) > 1000 else 8
    if cells is not None and len(cells):
        fig.add_trace(pts(cells, mode="markers", name="density", hovertemplate=hover, showlegend=False,
                          marker=dict(size=14, color="rgba(0,0,0,0)"), **keep_look))
    if colour == "trust":
        fig.add_trace(pts(markers, mode="markers", name="points", hovertemplate="<b>%{text}</b><br>neighbours kept: "
                          "%{marker.color:.0%}<extra></extra>", showlegend=False, **keep_look,
                          marker=dict(size=size, color=np.nan_to_num(m.trust[markers], nan=-1), cmin=0, cmax=1,
                                      colorscale="RdYlGn", opacity=0.85, colorbar=dict(title="kept", thickness=12))))
    elif colour == "value" and values is not None:
        fig.add_trace(pts(markers, mode="markers", name="points", hovertemplate="<b>%{text}</b><br>" + _esc(value_name)
                          + ": %{marker.color:,.4g}<extra></extra>", showlegend=False, **keep_look,
                          marker=dict(size=size, color=np.asarray(values)[markers], cmin=value_range[0],
                                      cmax=value_range[1], colorscale="Viridis", opacity=0.85,
                                      colorbar=dict(title=_esc(value_name)[:20], thickness=12))))
    else:
        groups = m.groups
        order = list(legend) if legend else (list(dict.fromkeys(groups)) if groups else ["points"])
        shown = set(groups[i] for i in markers) if groups else {"points"}
        for k, g in enumerate(order):
            if g not in shown:
                continue
            idx = markers if not groups else markers[[groups[i] == g for i in markers]]
            col = OTHER_COLOUR if g == "other" else GROUP_COLOURS[k % len(GROUP_COLOURS)]
            fig.add_trace(pts(idx, mode="markers", name=_esc(g), hovertemplate=hover, showlegend=bool(groups),
                              marker=dict(size=size, color=col, opacity=0.8 if groups else 0.55),
                              **keep_look))
    for name, idx in (paths or {}).items():
        fig.add_trace(pts(idx, cls=go.Scatter, mode="lines", name=_esc(name), hoverinfo="skip",
                          line=dict(color="#888", width=1.5)))
    if len(labelled):
        fig.add_trace(pts(labelled, cls=go.Scatter, mode="text", textposition="top center", hoverinfo="skip",
                          showlegend=False, textfont=dict(size=11, color="#333"), name="labels", **keep_text))
    if selected is not None and len(selected):
        fig.add_trace(pts(selected[:3000], mode="markers", name=f"selected ({len(selected):,})", hovertemplate=hover,
                          marker=dict(size=size + 3, color="rgba(0,0,0,0)", line=dict(color="#ff7f0e", width=1.5)),
                          **keep_look))
    # Highlights are WebGL too: a WebGL canvas covers the SVG traces, so SVG markers would hide under it
    if regions is not None and len(regions.regions) and not three:  # density contours, then their names
        xs = np.concatenate([np.append(r.outline[:, 0], np.nan) for r in regions.regions])
        ys = np.concatenate([np.append(r.outline[:, 1], np.nan) for r in regions.regions])
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="regions", hoverinfo="skip", showlegend=False,
                                 line=dict(color="rgba(60,60,60,0.6)", width=1)))
        at = regions.name_places(view)  # inside the plot, apart from each other
        fig.add_trace(go.Scatter(x=at[:, 0].tolist(), y=at[:, 1].tolist(),
                                 text=[f"<b>{_esc(r.name)}</b>" for r in regions.regions], mode="text",
                                 name="region names", hoverinfo="skip", showlegend=False,
                                 textfont=dict(size=13, color="#1a1a1a")))
    placed = {} if layout is None or three else {int(i): j for j, i in enumerate(layout.index)}

    def texts(idx, **kw):  # labels where the layout put them, else above (below) their points
        idx = [i for i in idx]
        if not placed or not all(i in placed for i in idx):
            return pts(idx, cls=go.Scatter, mode="text", hoverinfo="skip", showlegend=False, **kw)
        at = layout.at[[placed[i] for i in idx]]
        kw.pop("textposition", None)
        return go.Scatter(x=at[:, 0], y=at[:, 1], text=[_esc(m.labels[i]) for i in idx], customdata=idx, mode="text",
                          textposition="middle center", hoverinfo="skip", showlegend=False, **kw)

    if placed and layout.moved.any():  # leader lines: a moved label joined to its point
        j = np.flatnonzero(layout.moved)
        xs = np.column_stack([c[layout.index[j], 0], layout.ends[j, 0], np.full(len(j), np.nan)]).ravel()
        ys = np.column_stack([c[layout.index[j], 1], layout.ends[j, 1], np.full(len(j), np.nan)]).ravel()
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="leader lines", hoverinfo="skip", showlegend=False,
                                 line=dict(color="#666", width=0.8)))
    if neighbours:
        fig.add_trace(pts(list(neighbours), mode="markers", name="neighbours (full space)", hovertemplate=hover,
                          marker=dict(size=10, color="#d62728", line=dict(color="white", width=1)), **keep_look))
        fig.add_trace(texts(list(neighbours), textposition="top center", name="neighbour labels",
                            textfont=dict(color="#d62728", size=12), selected=dict(textfont=dict(color="#d62728")),
                            unselected=dict(textfont=dict(color="#d62728"))))
    if found:
        fig.add_trace(pts(list(found), mode="markers", name="found / clicked", hovertemplate=hover,
                          marker=dict(size=16, symbol="star", color="#ffd700", line=dict(color="black", width=1.5)),
                          **keep_look))
        fig.add_trace(texts(list(found), textposition="bottom center", name="found labels",
                            textfont=dict(size=14, color="black"), selected=dict(textfont=dict(color="black")),
                            unselected=dict(textfont=dict(color="black"))))
    x0, x1, y0, y1 = view
    if png is not None and not three:
        import base64

        fig.add_layout_image(source="data:image/png;base64," + base64.b64encode(png).decode(), xref="x", yref="y",
                             x=x0, y=y1, sizex=x1 - x0, sizey=y1 - y0, sizing="stretch", layer="below")
    if not three:
        fig.update_xaxes(range=[x0, x1], showgrid=False, zeroline=False)
        fig.update_yaxes(range=[y0, y1], showgrid=False, zeroline=False)
        fig.update_layout(clickmode="event+select", hovermode="closest")
    fig.update_layout(legend=dict(orientation="h", y=-0.08))
    return _layout(fig, title, height=height)


# ---------------------------------------------------------------- attention and drift

def pool_tiles(weights: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """``weights`` ``[..., t, t]`` shrunk to at most ``size`` x ``size`` a tile: each cell the largest
    weight of a ``block`` x ``block`` square of tokens (NaN, a hidden column, ignored). Returns (the
    pooled array, block); block 1: unchanged."""
    t = weights.shape[-1]
    if t <= size:
        return np.asarray(weights, dtype=np.float32), 1
    block = -(-t // size)
    n = -(-t // block)
    pad = np.full(weights.shape[:-2] + (n * block, n * block), np.nan, dtype=np.float32)
    pad[..., :t, :t] = weights
    pad = pad.reshape(weights.shape[:-2] + (n, block, n, block))
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-hidden block stays NaN
        return np.nanmax(pad, axis=(-3, -1)), block


@memoize(maxsize=16)
def attention_grid_figure(weights: np.ndarray, *, hide: tuple[int, ...] = (), title: str,
                          tile: int = limits.MAX_GRID_TILE) -> go.Figure:
    """Every layer x head as a small token-to-token heatmap, tiled into one heatmap (one trace draws
    faster than a subplot per head): ``weights`` ``[layers, heads, tokens, tokens]``; columns ``hide``
    (the special tokens) left blank. Past ``tile`` tokens a square shows blocks of tokens (each
    cell the largest weight in its block), so the figure sent stays a few MB whatever the length
    (512 tokens drew a 106 MB figure the browser could not read)."""
    n_l, n_h, t0, _ = weights.shape
    w = np.array(weights, dtype=np.float32)
    if hide:
        w[..., list(hide)] = np.nan
    w, block = pool_tiles(w, tile)
    t = w.shape[-1]
    gap = 1
    grid = np.full((n_l * (t + gap), n_h * (t + gap)), np.nan, dtype=np.float32)  # float32: half the bytes to send
    for li in range(n_l):
        for h in range(n_h):
            grid[li * (t + gap):li * (t + gap) + t, h * (t + gap):h * (t + gap) + t] = w[li, h]
    centre = (t - 1) / 2
    what = "weight" if block == 1 else f"largest weight of {block} x {block} tokens"
    fig = go.Figure(go.Heatmap(z=grid, colorscale="Blues", zmin=0, zmax=float(np.nanmax(grid)) if hide else 1.0,
                               hoverongaps=False, showscale=False,
                               hovertemplate=what + " %{z:.2f}<extra></extra>"))
    # Heatmaps cannot be selected; one invisible point per square, over its centre, makes a click say which head
    cells = [(li, h) for li in range(n_l) for h in range(n_h)]
    fig.add_trace(go.Scatter(x=[h * (t + gap) + centre for _, h in cells], y=[li * (t + gap) + centre for li, _ in cells],
                             customdata=[[li + 1, h] for li, h in cells], mode="markers", showlegend=False,
                             marker=dict(size=max(8, min(30, 600 // max(n_h, 1) - 6)), color="rgba(0,0,0,0)"),
                             selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=1)),
                             hovertemplate="layer %{customdata[0]}, head %{customdata[1]}: click to enlarge<extra></extra>"))
    fig.update_xaxes(tickvals=[h * (t + gap) + centre for h in range(n_h)], ticktext=[f"head {h}" for h in range(n_h)],
                     showgrid=False, zeroline=False, side="bottom")  # at the top they ran into the title
    fig.update_yaxes(tickvals=[li * (t + gap) + centre for li in range(n_l)], ticktext=[f"layer {li + 1}" for li in range(n_l)],
                     autorange="reversed", showgrid=False, zeroline=False, scaleanchor="x", scaleratio=1)
    if block > 1:
        title += f" ({t0} tokens: each cell the largest weight of {block} x {block})"
    return _layout(fig, title, height=max(320, min(900, 70 * n_l + 120)))




def attention_grid_subplots(weights: np.ndarray, *, title: str) -> go.Figure:
    """The same grid as one subplot per head: the slower alternative, kept for ``benchmarks/attention.py``."""
    n_l, n_h = weights.shape[:2]
    fig = make_subplots(rows=n_l, cols=n_h, horizontal_spacing=0.005, vertical_spacing=0.01)
    for li in range(n_l):
        for h in range(n_h):
            fig.add_trace(go.Heatmap(z=weights[li, h], colorscale="Blues", zmin=0, zmax=1, showscale=False),
                          row=li + 1, col=h + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, autorange="reversed")
    return _layout(fig, title, height=70 * n_l + 120)


@memoize(maxsize=32)
def head_view_figure(weights: np.ndarray, tokens: list[str], *, hide: tuple[int, ...] = (), title: str,
                     focus: int | None = None) -> go.Figure:
    """Lines from each token (left) to the tokens it attends to (right), darker for more weight;
    ``weights`` ``[tokens, tokens]``; tokens in ``hide`` left out; ``focus``: only that token's lines."""
    t = len(tokens)
    keep = [i for i in range(t) if i not in hide]
    fig = go.Figure()
    bins = [(0.05, 0.15), (0.15, 0.3), (0.3, 0.5), (0.5, 1.01)]
    for lo, hi in bins:
        xs, ys = [], []
        for i in keep if focus is None else [focus]:
            for j in keep:
                if lo <= weights[i, j] < hi:
                    xs += [0, 1, None]
                    ys += [i, j, None]
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=True,
                                     name=f"weight {lo:.2f}-{min(hi, 1):.2f}",
                                     line=dict(color=f"rgba(31,119,180,{0.15 + 0.85 * hi ** 0.7:.2f})", width=1 + 5 * lo)))
    for x, anchor in ((0, "left"), (1, "right")):  # words outside the lines: left of the left column, right of the right
        fig.add_trace(go.Scatter(x=[x] * len(keep), y=keep, mode="text", text=[_esc(tokens[i]) for i in keep],
                                 textposition=f"middle {anchor}", showlegend=False, hoverinfo="skip",
                                 textfont=dict(size=13)))
    fig.update_xaxes(visible=False, range=[-0.6, 1.6])
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(legend=dict(orientation="h", y=-0.02))
    return _layout(fig, title, height=max(360, 24 * len(keep) + 140))


@memoize(maxsize=32)
def drift_figure(moved: np.ndarray, change: np.ndarray, top: tuple, alike: dict[str, np.ndarray], *, token: str,
                 title: str) -> go.Figure:
    """The bridge between attention and drift, layers on the x axis. Top: how far the token moved at each
    layer (bars: 1 - cosine to the layer below; hover: the size of the change), labelled with the tokens
    it attended to most. Bottom: its cosine to the same word elsewhere, per layer."""
    n = len(moved)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12, row_heights=[0.55, 0.45],
                        subplot_titles=(f"How far '{_esc(token)}' moved at each layer, and what it attended to",
                                        f"Cosine of '{_esc(token)}' to the same word elsewhere"))
    labels = ["<br>".join(f"{_esc(t)} {w:.2f}" for _, t, w in row) for row in top]
    fig.add_trace(go.Bar(x=list(range(1, n + 1)), y=moved, text=labels, textposition="outside", name="1 - cosine",
                         customdata=change, marker_color=PALETTE[0], cliponaxis=False,
                         hovertemplate="layer %{x}: 1 - cos %{y:.3f}, |change| %{customdata:.2f}<extra></extra>"),
                  row=1, col=1)
    for k, (name, ys) in enumerate(alike.items()):
        fig.add_trace(go.Scatter(x=list(range(len(ys))), y=ys, mode="lines+markers", name=_esc(name),
                                 line=dict(color=PALETTE[(k + 1) % 10])), row=2, col=1)
    top_y = float(np.max(moved)) if n else 1.0
    fig.update_yaxes(title="1 - cosine", range=[0, top_y * 1.6 + 1e-6], row=1, col=1)
    fig.update_yaxes(title="cosine", row=2, col=1)
    fig.update_xaxes(title="layer (0 = embeddings)", dtick=1, row=2, col=1)
    fig.update_xaxes(dtick=1, row=1, col=1)
    fig.update_layout(legend=dict(orientation="h", y=-0.12))
    return _layout(fig, title, height=640)
