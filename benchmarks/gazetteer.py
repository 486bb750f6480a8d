"""Gazetteer benchmark: the targets of the gazetteer issue, measured and printed as a table.

Usage (from the repository root)::

    python benchmarks/gazetteer.py                       # 100k synthetic mentions, 1 run
    python benchmarks/gazetteer.py --sizes 1000000 --repeat 3
    python benchmarks/gazetteer.py --keep /tmp/gaz       # keep the lists and databases

For each size N, a synthetic mention list is generated as ``benchmarks/speed.py`` makes it
(seed ``--seed``), and 10,000 new mentions with another seed (other people, same given
names). Every timed step is its own subprocess, started from a small launcher process
(see ``speed.py``), timed around ``os.wait4``, which gives its peak RSS:

* ``resolve``: ``namematch resolve FILE -q -j 1`` (the gazetteer runs in one process);
* ``add``: the N mentions added to a new on-disk database in batches of 10,000;
* ``link 10k``: the 10,000 new mentions screened (``Gazetteer.link``) against it, and then
  ``add 10k``: stored; the time inside the call is shown next to the process's;
* ``match``: 1,000 ``Gazetteer.match`` lookups (half stored spellings, half new), p50/p99;
* size: the database file (after a checkpoint) per distinct spelling;
* one batch: N added as one batch to an empty in-memory database, against ``resolve``'s
  partition (up to ``--one-batch-max`` mentions);
* 10 shuffled batches: pairwise F1 against the one-batch partition, and the same after the
  review items are accepted (``decide(a, b, "same")``); also on ``seeds/names.txt`` and the
  labelled ``news-dev.tsv`` when present (names only are read, to measure).

Times are the median of ``--repeat`` runs, peak RSS the maximum. The children import
namematch as installed: run it with a venv holding ``pip install .`` (compiled) to measure
speed; the first line says which build ran.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import Launcher, Run, generate

ROOT = Path(__file__).resolve().parents[1]
BATCH = 10_000
NEW = 10_000


def pairwise_f1(a: Sequence[str], b: Sequence[str]) -> float:
    """Pairwise F1 of partition ``a`` against partition ``b`` (labels per row)."""
    def pairs(labels: Sequence[object]) -> int:
        return sum(n * (n - 1) // 2 for n in Counter(labels).values())

    both, in_a, in_b = pairs(list(zip(a, b, strict=True))), pairs(a), pairs(b)
    precision = both / in_a if in_a else 1.0
    recall = both / in_b if in_b else 1.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 1.0


# -- children ------------------------------------------------------------------------------


def child_add(db: str, path: str, batch: int) -> None:
    from namematch import Gazetteer

    names = Path(path).read_text(encoding="utf-8").splitlines()
    start = time.perf_counter()
    with Gazetteer(db) as gaz:
        for first in range(0, len(names), batch):
            gaz.add(names[first:first + batch], source=f"rows {first}")
    print(json.dumps({"inner": time.perf_counter() - start}))


def child_link(db: str, path: str, store: bool) -> None:
    from namematch import Gazetteer

    names = Path(path).read_text(encoding="utf-8").splitlines()
    with Gazetteer(db) as gaz:
        start = time.perf_counter()
        links = gaz.add(names, source="new") if store else gaz.link(names)
        inner = time.perf_counter() - start
    print(json.dumps({"inner": inner, "status": Counter(link.status for link in links)}))


def child_match(db: str, path: str, count: int) -> None:
    from namematch import Gazetteer

    new = Path(path).read_text(encoding="utf-8").splitlines()
    rng = random.Random(5)
    with Gazetteer(db) as gaz:
        connection = gaz._store.connection  # type: ignore[attr-defined]
        stored = [row[0] for row in connection.execute(
            "SELECT shown FROM spellings ORDER BY random() LIMIT ?", (count // 2,))]
        queries = stored + rng.sample(new, count - len(stored))
        rng.shuffle(queries)
        gaz.match(queries[0])  # warm the caches of the rules, not of the queries
        times = []
        for query in queries:
            start = time.perf_counter()
            gaz.match(query)
            times.append(time.perf_counter() - start)
        spellings = connection.execute("SELECT count(*) FROM spellings").fetchone()[0]
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    times.sort()
    print(json.dumps({"p50": times[len(times) // 2], "p99": times[int(len(times) * 0.99)],
                      "spellings": spellings, "bytes": os.path.getsize(db)}))


def child_partitions(path: str, out: str) -> None:
    """One batch and 10 shuffled batches, in memory; entity per row of each, as JSON."""
    from namematch import Gazetteer, resolve

    names = Path(path).read_text(encoding="utf-8").splitlines()
    result = {"resolve": [r.entity for r in resolve(names, jobs=1)]}
    with Gazetteer() as gaz:
        result["one"] = [link.entity for link in gaz.add(names)]
    order = list(range(len(names)))
    random.Random(1).shuffle(order)
    shuffled = [""] * len(names)
    with Gazetteer() as gaz:
        for k in range(10):
            rows = order[k::10]
            for i, link in zip(rows, gaz.add([names[i] for i in rows]), strict=True):
                shuffled[i] = link.entity
        result["shuffled"] = shuffled
        reviews = gaz.review()
        for item in reviews:
            if gaz.resolve_id(item.a) != gaz.resolve_id(item.b):
                gaz.decide(item.a, item.b, "same", by="benchmark")
        result["accepted"] = [gaz.resolve_id(e) if e else "" for e in shuffled]
        result["reviews"] = [len(reviews)]  # type: ignore[list-item]
    Path(out).write_text(json.dumps(result), encoding="utf-8")


# -- parent --------------------------------------------------------------------------------


def run(launcher: Launcher, command: list[str], repeat: int, label: str) -> list[Run]:
    runs = []
    for attempt in range(repeat):
        print(f"  {label}: run {attempt + 1}/{repeat} ...", file=sys.stderr)
        result = launcher.run(command, 7200)
        print(f"    {result.status}, {result.seconds:.2f} s, {result.rss_kib / 1024:.0f} MB",
              file=sys.stderr)
        if result.status != "ok":
            print(result.stderr[-2000:], file=sys.stderr)
            raise SystemExit(f"{label} failed")
        runs.append(result)
    return runs


def me(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def partition_row(label: str, data: dict[str, list[str]]) -> list[str]:
    same = pairwise_f1(data["one"], data["resolve"]) == 1.0
    return [label, "yes" if same else "no",
            f"{pairwise_f1(data['shuffled'], data['one']):.4f}",
            f"{pairwise_f1(data['accepted'], data['one']):.4f}", str(data["reviews"][0])]


def measure_size(size: int, args: argparse.Namespace, launcher: Launcher,
                 folder: Path) -> tuple[list[list[str]], list[str] | None]:
    names, _, _ = generate(size, args.seed)
    new, _, _ = generate(NEW * 20, args.seed + 1000)
    new = new[:NEW]
    path, new_path = folder / f"list-{size}.txt", folder / f"new-{size}.txt"
    path.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
    new_path.write_text("".join(f"{n}\n" for n in new), encoding="utf-8")
    resolve = run(launcher, [sys.executable, "-m", "namematch.cli", "resolve", str(path), "-q",
                             "-j", "1"], args.repeat, f"resolve {size:,}")
    adds, links, stores, matches = [], [], [], []
    for attempt in range(args.repeat):
        db = folder / f"db-{size}-{attempt}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        adds += run(launcher, me("--_add", str(db), str(path)), 1, f"add {size:,}")
        links += run(launcher, me("--_link", str(db), str(new_path)), 1, "link 10k")
        matches += run(launcher, me("--_match", str(db), str(new_path)), 1, "match x1000")
        stores += run(launcher, me("--_store", str(db), str(new_path)), 1, "add 10k")
    median = statistics.median
    resolve_s = median(r.seconds for r in resolve)
    add_s = median(r.seconds for r in adds)
    inner = [json.loads(r.stdout) for r in links]
    stored = [json.loads(r.stdout) for r in stores]
    found = [json.loads(r.stdout) for r in matches]
    db_bytes = found[0]["bytes"]  # holding the N mentions (before the 10k are added)
    per = db_bytes / found[0]["spellings"]
    rss = max(r.rss_kib for r in links) / 1024
    rows = [
        [f"add {size:,} in batches of 10k", f"{add_s:.1f} s = {add_s / resolve_s:.2f}x resolve "
         f"({resolve_s:.1f} s)", "<= 3x", _ok(add_s <= 3 * resolve_s)],
        ["link 10k new (read-only)", f"{median(i['inner'] for i in inner):.2f} s in the call, "
         f"{median(r.seconds for r in links):.2f} s process, {rss:.0f} MB peak",
         "<= 10 s, <= 400 MB", _ok(median(r.seconds for r in links) <= 10 and rss <= 400)],
        ["add 10k new (stored)", f"{median(i['inner'] for i in stored):.2f} s in the call, "
         f"{max(r.rss_kib for r in stores) / 1024:.0f} MB peak", "(same)",
         _ok(median(r.seconds for r in stores) <= 10)],
        ["match one name", f"p50 {median(f['p50'] for f in found) * 1000:.1f} ms, "
         f"p99 {median(f['p99'] for f in found) * 1000:.1f} ms",
         "p50 <= 5 ms, p99 <= 50 ms",
         _ok(median(f["p50"] for f in found) <= 0.005 and median(f["p99"] for f in found) <= 0.05)],
        ["database size", f"{db_bytes / 1e6:.0f} MB, {per:.0f} B per distinct spelling "
         f"({found[0]['spellings']:,})", "<= 1 KB", _ok(per <= 1024)],
    ]
    quality = None
    if size <= args.one_batch_max:
        out = folder / f"partitions-{size}.json"
        run(launcher, me("--_partitions", str(path), str(out)), 1, "partitions")
        quality = partition_row(f"synthetic {size:,}", json.loads(out.read_text()))
    return rows, quality


def _ok(met: bool) -> str:
    return "met" if met else "NOT met"


def small_lists(launcher: Launcher, folder: Path) -> list[list[str]]:
    lists = {"seeds/names.txt": (ROOT / "seeds" / "names.txt").read_text(
        encoding="utf-8").splitlines()}
    news = ROOT.parent / "shared" / "benchmarks" / "news-dev.tsv"
    if news.is_file():
        lines = news.read_text(encoding="utf-8").splitlines()
        column = lines[0].split("\t").index("name")
        lists["news-dev"] = [line.split("\t")[column] for line in lines[1:] if line.strip()]
    rows = []
    for label, names in lists.items():
        path, out = folder / "small.txt", folder / "small.json"
        path.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
        run(launcher, me("--_partitions", str(path), str(out)), 1, f"partitions {label}")
        rows.append(partition_row(label, json.loads(out.read_text())))
    return rows


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join("{:<" + str(w) + "}" for w in widths) + " |"
    out = [line.format(*header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line.format(*row) for row in rows]
    return "\n".join(out)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--one-batch-max", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, default=None)
    children = {"--_add": 2, "--_link": 2, "--_store": 2, "--_match": 2, "--_partitions": 2}
    if argv and argv[0] in children:
        mode, first, second = argv[0], argv[1], argv[2]
        if mode == "--_add":
            child_add(first, second, BATCH)
        elif mode in ("--_link", "--_store"):
            child_link(first, second, mode == "--_store")
        elif mode == "--_match":
            child_match(first, second, 1000)
        else:
            child_partitions(first, second)
        return
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="gazetteer-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    launcher = Launcher(folder)
    import namematch

    build = "compiled" if namematch.compiled() else "pure Python"
    print(f"namematch {namematch.__version__} ({build}), {os.cpu_count()} cores, "
          f"repeat {args.repeat}, seed {args.seed}")
    try:
        quality = small_lists(launcher, folder)
        for size in args.sizes:
            rows, synthetic = measure_size(size, args, launcher, folder)
            print(f"\n{size:,} synthetic mentions\n")
            print(table(["measure", "result", "target", ""], rows))
            if synthetic is not None:
                quality.append(synthetic)
    finally:
        launcher.close()
    print("\nPartitions: one batch against resolve; 10 shuffled batches against one batch\n")
    print(table(["list", "one batch = resolve", "F1 shuffled", "F1 reviews accepted",
                 "review items"], quality))


if __name__ == "__main__":
    main(sys.argv[1:])
