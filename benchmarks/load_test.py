"""Several people at once: N Chromium sessions against one `streamlit run app.py` on 127.0.0.1, each
typing different sentences into the Context and Tokens pages at once (they open the pages a few
at a time, as people arrive, then all type). Reports p50 / p95 time from submit to a finished
rerun in the browser and the server's own time per script run (from its log), page errors, "Already borrowed" and tracebacks in the server log, and the
server's peak memory. Baseline: the same submissions from one session alone.

Loopback only; bounded: SESSIONS x ROUNDS submissions, each with a 90 s timeout.
Usage: python benchmarks/load_test.py [SESSIONS] [ROUNDS]"""

import os
import re
import shutil
import statistics
import sys
import threading
import time

from _common import ROOT, start_streamlit

SESSIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 8
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 8
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CORES = sorted(os.sched_getaffinity(0))
SERVER_CORES = set(CORES[:1]) if len(CORES) > 1 else None
WORDS = "bank river money fish vault robber bat cave baseball apple court tennis judge spring season coil".split()


def start_server():
    # The server gets core 0 to itself and the browsers the others (in production they run on the visitors'
    # machines), so that the server's own time per run is not the browsers' rendering.
    log = open(ROOT / "benchmarks" / "data" / "load_test_server.log", "w")
    proc, url = start_streamlit(env={"EMBEDVIZ_LOG_TIMES": "1"}, log=log, cores=SERVER_CORES)
    return proc, url, log.name


def peak_rss_mb(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


# The app's root carries the script's state; a run that starts and ends flips it twice. Waiting for
# "notRunning" alone would pass at once when the server has not yet started the run.
WATCH = """() => { const app = document.querySelector("[data-testid='stApp']"); window.__ran = false;
  new MutationObserver(() => { window.__ran = true; }).observe(app, {attributes: true,
    attributeFilter: ["data-test-script-state"]}); }"""
DONE = """() => window.__ran && document.querySelector("[data-testid='stApp']")
  .getAttribute("data-test-script-state") === "notRunning" """


def session(url, k, rounds, times, errors, opening, ready):
    """One visitor: open the page (a few at a time, as people arrive), wait until everyone is in, then
    type a new sentence each round, alternating Context and Tokens."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu",
                              "--disable-background-networking", "--disable-component-update", "--no-first-run"])
        pg = b.new_page()
        try:
            with opening:
                for page in ("Tokens", "Context"):
                    pg.goto(f"{url}/{page}", timeout=180_000)
                    pg.wait_for_selector("[data-testid='stMain'] textarea", timeout=180_000)
            ready.wait(timeout=600)
            for r in range(rounds):
                page = ("Context", "Tokens")[r % 2]
                if not pg.url.split("?")[0].endswith(page):
                    pg.locator("[data-testid='stSidebarNav']").get_by_role("link", name=page).click()
                    pg.wait_for_selector("[data-testid='stMain'] textarea", timeout=90_000)
                w = WORDS[(k + r) % len(WORDS)]
                text = f"Session {k} round {r}: the {w} by the {w} was not the {w} we saw."
                area = pg.locator("[data-testid='stMain'] textarea").first
                area.fill(text)
                pg.evaluate(WATCH)
                t = time.perf_counter()
                area.press("Control+Enter")
                pg.wait_for_function(DONE, timeout=90_000)  # a run started and finished: the answer is drawn
                times.append(time.perf_counter() - t)
                if pg.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count():
                    errors.append(f"session {k} round {r}: error box")
        except Exception as e:  # a timeout counts as an error, not a crash of the test
            errors.append(f"session {k}: {type(e).__name__}: {str(e)[:120]}")
        b.close()


def run(url, n, rounds):
    times, errors = [], []
    opening, ready = threading.Semaphore(2), threading.Barrier(n)
    threads = [threading.Thread(target=session, args=(url, k, rounds, times, errors, opening, ready)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    return times, errors


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] if xs else float("nan")


if __name__ == "__main__":
    (ROOT / "benchmarks" / "data").mkdir(parents=True, exist_ok=True)
    proc, url, log = start_server()
    if SERVER_CORES:
        os.sched_setaffinity(0, set(CORES) - SERVER_CORES)  # this process and the browsers it starts
        print(f"server on core(s) {sorted(SERVER_CORES)}, browsers on {sorted(set(CORES) - SERVER_CORES)}")
    try:
        solo, solo_err = run(url, 1, ROUNDS)
        mark = len(open(log).read())  # the server's lines after this are the many-session part's
        many, many_err = run(url, SESSIONS, ROUNDS)
        peak = peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    text = open(log).read()
    def server_times(t):
        return [float(x) for x in re.findall(r"embedviz-rerun page=.* seconds=([0-9.]+)", t)]

    server_solo, server_many = server_times(text[:mark]), server_times(text[mark:])
    print(f"one session: {len(solo)} submissions, p50 {statistics.median(solo):.2f} s, p95 {pct(solo, .95):.2f} s, "
          f"errors {len(solo_err)}")
    print(f"{SESSIONS} sessions at once: {len(many)} submissions, p50 {statistics.median(many):.2f} s, "
          f"p95 {pct(many, .95):.2f} s, errors {len(many_err)}")
    for e in (solo_err + many_err)[:10]:
        print("  ", e)
    for name, xs in (("one session", server_solo), (f"{SESSIONS} sessions", server_many)):
        if xs:
            print(f"server time per script run, from its own log, {name}: {len(xs)} runs, p50 {statistics.median(xs):.2f} s, "
                  f"p95 {pct(xs, .95):.2f} s")
    print(f"server: peak memory {peak:,.0f} MB; 'Already borrowed' {text.count('Already borrowed')}; "
          f"tracebacks {text.count('Traceback')}")
    print(f"p50 ratio, {SESSIONS} sessions against one session alone: {statistics.median(many) / statistics.median(solo):.2f}x slower")
