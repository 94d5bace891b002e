"""A story: slides a presenter keeps while exploring (a view's link, its figure, a caption), written as
one HTML file that opens offline, or carried as one short link that holds every slide but the figures.
The guided tour is written the same way (:func:`embedviz.tour_html`).

>>> from embedviz.story import Slide, read_story, story_link
>>> s = [Slide("The banks", "They part at layer 2.", "Context?context_layer=2")]
>>> read_story(story_link(s))[0].caption
'They part at layer 2.'
"""

from __future__ import annotations

import base64
import datetime
import html as html_lib
import json
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    import pandas as pd

MAX_SLIDES = 40            # a talk, not a book: and a link must stay a link
MAX_CAPTION = 1_000        # characters a caption keeps
MAX_LINK = 4_500           # characters of a view's link (a page's text is in it, up to 4,000)
MAX_STORY_CHARS = 60_000   # a story's link text, before it is unpacked
MAX_UNPACKED = 400_000     # bytes a story's link may unpack to (no zip bomb)


@dataclass(frozen=True)
class Slide:
    """One slide: ``link`` opens its view in the app (a page and its settings, relative to the app's
    address); ``figure`` is the figure as plotly JSON, ``numbers`` its numbers as an HTML table."""

    title: str
    caption: str = ""
    link: str = ""
    figure: str | None = None
    numbers: str | None = None


def story_link(slides: list[Slide]) -> str:
    """Every slide's title, caption and link packed into one URL-safe text (figures are not carried:
    a slide's link redraws its view)."""
    raw = json.dumps([[s.title, s.caption, s.link] for s in slides[:MAX_SLIDES]], separators=(",", ":"))
    return base64.urlsafe_b64encode(zlib.compress(raw.encode(), 9)).decode().rstrip("=")


def story_file(slides: list[Slide]) -> str:
    """Every slide's title, caption and link as a small JSON file (what :func:`read_story` reads back)."""
    return json.dumps([[s.title, s.caption, s.link] for s in slides[:MAX_SLIDES]], indent=1, ensure_ascii=False)


def read_story(text: str) -> list[Slide]:
    """The slides :func:`story_link` packed into ``text`` (or the same list as plain JSON, as a saved
    story file holds it). Anything else is refused with a reason, and nothing of it is run."""
    text = (text or "").strip()
    if not text:
        return []
    if len(text) > MAX_STORY_CHARS:
        raise InputError(f"That story is {len(text):,} characters, more than a story holds ({MAX_STORY_CHARS:,}).")
    if text.startswith("["):
        raw = text
    else:
        try:
            packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            d = zlib.decompressobj()
            unpacked = d.decompress(packed, MAX_UNPACKED)
            raw = unpacked.decode("utf-8")
        except (ValueError, zlib.error, UnicodeDecodeError) as e:
            raise InputError("That is not a story made here: it does not unpack.") from e
        if d.unconsumed_tail:  # no zip bomb: at most MAX_UNPACKED bytes are ever unpacked
            raise InputError("That story unpacks to more than a story holds.")
    try:
        items = json.loads(raw)
    except ValueError as e:
        raise InputError("That is not a story made here: it is not a list of slides.") from e
    if not isinstance(items, list) or not all(isinstance(i, list) and len(i) == 3 and all(isinstance(v, str) for v in i)
                                              for i in items):
        raise InputError("That is not a story made here: each slide must be a title, a caption and a link.")
    if len(items) > MAX_SLIDES:
        raise InputError(f"That story has {len(items)} slides; a story holds at most {MAX_SLIDES}.")
    slides = []
    for title, caption, link in items:
        if len(link) > MAX_LINK or link.startswith(("/", "\\")) or "://" in link or ":" in link.split("?")[0]:
            raise InputError("A slide's link must be a page of this app, such as Context?context_layer=2.")
        slides.append(Slide(title[:200], caption[:MAX_CAPTION], link))
    return slides


def numbers_html(numbers: pd.DataFrame, rows: int = 200) -> str:
    """A figure's numbers as a small HTML table: whole numbers as integers, the rest to four places."""
    def cell(v):
        if isinstance(v, float):
            return f"{v:.0f}" if v.is_integer() and abs(v) < 1e15 else f"{v:.4f}"
        return v

    shown = numbers.head(rows)
    return shown.apply(lambda col: col.map(cell) if col.dtype.kind == "f" else col).to_html(border=0, escape=True)


PLAYER = """
<script>
(function () {
  const slides = Array.from(document.querySelectorAll('section.slide'));
  let at = 0;
  function show(k) {
    at = Math.max(0, Math.min(slides.length - 1, k));
    slides.forEach((s, i) => { s.style.display = i === at ? 'block' : 'none'; });
    document.getElementById('where').textContent = (at + 1) + ' / ' + slides.length;
    slides[at].querySelectorAll('.plotly-graph-div').forEach(d => window.Plotly && Plotly.Plots.resize(d));
    history.replaceState(null, '', '#' + (at + 1));
  }
  document.getElementById('back').onclick = () => show(at - 1);
  document.getElementById('next').onclick = () => show(at + 1);
  document.getElementById('all').onclick = () => slides.forEach(s => {
    s.style.display = 'block';
    s.querySelectorAll('.plotly-graph-div').forEach(d => window.Plotly && Plotly.Plots.resize(d));
  });
  document.addEventListener('keydown', e => {
    if (e.key === 'ArrowRight' || e.key === 'PageDown' || e.key === ' ') { show(at + 1); e.preventDefault(); }
    if (e.key === 'ArrowLeft' || e.key === 'PageUp') { show(at - 1); e.preventDefault(); }
  });
  show((parseInt(location.hash.slice(1)) || 1) - 1);
})();
</script>"""


def story_html(slides: list[Slide], *, title: str = "embedviz: a story", about: str = "") -> str:
    """``slides`` as one HTML page that opens from disk with no server and no network (plotly.js inlined
    once): one slide per screen, forward and back with the buttons or the arrow keys, or all at once."""
    import plotly.io as pio
    import plotly.offline

    parts = []
    for k, s in enumerate(slides, start=1):
        body = ""
        if s.figure:
            fig = pio.from_json(s.figure)
            fig.update_layout(template="plotly_white", autosize=True)
            fig.update_xaxes(automargin=True)
            fig.update_yaxes(automargin=True)
            body = fig.to_html(full_html=False, include_plotlyjs=False, default_width="100%",
                               config={"responsive": True, "displaylogo": False})
        elif s.link:  # a whole view kept as a link: say where it lives, since a file cannot run the app
            body = (f"<p class='view'>A live view of embedviz: <code>{html_lib.escape(s.link)}</code>, to open on the "
                    "server this story was made on.</p>")
        numbers = (f"<details><summary>The numbers</summary>{s.numbers}</details>" if s.numbers else "")
        parts.append(f"<section class='slide' id='s{k}'><h2>{html_lib.escape(s.title)}</h2>"
                     f"<p class='caption'>{html_lib.escape(s.caption)}</p>{body}{numbers}</section>")
    stamp = datetime.date.today().isoformat()
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{html_lib.escape(title)}</title>"
            "<style>body{font-family:sans-serif;max-width:1200px;margin:auto;padding:1em}"
            "nav{position:sticky;top:0;background:#fff;padding:.4em 0;display:flex;gap:.6em;align-items:center}"
            "button{font-size:1em;padding:.2em .9em}.caption{font-size:1.15em;color:#333}"
            "table{font-size:12px;border-collapse:collapse}td,th{padding:2px 6px}</style>"
            f"<script>{plotly.offline.get_plotlyjs()}</script></head><body>"
            f"<h1>{html_lib.escape(title)}</h1><p>{html_lib.escape(about)} Made {stamp} with embedviz.</p>"
            "<nav><button id='back'>&larr; Back</button><span id='where'></span><button id='next'>Next &rarr;</button>"
            "<button id='all'>All slides</button><small>or the arrow keys</small></nav>"
            + "".join(parts) + PLAYER + "</body></html>")
