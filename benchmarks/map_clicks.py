"""How long a map takes to answer in Chromium: the first drawn map, a search, a click on a point, a box
and a lasso, on the whole-vocabulary map (GloVe 6B: 100,000 and all 400,000 words) against the same
gestures on the floor, a map of 21 words (Streamlit's and Plotly's own round trip in this browser).

Times run from the gesture to the answer on the page (the neighbour list, the selection's count), and
to the end of Plotly's redraw. The server gets core 0, the browser core 1 (a visitor's browser runs on
their own machine). Usage: python benchmarks/map_clicks.py"""

import os
import re
import shutil
import statistics
import sys
import time

from _common import ROOT, start_streamlit

sys.path.insert(0, str(ROOT / "tests"))
from plotly_gestures import CHART_SHOWS, drag, lasso, point_xy, use_tool  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CORES = sorted(os.sched_getaffinity(0))
LOG = ROOT / "benchmarks" / "data" / "map_clicks_server.log"


def settle(pg):
    pg.wait_for_timeout(300)
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=600_000)


def timed(pg, release, text, trace, label=None):
    """Seconds from ``release()`` (a click, or letting go of the mouse after a drag) to ``text`` on the
    page, and to the chart showing its trace ``trace`` (holding ``label``)."""
    t0 = time.perf_counter()
    release()
    try:
        pg.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=120_000, polling="raf")
        answered = time.perf_counter() - t0
        pg.wait_for_function(CHART_SHOWS, arg=[trace, label], timeout=120_000, polling="raf")
        drawn = time.perf_counter() - t0
    except Exception:
        pg.screenshot(path="/tmp/bench_fail.png")
        raise
    settle(pg)
    return answered, drawn


def gestures(pg, trace, k):
    out = {}
    x, y, word = point_xy(pg, trace, k)
    out["click"] = timed(pg, lambda: pg.mouse.click(x, y), f"Nearest to “{word}”", "found", word)
    use_tool(pg, "Box Select")  # around the clicked point: a region with points in it
    drag(pg, x - 80, y - 60, x + 80, y + 60, release=False)
    out["box"] = timed(pg, pg.mouse.up, "selected by box", "selected (")
    use_tool(pg, "Lasso Select")
    lasso(pg, x, y, 70, release=False)
    out["lasso"] = timed(pg, pg.mouse.up, "selected by lasso", "selected (")
    use_tool(pg, "Zoom")
    return out


def main():
    from playwright.sync_api import sync_playwright

    proc, url = start_streamlit(env={"EMBEDVIZ_LOG_TIMES": "1"}, log=open(LOG, "w"),
                                cores=set(CORES[:1]) if len(CORES) > 1 else None)
    rows = {}
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu",
                                                                 "--disable-dev-shm-usage"])
            if len(CORES) > 1:
                os.sched_setaffinity(0, set(CORES[1:]))  # the browser's processes inherit this
            pg = b.new_page(viewport={"width": 1366, "height": 1400})
            pg.goto(url + "/Projections", timeout=600_000)  # warm: GloVe, the model, the imports
            settle(pg)
            t = time.perf_counter()
            pg.goto(url + "/Projections", timeout=600_000)
            pg.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=600_000)
            settle(pg)
            floor = {"first draw": (time.perf_counter() - t,) * 2, **gestures(pg, "vehicles", 0)}
            rows["21 words (floor)"] = floor
            for size, label in ((100_000, "100,000"), (400_000, "all 400,000")):
                pg.goto(url + "/Projections?projections_kind=The+whole+vocabulary", timeout=600_000)
                settle(pg)
                if size != 400_000:
                    pg.get_by_label("Words on the map (the most frequent)").click()
                    pg.get_by_role("option", name=label).click()
                    settle(pg)
                t = time.perf_counter()  # the map is computed and cached now: a visitor's first drawn map
                pg.reload()
                pg.wait_for_selector(".js-plotly-plot .imagelayer image", timeout=600_000)
                settle(pg)
                if size != 400_000:
                    pg.get_by_label("Words on the map (the most frequent)").click()
                    pg.get_by_role("option", name=label).click()
                    pg.wait_for_selector(".js-plotly-plot .imagelayer image", timeout=600_000)
                    settle(pg)
                first = time.perf_counter() - t
                box = pg.get_by_label("Find a word")
                row = {"first draw": (first, first)}
                box.fill("frog")
                row["search"] = timed(pg, lambda: box.press("Enter"), "Nearest to “frog”", "found", "frog")
                row.update(gestures(pg, "neighbours", 2))
                rows[f"{label} words"] = row
            b.close()
    finally:
        proc.terminate()
        proc.wait(30)
    print(f"{'map':<22}" + "".join(f"{g:>22}" for g in ("first draw", "search", "click", "box", "lasso")))
    for name, row in rows.items():
        print(f"{name:<22}" + "".join(f"{row[g][0]:>10.2f} s {row[g][1]:>6.2f} s" if g in row else f"{'-':>22}"
                                     for g in ("first draw", "search", "click", "box", "lasso")))
    print("(each cell: from the click or the mouse's release to the answer on the page, then to the chart redrawn)")
    runs = sorted(float(m) for m in re.findall(r"page='Projections' seconds=([0-9.]+)", LOG.read_text()))
    print(f"server time per Projections run (all gestures): median {statistics.median(runs):.3f} s, "
          f"p90 {runs[int(len(runs) * 0.9)]:.3f} s over {len(runs)} runs; the rest of each answer is the browser's")
    f = rows["21 words (floor)"]
    for name, row in rows.items():
        if "floor" not in name:
            ratios = ", ".join(f"{g} {row[g][0] / f[g][0]:.2f}x" for g in ("click", "box", "lasso"))
            print(f"{name} against the floor (answer on the page): {ratios}")


if __name__ == "__main__":
    main()
