"""Stories: slides packed into one link and read back, anything else refused, and one HTML file."""

import base64
import json
import zlib

import pytest

import embedviz as ev
from embedviz.story import MAX_SLIDES


def test_a_story_goes_into_a_link_and_comes_back():
    slides = [ev.Slide("Context: the banks", "They part at layer 2 <b>!</b>", "Context?context_layer=2"),
              ev.Slide("Home", "", "")]
    back = ev.read_story(ev.story_link(slides))
    assert [(s.title, s.caption, s.link) for s in back] == [(s.title, s.caption, s.link) for s in slides]
    assert ev.read_story(ev.story_file(slides)) == back  # the small file reads the same


def pack(items) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(items).encode())).decode()


@pytest.mark.parametrize("text, says", [
    ("garbage!!", "does not unpack"),
    (pack([["t", "c", "https://evil.example/x"]]), "a page of this app"),
    (pack([["t", "c", "javascript:alert(1)"]]), "a page of this app"),
    (pack([["t", "c", "/etc/passwd"]]), "a page of this app"),
    (pack([["t", "c"]]), "a title, a caption and a link"),
    (pack({"not": "a list"}), "a title, a caption and a link"),
    (pack([["t", "c", "Context"]] * (MAX_SLIDES + 1)), f"at most {MAX_SLIDES}"),
    (base64.urlsafe_b64encode(zlib.compress(b"[" + b" " * 5_000_000 + b"]")).decode(), "more than a story holds"),
    ("x" * 70_000, "more than a story holds"),
])
def test_anything_else_is_refused_with_a_reason(text, says):
    with pytest.raises(ev.InputError, match=says):
        ev.read_story(text)


def test_the_story_file_plays_one_slide_per_screen_and_escapes_what_was_typed():
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=[1, 2], y=["a", "b"])).update_layout(title="bars")
    slides = [ev.Slide("One", "<script>alert(1)</script>", "Tokens", fig.to_json(), "<table></table>"),
              ev.Slide("Two", "a view", "Context?context_layer=2")]
    html = ev.story_html(slides, title="A talk")
    assert html.count("<section class='slide'") == 2 and "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html and "Context?context_layer=2" in html and "id='next'" in html
