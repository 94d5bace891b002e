"""What pages draw: token chips (user text escaped) and charts with their downloads (the figure as
HTML, its numbers as CSV safe for a spreadsheet) and "Add to story"."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import streamlit as st

import embedviz as ev
from embedviz import plots
from ui import pages

if TYPE_CHECKING:
    import pandas as pd  # imported where used: a cold server draws Home's first lines before pandas loads

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
    name, key = key, pages.key(key)
    st.plotly_chart(fig, key=f"{key}_chart", config={"toImageButtonOptions": {"filename": name}})
    row = st.container(horizontal=True, vertical_alignment="center")  # buttons as wide as their labels
    row.download_button("Figure (HTML)", data=lambda: plots.figure_html(fig), file_name=f"{name}.html",
                        mime="text/html", key=f"{key}_html", icon=":material/download:", on_click="ignore")
    if data is not None:
        row.download_button("Numbers (CSV)", data=lambda: ev.safe_csv(data, index=True), file_name=f"{name}.csv",
                            mime="text/csv", key=f"{key}_csv", icon=":material/table:", on_click="ignore")
    from ui import story

    story.add_button(row, fig, key=key, name=name, data=data)
    if note:
        row.caption(note)
