"""The line for expensive work every visitor shares: whole-vocabulary maps and re-projections.

A build goes through :data:`BUILDS`, a queue with two slots: one only for cheap builds (a PCA map, a
few thousand points), one for any. So a cheap build never waits behind an expensive one; among the
waiting, the cheapest goes first. Visitors asking for the same build share it (it is computed once);
a visitor runs one build at a time; each waiting visitor is told their place in the line through
the build's progress callback; and a build is computed by one of the visitors waiting for it, in
that visitor's own run, so when nobody waits for it any more (the tab is closed, another click) it
stops at its next progress report. The next visitor still waiting, if any, starts it again.

>>> from embedviz.jobs import BuildQueue
>>> q = BuildQueue()
>>> q.run("k", lambda step: 42, cost=1.0, label="a small map")
42
"""

from __future__ import annotations

import contextvars
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .progress import Progress, reporter

CHEAP_S = 15.0  # estimated CPU-seconds under which a build may use the cheap slot

IMPORTS = threading.RLock()
"""Held while a heavy library (scikit-learn, SciPy, umap-learn, openTSNE, torch, transformers, model2vec)
is imported where it is used: when two threads import parts of one package at once, Python's import locks
can hand one of them a partly initialised module ("cannot import name 'clone' from partially initialized
module 'sklearn.base'"), and a fresh server does exactly that (a page's PCA beside a background UMAP
build, or two first visitors). One such import at a time; once a library is in, taking the lock costs
nothing."""

_visitor: contextvars.ContextVar[str | None] = contextvars.ContextVar("embedviz_visitor", default=None)


def set_visitor(visitor: str | None) -> None:
    """Name who is asking, for this run (the app passes its session's id): one build at a time each."""
    _visitor.set(visitor)


def estimate_cost(n: int, dim: int, method: str, sample: int | None = None) -> float:
    """About how many CPU-seconds a map of ``n`` points of ``dim`` numbers takes on this machine's kind
    (measured on two cores: PCA of 400,000 x 50 ~1 s; t-SNE and UMAP as
    :func:`~embedviz.projection.expected_seconds` says: the fit on the sample, then placing the rest)."""
    if method == "pca":
        return 0.2 + n * dim / 2e7
    from .projection import expected_seconds

    fit = min(n, sample or n)
    return sum(expected_seconds(method, fit, n - fit))


@dataclass(eq=False)
class Job:
    key: str
    label: str
    cost: float
    seq: int
    waiters: dict = field(default_factory=dict)  # waiter token -> visitor
    runner: object = None
    lane: str | None = None
    fraction: float = 0.0
    done: bool = False
    result: object = None
    error: BaseException | None = None


class BuildQueue:
    """Two slots ("cheap": only builds under :data:`CHEAP_S`; "any"), shortest job first."""

    def __init__(self, cheap_s: float = CHEAP_S):
        self.cheap_s = cheap_s
        self.cond = threading.Condition()
        self.jobs: dict[str, Job] = {}
        self.lanes: dict[str, Job | None] = {"cheap": None, "any": None}
        self._seq = itertools.count()

    # ------------------------------------------------------------ what a waiting visitor sees

    def _busy(self, visitor) -> bool:
        return visitor is not None and any(j is not None and j.waiters.get(j.runner) == visitor
                                           for j in self.lanes.values())

    def _candidates(self, lane: str) -> list[Job]:
        fits = [j for j in self.jobs.values() if j.runner is None and not j.done and j.waiters
                and (lane == "any" or j.cost < self.cheap_s)
                and any(not self._busy(v) for v in j.waiters.values())]
        return sorted(fits, key=lambda j: (j.cost, j.seq))

    def _free_lane_for(self, job: Job) -> str | None:
        for lane in ("cheap", "any"):
            if self.lanes[lane] is None:
                first = self._candidates(lane)
                if first and first[0] is job:
                    return lane
        return None

    def _place(self, job: Job) -> str:
        if job.runner is not None:
            return ""
        lanes = ("cheap", "any") if job.cost < self.cheap_s else ("any",)
        ahead = [j for j in self.jobs.values() if j is not job and j.runner is None and not j.done and j.waiters
                 and (j.cost, j.seq) < (job.cost, job.seq) and (j.cost < self.cheap_s or job.cost >= self.cheap_s)]
        running = [self.lanes[lane] for lane in lanes if self.lanes[lane] is not None]
        now = "; running now: " + ", ".join(f"{j.label} ({j.fraction:.0%})" for j in running) if running else ""
        return (f"Waiting in line to build {job.label}: {_nth(len(ahead) + 1)} in line"
                + (f" ({len(ahead)} cheaper build{'s' if len(ahead) > 1 else ''} first)" if ahead else "") + now
                + ". It starts by itself; leave this page open.")

    def waiting(self) -> list[tuple[str, str, float]]:
        """(label, state, fraction) of every build in line or running, for an owner's status line."""
        with self.cond:
            return [(j.label, "running" if j.runner is not None else "waiting", j.fraction)
                    for j in sorted(self.jobs.values(), key=lambda j: j.seq)]

    # ------------------------------------------------------------ running

    def run(self, key: str, compute: Callable[[Progress], object], *, cost: float, label: str,
            progress: Progress | None = None, visitor: str | None = None):
        """``compute(progress)`` once for every visitor asking for ``key``: wait for a slot (told the
        place in line through ``progress``), run it here, or take the result another visitor's run made."""
        step = reporter(progress)
        me = object()
        who = visitor if visitor is not None else _visitor.get()
        if who is None:
            who = f"thread-{threading.get_ident()}"
        with self.cond:
            job = self.jobs.get(key)
            if job is None or job.done:
                job = self.jobs[key] = Job(key, label, float(cost), next(self._seq))
            job.waiters[me] = who
        try:
            while True:
                with self.cond:
                    if job.done:
                        break
                    lane = self._free_lane_for(job) if job.runner is None and not self._busy(who) else None
                    if lane is not None:
                        job.runner, job.lane = me, lane
                        self.lanes[lane] = job
                        break
                    msg = self._place(job) or f"{label}: being built for another visitor too ({job.fraction:.0%})"
                    self.cond.wait(0.5)
                step(job.fraction * 0.99, msg)  # where a closed tab or a new click stops the wait
            if job.runner is me:
                def report(f: float, m: str) -> None:
                    job.fraction = min(max(float(f), 0.0), 1.0)
                    step(f, m)

                try:
                    result = compute(report)
                except Exception as e:  # a real failure: every waiter hears it
                    self._finish(job, error=e)
                    raise
                except BaseException:  # this visitor left: the next one waiting takes the build over
                    with self.cond:
                        job.runner = job.lane = None
                        job.fraction = 0.0
                        self.lanes = {k: (None if v is job else v) for k, v in self.lanes.items()}
                        self.cond.notify_all()
                    raise
                self._finish(job, result=result)
            if job.error is not None:
                raise job.error
            return job.result
        finally:
            with self.cond:
                job.waiters.pop(me, None)
                if not job.waiters and job.runner is None and self.jobs.get(key) is job:
                    del self.jobs[key]  # nobody waits for it: it never starts
                self.cond.notify_all()

    def _finish(self, job: Job, *, result=None, error: BaseException | None = None) -> None:
        with self.cond:
            job.result, job.error, job.done, job.fraction = result, error, True, 1.0
            self.lanes = {k: (None if v is job else v) for k, v in self.lanes.items()}
            job.runner = None
            if self.jobs.get(job.key) is job:
                del self.jobs[job.key]
            self.cond.notify_all()


def _nth(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


BUILDS = BuildQueue()  # the one line every session of this process shares
