"""Accuracy benchmark: namematch against simple peers on the labelled name sets.

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/accuracy.py                # all sets, all systems
    python benchmarks/accuracy.py --no-peers                    # namematch only (fast)
    python benchmarks/accuracy.py --sets news-dev --errors 20   # debugging aid on stderr
    python benchmarks/accuracy.py --data DIR --threshold 0.9 --seed 13

Each ``*.tsv`` file in the data directory (default ``../shared/benchmarks`` next to the
repository) is a tab-separated table with a header and at least the columns ``cluster``
and ``name``; rows with the same ``cluster`` are one entity.  Files with a ``kind``
column are also evaluated without the ``nickname`` rows (clusters left with a single
row are dropped).  The rows of every evaluated set are shuffled with
``random.Random(seed)`` and all systems see the same order.

Systems:

* ``namematch``: ``namematch.resolve(names[, threshold=X])``; rows with equal
  ``.entity`` are predicted to be one entity.  Skipped with a message when the package
  cannot be imported (``src/`` of this repository is tried as a fallback).
* rapidfuzz peers (token_sort_ratio, token_set_ratio, WRatio, Jaro-Winkler) on
  ``default_process``-ed names: single-linkage clustering, i.e. connected components
  of the pairs scoring >= threshold.  The threshold is the one with the best pair F1
  **on the evaluated set itself**, which favours the peers.  The components for every
  threshold are read off one maximum spanning tree of the score matrix, which is
  equivalent and makes the sweep cheap.
* jellyfish peers (soundex, metaphone, nysiis): the key of a name is the tuple of its
  token keys (unidecode, lower case, split on whitespace and hyphens, characters other
  than a-z and 0-9 removed, Arabic article tokens dropped); equal keys are one entity.
  Names whose key is empty stay on their own.

Metrics: pairwise precision/recall/F1 over unordered pairs of rows, B-cubed F1,
number of predicted clusters and wall seconds.  Peer seconds cover the score matrix,
the spanning tree and one clustering at the chosen threshold, not the sweep.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shlex
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jellyfish
import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.utils import default_process
from unidecode import unidecode

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "benchmarks"
ARTICLES = frozenset({"al", "el", "ul", "il", "ad", "an", "ar", "as", "ash", "at", "az", "ath"})
ARABIC_MARK = "arabic-script"

Labels = Sequence[Hashable]
Tree = tuple[np.ndarray, np.ndarray, np.ndarray]  # (u, v, weight) edges


@dataclass(frozen=True)
class Row:
    cluster: str
    name: str
    kind: str = ""
    note: str = ""


@dataclass(frozen=True)
class EvalSet:
    title: str
    rows: list[Row]
    has_notes: bool


@dataclass(frozen=True)
class Prf:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class Result:
    system: str
    threshold: str
    labels: Labels = field(repr=False)
    seconds: float


@dataclass(frozen=True)
class RapidfuzzPeer:
    name: str
    scorer: Callable[..., float]
    grid: np.ndarray
    threshold_format: str


# --------------------------------------------------------------------------- data


def read_tsv(path: Path) -> tuple[list[Row], list[str]]:
    """Read one labelled set; returns its rows and its header."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = list(reader.fieldnames or [])
        rows = [
            Row(
                cluster=record["cluster"],
                name=record["name"],
                kind=record.get("kind") or "",
                note=record.get("note") or "",
            )
            for record in reader
        ]
    return rows, header


def drop_nicknames(rows: list[Row]) -> list[Row]:
    """Drop rows of kind ``nickname``, then clusters left with a single row."""
    kept = [row for row in rows if row.kind != "nickname"]
    sizes = Counter(row.cluster for row in kept)
    return [row for row in kept if sizes[row.cluster] > 1]


def shuffled(rows: list[Row], seed: int) -> list[Row]:
    out = list(rows)
    random.Random(seed).shuffle(out)
    return out


def eval_sets(path: Path, seed: int) -> list[EvalSet]:
    rows, header = read_tsv(path)
    has_notes = "note" in header
    sets = [EvalSet(path.name, shuffled(rows, seed), has_notes)]
    if "kind" in header:
        sets.append(
            EvalSet(
                f"{path.name} without nicknames", shuffled(drop_nicknames(rows), seed), has_notes
            )
        )
    return sets


def select_files(data: Path, wanted: list[str] | None) -> list[Path]:
    files = sorted(data.glob("*.tsv"))
    if not wanted:
        return files
    by_name = {f.name: f for f in files} | {f.stem: f for f in files}
    missing = [w for w in wanted if w not in by_name]
    if missing:
        raise SystemExit(f"unknown set(s) {missing}; available: {[f.name for f in files]}")
    return [by_name[w] for w in wanted]


# ------------------------------------------------------------------------ metrics


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def ratio(num: float, den: float) -> float:
    """num / den, with 1.0 for an empty denominator (nothing claimed, nothing missed)."""
    return num / den if den else 1.0


def f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def pair_scores(gold: Labels, pred: Labels) -> Prf:
    """Pairwise precision/recall/F1, counted per contingency cell (no pair enumeration).

    gold [a, a, b], pred [x, x, x]: TP 1, predicted pairs 3, gold pairs 1 -> P 1/3, R 1.
    """
    true_pos = sum(pairs(n) for n in Counter(zip(gold, pred, strict=True)).values())
    pred_pairs = sum(pairs(n) for n in Counter(pred).values())
    gold_pairs = sum(pairs(n) for n in Counter(gold).values())
    precision, recall = ratio(true_pos, pred_pairs), ratio(true_pos, gold_pairs)
    return Prf(precision, recall, f1(precision, recall))


def bcubed_scores(gold: Labels, pred: Labels) -> Prf:
    """B-cubed precision/recall/F1: per row overlap / own cluster size, averaged.

    gold [a, a, b], pred [x, x, x]: P (2/3 + 2/3 + 1/3) / 3 = 5/9, R 1.
    """
    cells = Counter(zip(gold, pred, strict=True))
    gold_sizes, pred_sizes = Counter(gold), Counter(pred)
    precision = sum(n * n / pred_sizes[p] for (_, p), n in cells.items()) / len(gold)
    recall = sum(n * n / gold_sizes[g] for (g, _), n in cells.items()) / len(gold)
    return Prf(precision, recall, f1(precision, recall))


def arabic_figure(rows: Sequence[Row], pred: Labels) -> str:
    """How Arabic-script rows are attached to the entity of their Latin-script variants."""
    members: dict[Hashable, set[str]] = defaultdict(set)
    latin: dict[str, Counter[Hashable]] = defaultdict(Counter)
    for row, label in zip(rows, pred, strict=True):
        members[label].add(row.cluster)
        if ARABIC_MARK not in row.note:
            latin[row.cluster][label] += 1
    arabic = [
        (row, label) for row, label in zip(rows, pred, strict=True) if ARABIC_MARK in row.note
    ]
    joined = sum(
        1
        for row, label in arabic
        if latin[row.cluster] and latin[row.cluster].most_common(1)[0][0] == label
    )
    wrong = sum(1 for row, label in arabic if members[label] - {row.cluster})
    return (
        f"namematch: Arabic rows joined to their Latin entity: {joined}/{len(arabic)}; "
        f"wrongly joined: {wrong}"
    )


# ------------------------------------------------------------------------ systems


def import_resolve() -> Callable[..., Sequence[Any]] | None:
    """namematch.resolve, trying this repository's src/ when it is not installed."""
    try:
        from namematch import resolve
    except ImportError:
        sys.modules.pop("namematch", None)
        sys.path.insert(0, str(REPO_ROOT / "src"))
        try:
            from namematch import resolve
        except ImportError as error:
            print(f"namematch not importable ({error}); skipping it.", file=sys.stderr)
            return None
    module = sys.modules["namematch"]
    version = getattr(module, "__version__", "?")
    print(f"namematch {version} from {module.__file__}", file=sys.stderr)
    typed: Callable[..., Sequence[Any]] = resolve
    return typed


def run_namematch(
    resolve: Callable[..., Sequence[Any]], names: list[str], threshold: float | None
) -> Result:
    kwargs = {} if threshold is None else {"threshold": threshold}
    start = time.perf_counter()
    resolved = resolve(names, **kwargs)
    seconds = time.perf_counter() - start
    if len(resolved) != len(names):
        raise SystemExit(f"resolve returned {len(resolved)} results for {len(names)} names")
    label = "default" if threshold is None else f"{threshold:g}"
    return Result("namematch", label, [str(r.entity) for r in resolved], seconds)


def rapidfuzz_peers() -> list[RapidfuzzPeer]:
    percent = np.arange(50, 101, dtype=np.float32)
    unit = np.round(np.arange(50, 101) / 100, 2).astype(np.float32)
    return [
        RapidfuzzPeer("rapidfuzz token_sort_ratio", fuzz.token_sort_ratio, percent, "{:.0f}"),
        RapidfuzzPeer("rapidfuzz token_set_ratio", fuzz.token_set_ratio, percent, "{:.0f}"),
        RapidfuzzPeer("rapidfuzz WRatio", fuzz.WRatio, percent, "{:.0f}"),
        RapidfuzzPeer("rapidfuzz JaroWinkler", JaroWinkler.normalized_similarity, unit, "{:.2f}"),
    ]


def score_matrix(names: list[str], scorer: Callable[..., float]) -> np.ndarray:
    processed = [default_process(name) for name in names]
    scores = process.cdist(processed, processed, scorer=scorer, dtype=np.float32, workers=-1)
    symmetric: np.ndarray = np.maximum(scores, scores.T)  # guard against asymmetric scorers
    return symmetric


def max_spanning_tree(scores: np.ndarray) -> Tree:
    """Prim on the dense score matrix; returns (u, v, weight) sorted by weight, descending.

    The components of {pairs scoring >= t} are those of the tree edges weighing >= t.
    """
    n = len(scores)
    in_tree = np.zeros(n, dtype=bool)
    best = np.full(n, -np.inf, dtype=np.float32)
    parent = np.zeros(n, dtype=np.int64)
    edges = max(n - 1, 0)
    u = np.zeros(edges, dtype=np.int64)
    v = np.zeros(edges, dtype=np.int64)
    w = np.zeros(edges, dtype=np.float32)
    node = 0
    for i in range(n):
        in_tree[node] = True
        best[node] = -np.inf
        row = scores[node]
        better = (row > best) & ~in_tree
        best[better] = row[better]
        parent[better] = node
        if i == n - 1:
            break
        node = int(np.argmax(best))
        u[i], v[i], w[i] = parent[node], node, best[node]
    order = np.argsort(-w, kind="stable")
    return u[order], v[order], w[order]


def components(n: int, u: np.ndarray, v: np.ndarray) -> list[int]:
    """Connected-component label (a root row index) per row, by union-find."""
    root = list(range(n))

    def find(x: int) -> int:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for a, b in zip(u.tolist(), v.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            root[ra] = rb
    return [find(x) for x in range(n)]


def cut(tree: Tree, n: int, threshold: np.float32) -> list[int]:
    u, v, w = tree
    keep = int(np.searchsorted(-w, -threshold, side="right"))  # w is sorted descending
    return components(n, u[:keep], v[:keep])


def run_rapidfuzz(peer: RapidfuzzPeer, names: list[str], gold: Labels) -> Result:
    """Best-F1 threshold on this very set; seconds = matrix + tree + one cut."""
    start = time.perf_counter()
    tree = max_spanning_tree(score_matrix(names, peer.scorer))
    build_seconds = time.perf_counter() - start
    n = len(names)
    f1s = [pair_scores(gold, cut(tree, n, t)).f1 for t in peer.grid]
    best = max(range(len(f1s)), key=lambda i: (f1s[i], i))  # ties: the higher threshold
    threshold = peer.grid[best]
    start = time.perf_counter()
    labels = cut(tree, n, threshold)
    seconds = build_seconds + time.perf_counter() - start
    return Result(peer.name, peer.threshold_format.format(threshold), labels, seconds)


def name_tokens(name: str) -> list[str]:
    """unidecode, lower case, split on whitespace/hyphens, keep a-z0-9, drop articles."""
    tokens = unidecode(name).lower().replace("-", " ").split()
    cleaned = ("".join(ch for ch in token if ch.isascii() and ch.isalnum()) for token in tokens)
    return [token for token in cleaned if token and token not in ARTICLES]


def run_phonetic(system: str, encode: Callable[[str], str], names: list[str]) -> Result:
    start = time.perf_counter()
    labels: list[Hashable] = []
    for index, name in enumerate(names):
        key = tuple(encode(token) for token in name_tokens(name))
        labels.append(key if key else ("<empty>", index))
    return Result(system, "-", labels, time.perf_counter() - start)


def phonetic_peers() -> list[tuple[str, Callable[[str], str]]]:
    return [
        ("jellyfish soundex", jellyfish.soundex),
        ("jellyfish metaphone", jellyfish.metaphone),
        ("jellyfish nysiis", jellyfish.nysiis),
    ]


# ------------------------------------------------------------------------- output


def table(eval_set: EvalSet, results: list[Result]) -> str:
    gold = [row.cluster for row in eval_set.rows]
    lines = [
        f"### {eval_set.title} ({len(gold)} rows, {len(set(gold))} gold clusters)",
        "| system | threshold | pair P | pair R | pair F1 | B3 F1 | clusters | seconds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    scored = [(r, pair_scores(gold, r.labels), bcubed_scores(gold, r.labels)) for r in results]
    first = [s for s in scored if s[0].system == "namematch"]
    peers = sorted((s for s in scored if s[0].system != "namematch"), key=lambda s: -s[1].f1)
    for result, pair, b3 in first + peers:
        lines.append(
            f"| {result.system} | {result.threshold} | {pair.precision:.3f} | {pair.recall:.3f}"
            f" | {pair.f1:.3f} | {b3.f1:.3f} | {len(set(result.labels))} | {result.seconds:.3f} |"
        )
    return "\n".join(lines)


def mismatched_pairs(members: list[int], other: Labels) -> Iterator[tuple[int, int]]:
    """Pairs of ``members`` that differ in ``other``, one per distinct pair of ``other`` labels."""
    seen: set[frozenset[Hashable]] = set()
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            combo = frozenset((other[a], other[b]))
            if len(combo) == 2 and combo not in seen:
                seen.add(combo)
                yield a, b


def error_pairs(group_by: Labels, other: Labels, limit: int) -> list[tuple[int, int]]:
    """Up to ``limit`` pairs within one group of ``group_by`` that differ in ``other``.

    The groups are visited round robin so that one big group does not fill the list.
    """
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for index, label in enumerate(group_by):
        groups[label].append(index)
    pending = [mismatched_pairs(members, other) for members in groups.values()]
    found: list[tuple[int, int]] = []
    while pending and len(found) < limit:
        still_pending = []
        for candidates in pending:
            pair = next(candidates, None)
            if pair is not None and len(found) < limit:
                found.append(pair)
                still_pending.append(candidates)
        pending = still_pending
    return found


def print_errors(eval_set: EvalSet, result: Result, limit: int) -> None:
    rows, pred = eval_set.rows, result.labels
    gold = [row.cluster for row in rows]

    def show(a: int, b: int) -> str:
        return f"  {rows[a].name!r} [{gold[a]}]  ~  {rows[b].name!r} [{gold[b]}]"

    print(f"## namematch errors: {eval_set.title} (threshold {result.threshold})", file=sys.stderr)
    print("false positives (predicted same, gold different):", file=sys.stderr)
    for a, b in error_pairs(pred, gold, limit):
        print(show(a, b), file=sys.stderr)
    print("false negatives (gold same, predicted different):", file=sys.stderr)
    for a, b in error_pairs(gold, pred, limit):
        print(show(a, b), file=sys.stderr)


def command_line(argv: list[str]) -> str:
    script = Path(sys.argv[0])
    if script.is_absolute() and script.is_relative_to(Path.cwd()):
        script = script.relative_to(Path.cwd())
    pythonpath = os.environ.get("PYTHONPATH")
    prefix = f"PYTHONPATH={shlex.quote(pythonpath)} " if pythonpath else ""
    return prefix + shlex.join(["python", str(script), *argv])


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="directory of *.tsv sets")
    parser.add_argument("--threshold", type=float, help="passed to namematch.resolve")
    parser.add_argument("--sets", nargs="+", metavar="NAME", help="evaluate only these files")
    parser.add_argument("--no-peers", action="store_true", help="evaluate namematch only")
    parser.add_argument("--seed", type=int, default=13, help="row shuffle seed (default 13)")
    parser.add_argument(
        "--errors",
        type=int,
        default=0,
        metavar="N",
        help="print up to N false-positive and N false-negative namematch pairs to stderr",
    )
    return parser.parse_args(argv)


def evaluate(
    eval_set: EvalSet,
    resolve: Callable[..., Sequence[Any]] | None,
    args: argparse.Namespace,
) -> list[Result]:
    names = [row.name for row in eval_set.rows]
    gold = [row.cluster for row in eval_set.rows]
    results = []
    if resolve is not None:
        results.append(run_namematch(resolve, names, args.threshold))
    if not args.no_peers:
        results.extend(run_rapidfuzz(peer, names, gold) for peer in rapidfuzz_peers())
        results.extend(run_phonetic(system, encode, names) for system, encode in phonetic_peers())
    return results


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    resolve = import_resolve()
    if resolve is None and args.no_peers:
        print("nothing to evaluate: namematch is missing and --no-peers was given", file=sys.stderr)
        return 1
    files = select_files(args.data, args.sets)
    if not files:
        print(f"no *.tsv files in {args.data}", file=sys.stderr)
        return 1
    for path in files:
        for eval_set in eval_sets(path, args.seed):
            results = evaluate(eval_set, resolve, args)
            print(table(eval_set, results))
            namematch = [r for r in results if r.system == "namematch"]
            if namematch and eval_set.has_notes:
                print(f"\n{arabic_figure(eval_set.rows, namematch[0].labels)}")
            if namematch and args.errors > 0:
                print_errors(eval_set, namematch[0], args.errors)
            print()
    if not args.no_peers:
        print(
            "Peer thresholds (rapidfuzz) are the best pair-F1 threshold on each set itself, "
            "which favours the peers; their seconds cover the score matrix, the spanning tree "
            "and one clustering at that threshold, not the sweep."
        )
    print(f"\nCommand: `{command_line(argv)}`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
