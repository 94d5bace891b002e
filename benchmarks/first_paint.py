"""The first seconds, per page, on a cold server: each page is the first visit to a freshly started
`streamlit run app.py` (nothing loaded, nothing cached), opened in headless Chromium on 127.0.0.1.

Reported per page: first paint (the page's title drawn), first result (its first chart or table
drawn), and the run finished; the baseline is the same page opened again on the now warm server.
Goal (Home): first paint under 3 s cold.

Usage: python benchmarks/first_paint.py [PAGE ...]   (PAGE as in the URL: "" for Home, Tokens, …)
"""

import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import start_streamlit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ui import pages  # noqa: E402

PAGES = sys.argv[1:] or [p.slug for p in pages.ALL if p.slug != "Story"]  # Story opens empty: nothing to draw
RESULT = ".js-plotly-plot .main-svg, [data-testid='stDataFrame']"


def visit(browser, url, result=RESULT):
    pg = browser.new_page(viewport={"width": 1366, "height": 768})
    t = time.perf_counter()
    pg.goto(url, timeout=180_000)
    pg.wait_for_selector("h1", timeout=180_000)
    paint = time.perf_counter() - t
    pg.wait_for_selector(result, timeout=180_000)
    result = time.perf_counter() - t
    pg.wait_for_timeout(300)
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=180_000)
    done = time.perf_counter() - t
    pg.close()
    return paint, result, done


if __name__ == "__main__":
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        print(f"{'page':16} {'cold paint':>10} {'cold result':>11} {'cold done':>9} {'warm paint':>10} {'warm result':>11}")
        # The floor: a Streamlit app that draws one title, on the same machine and browser. Most of a first
        # paint here is the browser starting Streamlit's front end, whatever the app does.
        floor_app = Path(tempfile.mkdtemp()) / "floor.py"
        floor_app.write_text("import streamlit as st\nst.title('floor')\nst.dataframe({'a': [1]})\n")
        proc, url = start_streamlit(str(floor_app))
        try:
            floor = visit(browser, url, "[data-testid='stDataFrame']")
            floor_warm = visit(browser, url, "[data-testid='stDataFrame']")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        print(f"{'floor (st.title)':16} {floor[0]:10.2f} {floor[1]:11.2f} {floor[2]:9.2f} {floor_warm[0]:10.2f} {floor_warm[1]:11.2f}")
        for name in PAGES:
            proc, url = start_streamlit()
            try:
                cold = visit(browser, f"{url}/{name}")
                warm = visit(browser, f"{url}/{name}")
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            goal = (f"  (goal under 3 s: {'met' if cold[0] < 3 else 'NOT met'}; {cold[0] / floor[0]:.2f}x the floor)"
                    if name == "" else "")
            print(f"{name or 'Home':16} {cold[0]:10.2f} {cold[1]:11.2f} {cold[2]:9.2f} {warm[0]:10.2f} {warm[1]:11.2f}{goal}")
        browser.close()
