"""Several people at once, the server alone: N sessions (Streamlit's AppTest, one per thread, in one
process sharing one encoder, as a server's sessions do) each type a new sentence into Context and
Tokens, all at the same time, ROUNDS times. No browser takes the CPU, so this is the wait a visitor
has for the server's answer. Baseline: the same submissions from one session alone.

Usage: python benchmarks/load_server.py [SESSIONS] [ROUNDS]"""

import statistics
import sys
import threading
import time

from _common import ROOT
from streamlit.testing.v1 import AppTest

import embedviz as ev

SESSIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 8
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 6
PAGES = [("app_pages/3_Context.py", "context_text"), ("app_pages/1_Tokens.py", "tokens_text")]
WORDS = "bank river money fish vault robber bat cave baseball apple court tennis judge spring season coil".split()


def session(k, rounds, times, start, errors):
    try:
        _session(k, rounds, times, start)
    except Exception as e:  # AppTest is not made for threads: a rare race in its widget lookup is counted
        errors.append(f"session {k}: {type(e).__name__}: {str(e)[:100]}")
        start.abort()  # the others stop waiting for it (harmless once they have all started)


def _session(k, rounds, times, start):
    apps = []
    for page, key in PAGES:
        at = AppTest.from_file(str(ROOT / page), default_timeout=300)
        at.run()
        apps.append((at, key))
    start.wait()
    for r in range(rounds):
        at, key = apps[r % 2]
        w = WORDS[(k + r) % len(WORDS)]
        t = time.perf_counter()
        at.text_area(key=key).input(f"Session {k} round {r}: the {w} by the {w} was not the {w} we saw.").run()
        times.append(time.perf_counter() - t)
        assert not at.exception, at.exception


def run(n):
    times, errors, start = [], [], threading.Barrier(n)
    threads = [threading.Thread(target=session, args=(k, ROUNDS, times, start, errors)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in errors:
        print("  harness error:", e)
    return times


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


ev.load_encoder(ev.BUNDLED)
solo = run(1)
many = run(SESSIONS)
print(f"one session: {len(solo)} submissions, p50 {statistics.median(solo):.2f} s, p95 {pct(solo, .95):.2f} s")
print(f"{SESSIONS} sessions typing at once: {len(many)} submissions, p50 {statistics.median(many):.2f} s, "
      f"p95 {pct(many, .95):.2f} s, max {max(many):.2f} s (goal: each under 2 s: "
      f"{'met' if pct(many, .95) < 2 else 'NOT met'} at p95)")
print(f"p50 ratio against one session alone: {statistics.median(many) / statistics.median(solo):.2f}x")
