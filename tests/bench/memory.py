"""Resident memory of the service and of PostgreSQL while a load runs.

Read with psutil (`Process.memory_full_info()`: on Linux, `/proc/<pid>/smaps_rollup`,
the kernel's sum of a process's mappings; `children(recursive=True)` for the tree).
Two figures for a process tree, each at its peak over the run, sampled twice a second:
- PSS summed ("proportional set size": each page divided by the number of
  processes sharing it): the memory the tree holds, each page once, as a
  container's memory cgroup charges it (a page is charged to one cgroup once:
  Documentation/admin-guide/cgroup-v2.rst, "Memory Ownership"). The service's
  target is judged on it.
- RSS summed: every resident page counted in each process that maps it. gunicorn
  preloads the app in its master (gunicorn.conf.py), so its workers share the
  master's pages and the sum counts them once per process; PostgreSQL's shared
  buffers count once per backend that touched them. Shown, and judged, beside.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psutil

from tests.bench.harness import Report, Stack
from tests.service_process import Service

SERVICE_TARGET_MB = 300  # issue 21: the service under 300 MB with 3 workers
SERVICE_WORKERS = 3
SAMPLE_SECONDS = 0.5

HEADER = (
    "load run",
    "service PSS MB",
    "service RSS MB summed (processes)",
    "PostgreSQL PSS MB",
    "PostgreSQL RSS MB summed (processes)",
    f"target: service < {SERVICE_TARGET_MB} MB with {SERVICE_WORKERS} workers",
)


@dataclass(frozen=True)
class Resident:
    rss_mb: float = 0.0
    pss_mb: float = 0.0
    processes: int = 0

    def peak(self, other: Resident) -> Resident:
        """The larger of each figure (the process count goes with the larger RSS)."""
        top = self if self.rss_mb >= other.rss_mb else other
        return Resident(top.rss_mb, max(self.pss_mb, other.pss_mb), top.processes)


def tree(pid: int) -> list[psutil.Process]:
    """pid and its descendants (a process ending meanwhile is left out)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def resident(processes: list[psutil.Process]) -> Resident:
    rss = pss = 0
    counted = 0
    for process in processes:
        try:
            memory = process.memory_full_info()  # Linux: /proc/<pid>/smaps_rollup
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += memory.rss
        pss += memory.pss
        counted += 1
    return Resident(rss / 2**20, pss / 2**20, counted)


def postmaster_pid(stack: Stack) -> int:
    """The first line of postmaster.pid (PostgreSQL's storage-file-layout page)."""
    return int((stack.cluster.data_dir / "postmaster.pid").read_text().split()[0])


class Peaks:
    """Samples each named process tree in a thread until stopped; the peaks."""

    def __init__(self, roots: dict[str, Callable[[], int]]):
        self.roots = roots
        self.peaks = {name: Resident() for name in roots}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        for name, root in self.roots.items():
            self.peaks[name] = self.peaks[name].peak(resident(tree(root())))

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.sample()

    def __enter__(self) -> Peaks:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


@contextmanager
def under_load(memory: Report, label: str, service: Service, stack: Stack) -> Iterator[None]:
    """Watch the service's and PostgreSQL's memory while the block runs; a row in
    `memory` when it ends (also when it fails: the figures up to the failure)."""
    postmaster = postmaster_pid(stack)
    peaks = Peaks({"service": lambda: service.process.pid, "postgres": lambda: postmaster})
    try:
        with peaks:
            yield
    finally:
        add_row(memory, label, peaks.peaks["service"], peaks.peaks["postgres"])


def add_row(memory: Report, label: str, service: Resident, postgres: Resident) -> None:
    workers = service.processes - 1  # gunicorn's master, then its workers
    verdict = "yes" if service.pss_mb < SERVICE_TARGET_MB else "NO"
    verdict += f" (summed RSS: {'yes' if service.rss_mb < SERVICE_TARGET_MB else 'NO'})"
    if workers != SERVICE_WORKERS:
        verdict += f"; {workers} workers, not {SERVICE_WORKERS}"
    memory.add(
        label,
        f"{service.pss_mb:.0f}",
        f"{service.rss_mb:.0f} ({service.processes})",
        f"{postgres.pss_mb:.0f}",
        f"{postgres.rss_mb:.0f} ({postgres.processes})",
        verdict,
    )


NOTE = (
    f"peaks over each load run, sampled every {SAMPLE_SECONDS} s with psutil; service:"
    " gunicorn's master and its workers (gthread, 2 threads each, the app preloaded in the master); PostgreSQL:"
    " the postmaster and every backend and background process. PSS divides a shared page among"
    " the processes sharing it (each page once, as a container's memory limit counts it);"
    " summed RSS counts it in each (the preloaded app once per gunicorn process, the shared"
    " buffers once per backend)"
)
