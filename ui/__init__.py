"""What every page shares, one concern a module; pages use these names as ``ui.NAME``.

- ``pages``: every page, declared once, and the running page's own widget keys (:func:`key`)
- ``page_setup``: a page's frame (title, the tour's place, the sidebar)
- ``sidebar``: the encoder picker and the static vector source every page shares
- ``links``: inputs in the URL, examples, values from links checked and reported
- ``pickers``: the sentence and token pickers pages share
- ``charts``: token chips and charts with downloads and "Add to story"
- ``messages``: bad input in plain words, the last good result kept, progress
- ``tour``, ``story``, ``map_view``: the guided tour, your own story, the explorable map

Widgets live here and in app_pages/, never in embedviz/.
"""

from ui.charts import chart, chips
from ui.links import (
    URL_TEXT_LIMIT,
    after_page,
    link_value,
    page_url,
    report_ignored_url,
    take_example,
    text_box,
    valid_state,
)
from ui.messages import FRIENDLY, bounded, esc, keep_last, lines, require_lines, say_cut, with_progress
from ui.page_setup import header, log_rerun, page, warm_up
from ui.pages import key
from ui.pickers import pick_sentence, pick_token
from ui.sidebar import OTHER, UPLOAD_LIMIT_MB, VECTOR_SOURCES, sidebar, vector_source

__all__ = ["FRIENDLY", "OTHER", "UPLOAD_LIMIT_MB", "URL_TEXT_LIMIT", "VECTOR_SOURCES", "after_page", "bounded", "chart", "chips",
           "esc", "header", "keep_last", "key", "lines", "link_value", "log_rerun", "page", "page_url", "pick_sentence", "pick_token",
           "report_ignored_url", "require_lines", "say_cut", "sidebar", "take_example", "text_box", "valid_state",
           "vector_source", "warm_up", "with_progress"]
