"""The dask engine's client memory: ``namematch.dask.resolve`` on a two-worker
``distributed.LocalCluster`` (worker processes), the list read and the result written by the
workers, so the client holds only what the engine keeps there.

Usage (from the repository root, with the ``dask`` extra installed)::

    python benchmarks/dask_memory.py /work/lists/longtail-1000000.txt --repeat 3
    python benchmarks/dask_memory.py LIST --check          # also compare with namematch.resolve
    python benchmarks/dask_memory.py LIST --python /other/venv/bin/python --python python3

Each run is its own process (``--_one``): it starts the cluster, then times
``resolve(frame).to_parquet(dir)`` and samples every 0.1 s the RSS of the client process
(which also runs the scheduler) and of each worker. The table gives, per interpreter, the
median wall time and the maximum peak RSS of the client (``ru_maxrss``; the sampled peak
and the RSS before resolving are in the JSON lines) and of the largest worker. ``--check``
reads the written rows in a later process and compares them row for row with
``namematch.resolve`` on the same lines (the same partition, ids, canonical names and
scores).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

_SAMPLE_EVERY = 0.1  # seconds between two RSS samples
# Text columns as Arrow strings: parquet cannot be written from object columns of unknown
# values.
_TEXT = "string[pyarrow]"


def _rss_mb(pid: int) -> float:
    """The resident set of process ``pid`` now, in MB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class _Sampler(threading.Thread):
    """The peak RSS of each of some processes, sampled until stopped."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.peaks = dict.fromkeys(pids, 0.0)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(_SAMPLE_EVERY):
            for pid in self.peaks:
                self.peaks[pid] = max(self.peaks[pid], _rss_mb(pid))


def _frame(path: str, blocksize: str) -> Any:
    """The list's lines as a one-column frame, read by the workers (line ends stripped as the
    command line does)."""
    import dask.bag as db

    lines = db.read_text(path, encoding="utf-8", blocksize=blocksize).map(
        lambda line: line.removesuffix("\n").removesuffix("\r"))
    return lines.to_dataframe(columns=["name"]).astype({"name": _TEXT})


def one_run(path: str, out: str, workers: int, blocksize: str) -> dict[str, float]:
    """Resolve ``path`` on a fresh local cluster, writing the rows under ``out``."""
    import distributed

    import namematch.dask

    with (distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, memory_limit=0) as cluster,
          distributed.Client(cluster) as client):
        worker_pids = list(client.run(os.getpid).values())
        before = _rss_mb(os.getpid())
        sampler = _Sampler([os.getpid(), *worker_pids])
        sampler.start()
        start = time.perf_counter()
        rows = namematch.dask.resolve(_frame(path, blocksize), "name")
        rows.astype(dict.fromkeys(("entity", "canonical"), _TEXT)).to_parquet(out)
        seconds = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
    peaks = sampler.peaks
    return {"seconds": seconds, "client_before_mb": before,
            "client_sampled_mb": peaks.pop(os.getpid()),
            "client_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_mb": max(peaks.values())}


def check(path: str, out: str) -> None:
    """Compare the rows written under ``out`` with ``namematch.resolve`` on ``path``."""
    import pandas as pd

    import namematch

    text = Path(path).read_text(encoding="utf-8")
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    got = pd.read_parquet(out)
    rows = list(zip(got["name"].tolist(), got["entity"].tolist(), got["canonical"].tolist(),
                    got["score"].tolist(), strict=True))
    expected = [(r.name, r.entity, r.canonical, r.score) for r in namematch.resolve(lines)]
    if rows != expected:
        wrong = sum(a != b for a, b in zip(rows, expected, strict=False))
        raise SystemExit(f"{path}: {wrong} of {len(expected)} rows differ "
                         f"({len(rows)} written)")
    print(f"{path}: {len(rows):,} rows equal namematch.resolve", file=sys.stderr)


def _measure(python: str, args: argparse.Namespace) -> list[dict[str, float]]:
    runs = []
    for k in range(args.repeat):
        with tempfile.TemporaryDirectory() as scratch:
            out = str(Path(scratch) / "rows")
            command = [python, __file__, args.list, "--_one", out, "--workers",
                       str(args.workers), "--blocksize", args.blocksize]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            run = json.loads(done.stdout.splitlines()[-1])
            print(json.dumps({"python": python, "run": k, **run}), file=sys.stderr)
            runs.append(run)
            if args.check and k == 0:
                subprocess.run([python, __file__, args.list, "--_check", out], check=True)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("list", help="a file of names, one a line")
    parser.add_argument("--python", action="append",
                        help="interpreter(s) to measure, in turn (default: this one)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--blocksize", default="4MiB", help="bytes of the list per partition")
    parser.add_argument("--check", action="store_true",
                        help="compare the first run's rows with namematch.resolve")
    parser.add_argument("--_one", help=argparse.SUPPRESS)
    parser.add_argument("--_check", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._one:
        print(json.dumps(one_run(args.list, args._one, args.workers, args.blocksize)))
        return
    if args._check:
        check(args.list, args._check)
        return
    print("| python | runs | seconds (median) | client peak MB | client before MB "
          "| largest worker peak MB |")
    print("|---|---|---|---|---|---|")
    for python in args.python or [sys.executable]:
        runs = _measure(python, args)
        print(f"| {python} | {len(runs)} | {statistics.median(r['seconds'] for r in runs):.1f} "
              f"| {max(r['client_peak_mb'] for r in runs):,.0f} "
              f"| {max(r['client_before_mb'] for r in runs):,.0f} "
              f"| {max(r['worker_peak_mb'] for r in runs):,.0f} |", flush=True)


if __name__ == "__main__":
    main()
