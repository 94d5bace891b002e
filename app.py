"""embedviz: the entry point. Declares the pages, read from ui/pages.py (so the landing page is called
"Home" in the navigation), and runs the one the visitor asked for."""

import time

import streamlit as st

import ui
from ui import pages

nav = st.navigation([st.Page(pages.HOME.path, title=pages.HOME.title, icon=pages.HOME.icon, default=True)]
                   + [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.slug) for p in pages.PAGES],
                   expanded=True)  # every page in sight: past 12, the menu hid the rest behind "View more"
started = time.perf_counter()
try:
    nav.run()
finally:
    ui.after_page()
    ui.log_rerun(nav.title, time.perf_counter() - started)
