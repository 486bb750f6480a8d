"""Memory by stage: ``namematch.resolve`` on a list, the process tree sampled while it runs.

Usage (from the repository root, with namematch installed)::

    python benchmarks/stage_memory.py /work/lists/longtail-1000000.txt --jobs 2

The run reports its stages through ``resolve``'s progress callback; a thread samples every
0.2 s the summed PSS of the process and its workers (``/proc/PID/smaps_rollup``: pages that
forked workers share with their parent count once, split between them), the main process's
PSS, and each worker's private memory (USS: the pages it wrote, its own objects and the
parent's pages it touched, copied on write). The table gives, per stage, the peak of the
tree's PSS, the main process's PSS at that moment, and the largest worker's USS in the
stage. A stage is counted from its first progress report, so a stage's pool starting
before that report shows in the row before. Linux only; sampling slows the run a little.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_SAMPLE_EVERY = 0.2  # seconds between two samples


def _memory_kib(pid: int) -> tuple[int, int]:
    """A process's PSS and USS (private pages) in KiB; zeros once it is gone."""
    pss = private = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith((b"Private_Clean:", b"Private_Dirty:")):
                    private += int(line.split()[1])
    except OSError:
        pass
    return pss, private


def _children(pid: int) -> list[int]:
    """The processes ``pid`` forked, and theirs."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found + [grandchild for child in found for grandchild in _children(child)]


@dataclass
class StagePeak:
    tree_kib: int = 0
    main_kib: int = 0
    worker_uss_kib: int = 0
    processes: int = 0


class Sampler:
    """Samples this process's tree until stopped; keeps each stage's peaks."""

    def __init__(self) -> None:
        self.stage = "start"
        self.peaks: dict[str, StagePeak] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def progress(self, stage: str, done: int, total: int) -> None:
        self.stage = stage

    def sample(self) -> None:
        me = os.getpid()
        while not self.stopped.wait(_SAMPLE_EVERY):
            self.take(me)

    def take(self, me: int) -> None:
        workers = _children(me)
        main_pss, _ = _memory_kib(me)
        measured = [_memory_kib(pid) for pid in workers]
        tree = main_pss + sum(pss for pss, _ in measured)
        peak = self.peaks.setdefault(self.stage, StagePeak())
        peak.worker_uss_kib = max([peak.worker_uss_kib, *(uss for _, uss in measured)])
        if tree > peak.tree_kib:
            peak.tree_kib, peak.main_kib, peak.processes = tree, main_pss, 1 + len(workers)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.take(os.getpid())


def table(peaks: dict[str, StagePeak], seconds: float, jobs: int, path: Path) -> str:
    lines = [f"`resolve(jobs={jobs})` on {path.name}: {seconds:.1f} s with sampling",
             "",
             "| stage | peak tree PSS MiB | main PSS then MiB | largest worker USS MiB "
             "| processes |",
             "|---|---|---|---|---|"]
    for stage, peak in peaks.items():
        lines.append(f"| {stage} | {peak.tree_kib / 1024:,.0f} | {peak.main_kib / 1024:,.0f} "
                     f"| {peak.worker_uss_kib / 1024:,.0f} | {peak.processes} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("list", type=Path, help="one name per line")
    parser.add_argument("--jobs", type=int, default=2, help="resolve's jobs (default 2)")
    args = parser.parse_args(argv)
    if not os.path.exists("/proc/self/smaps_rollup"):
        print("stage_memory.py: needs Linux's /proc/PID/smaps_rollup", file=sys.stderr)
        return 2
    import namematch

    names = args.list.read_text(encoding="utf-8").splitlines()
    sampler = Sampler()
    start = time.perf_counter()
    namematch.resolve(names, jobs=args.jobs, progress=sampler.progress)
    seconds = time.perf_counter() - start
    sampler.progress("done", 0, 0)
    sampler.stop()
    print(table(sampler.peaks, seconds, args.jobs, args.list))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
