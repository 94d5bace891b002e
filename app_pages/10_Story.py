"""Story: the slides you kept with "Add to story" (or the guided tour), to reorder, play one per screen,
save as one HTML file that opens offline, and share as one link or a small file."""

from urllib.parse import urlencode

import plotly.io as pio
import streamlit as st

import embedviz as ev
import ui
from ui import story, tour

enc = ui.page("Story", "Your own presentation: every figure has “Add to story”. Reorder the slides here, play "
                       "them one per screen, and save them as one file that opens offline.")
slides = story.slides()
vecs = ev.load_vectors(ev.GLOVE)


def tour_story() -> list[ev.Slide]:
    """The guided tour as a story: each step's figure, what to notice (computed for this model), its link."""
    out = []
    for k in range(1, len(tour.STEPS) + 1):
        step = ev.tour_step(k, enc, vecs)
        page, _ = tour.STEPS[k - 1]
        params = {k2: v for k2, v in tour.params(k).items() if k2 != "tour"}
        link = page.slug + "?" + urlencode(params)
        out.append(ev.Slide(f"{k}. {step.title}", step.notice, link, step.figure.to_json(), ev.numbers_html(step.numbers)))
    return out


# ---------------------------------------------------------------- a story from its link, or a file
packed_key = ui.key("slides")
asked = ui.link_value("slides")
if asked and not slides and st.session_state.get(ui.key("opened")) != asked:
    st.session_state[ui.key("opened")] = asked
    got = ui.keep_last("from_link", lambda: ev.read_story(asked))
    if got:
        slides[:] = [story.with_figure(s) for s in got]

c = st.columns([1, 1, 2])
if c[0].button("Start from the guided tour", key=ui.key("tour"), icon=":material/tour:",
               help="The tour's steps as slides: figures, what to notice and links, for this model."):
    got = ui.keep_last("tour", ui.with_progress("Building the tour's slides", lambda p: tour_story()))
    if got:
        for s in got:
            story.keep_figure(s)
        slides[:] = got
        st.session_state[ui.key("at")] = 0
up = c[1].file_uploader("Open a story file", type=["json"], key=ui.key("file"), label_visibility="collapsed")
if up is not None and st.session_state.get(ui.key("file_seen")) != up.file_id:
    st.session_state[ui.key("file_seen")] = up.file_id
    got = ui.keep_last("from_file", lambda: ev.read_story(up.getvalue()[:ev.story.MAX_STORY_CHARS + 1].decode("utf-8", "replace")))
    if got:
        slides[:] = [story.with_figure(s) for s in got]

if not slides:
    st.info("No slides yet. On any page, press “Add to story” under a figure, or start from the guided tour.")
    st.stop()
packed = ev.story_link(slides)
if st.query_params.get(packed_key) != packed:  # the link holds the story: a reload brings it back
    st.query_params[packed_key] = packed
    st.session_state[ui.key("opened")] = packed

# ---------------------------------------------------------------- play
st.subheader("Play")
n = len(slides)
at = min(max(int(st.session_state.get(ui.key("at"), 0)), 0), n - 1)
nav = st.container(horizontal=True, vertical_alignment="center")
if nav.button("Back", key=ui.key("back"), icon=":material/arrow_back:", disabled=at == 0):
    at -= 1
if nav.button("Next", key=ui.key("next"), icon=":material/arrow_forward:", disabled=at == n - 1):
    at += 1
st.session_state[ui.key("at")] = at
nav.markdown(f"**Slide {at + 1} of {n}**")
s = slides[at]
with st.container(border=True):
    st.markdown(f"**{ui.esc(s.title)}**")
    if s.caption:
        st.markdown(ui.esc(s.caption))
    if s.figure:
        fig = pio.from_json(s.figure)
        fig.update_layout(height=min(max(fig.layout.height or 0, 420), 480))  # one screen with its caption, at 1366 x 768
        st.plotly_chart(fig, key=ui.key(f"play_{at}"))
    else:
        st.caption("No figure is kept for this slide here (a whole view, or a figure this server no longer holds): "
                   "open the view to see it live.")
    where = story.target(s.link)
    if where:
        st.page_link(where[0].path, label="Open this view, live", query_params=where[1], icon=":material/open_in_new:")

# ---------------------------------------------------------------- the slides
st.subheader(f"The slides ({n})")
for i, s in enumerate(list(slides)):
    row = st.container(horizontal=True, vertical_alignment="center")
    row.markdown(f"**{i + 1}.** {ui.esc(s.title)}" + (f" · {ui.esc(s.caption[:120])}" if s.caption else ""))
    if row.button("Up", key=ui.key(f"up_{i}"), icon=":material/arrow_upward:", disabled=i == 0, help="Move up"):
        slides[i - 1], slides[i] = slides[i], slides[i - 1]
        st.rerun()
    if row.button("Down", key=ui.key(f"down_{i}"), icon=":material/arrow_downward:", disabled=i == n - 1,
                  help="Move down"):
        slides[i + 1], slides[i] = slides[i], slides[i + 1]
        st.rerun()
    if row.button("Remove", key=ui.key(f"remove_{i}"), icon=":material/delete:", help="Remove this slide"):
        del slides[i]
        st.session_state[ui.key("at")] = min(at, max(len(slides) - 1, 0))
        st.rerun()

# ---------------------------------------------------------------- take it away
st.subheader("Save and share")
row = st.container(horizontal=True, vertical_alignment="center")
row.download_button("The story as one HTML file", lambda: ev.story_html(slides, title="embedviz: a story",
                                                                      about=f"Model: {enc.name}."),
                    "embedviz-story.html", "text/html", key=ui.key("html"), icon=":material/download:",
                    on_click="ignore", help="Every slide's figure, caption and numbers; opens offline, one slide per screen.")
row.download_button("The story as a small file", ev.story_file(slides), "embedviz-story.json", "application/json",
                    key=ui.key("json"), icon=":material/data_object:", on_click="ignore",
                    help="Titles, captions and links; open it here with “Open a story file”.")
st.caption("To share it as one link, copy this page's address, or this: it holds every slide's title, caption and link "
           f"({len(packed):,} characters; the figures are redrawn from their links).")
st.code(ui.page_url({packed_key: packed}), language=None, wrap_lines=True)
