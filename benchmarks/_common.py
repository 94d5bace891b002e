"""Shared helpers for the benchmark scripts: best-of-n timing and a ratio line."""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
DATA = ROOT / "benchmarks" / "data"


def best_of(fn, n=3):
    """The fastest of ``n`` runs of ``fn()``, in seconds, and its last result."""
    best, out = float("inf"), None
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def rounds(fns, n=7):
    """Run each of ``fns`` (name -> function) once a round, ``n`` rounds, interleaved so that a
    slow spell of the machine hits all of them alike. Returns name -> list of seconds."""
    times = {name: [] for name in fns}
    for _ in range(n):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return times


def report(claim, baseline_name, baseline_s, ours_s, goal=None):
    ratio = baseline_s / ours_s if ours_s else float("inf")
    goal_txt = f" (goal {goal}x: {'met' if ratio >= goal else 'NOT met'})" if goal else ""
    print(f"{claim}: {baseline_name} {baseline_s:.3f} s, embedviz {ours_s:.3f} s -> {ratio:.2f}x faster{goal_txt}")
    return ratio


def start_streamlit(script: str = "app.py", *, env: dict | None = None, log=None, cores: set | None = None):
    """``streamlit run script`` on a free loopback port, offline, with a fresh cache folder (unless ``env``
    names one); its output to ``log`` (a file) or nowhere; pinned to ``cores`` if given. Returns
    (process, url) once it answers its health check."""
    import socket
    import subprocess
    import tempfile
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "EMBEDVIZ_CACHE": tempfile.mkdtemp(prefix="embedviz-bench-"), **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=ROOT, env=env,
                            stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None)
    url = f"http://127.0.0.1:{port}"
    for _ in range(480):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise SystemExit("server did not start")
