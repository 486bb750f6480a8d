"""Resolve a dask DataFrame column of names into entities, on a dask cluster.

The same stages as :func:`namematch.resolve.resolve`, the heavy ones spread over the
partitions: counting the (normalized, written) forms, building candidate pairs from the
blocking keys, comparing the pairs, and clustering. The client parses the distinct names,
gathers the verdicts that matter (match or possible conflict) and finds the components of
the names; parts of the components are clustered in tasks
(:func:`namematch.cluster.entities_of_part`), so the result is exactly the single-machine
one: same partition, entity ids, canonical names and scores. See ``docs/dask.md``.

dask is an optional dependency (``pip install 'namematch-arabic[dask]'``); this module imports it
only when called and raises :class:`DaskMissingError` when it is not installed.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import multiprocessing
import os
import pickle
import sys
import uuid
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from ._pickling import by_fields
from .aliases import AliasTable, load_aliases
from .api import checked_names, missing
from .cluster import Link, Resolved, Verdicts, components, entities, entities_of_part
from .compare import DEFAULT_THRESHOLD
from .distinct import Informativeness, NameList
from .errors import InputError, NamematchError
from .keys import Pairing, keys
from .normalize import normalize
from .parse import parse
from .resolve import (
    MAX_BUCKET,
    Resolution,
    collector_paused,
    judge,
    prepare_list,
    resolutions,
)
from .session import Session

__all__ = ["DaskMissingError", "SchedulerError", "candidate_pairs", "resolve", "resolve_list"]

COLUMNS = ("name", "entity", "canonical", "score")
# Blocking keys are shuffled as Arrow strings: hashed and shipped in bulk, several times
# faster than Python string objects (pyarrow is part of the dask extra).
_KEY_DTYPE = "string[pyarrow]"
# A verdict frame's rows: the pair's code (i * len(parsed) + j), its score and its kind.
_CONFLICT, _MATCH, _WHOLE_MATCH = 0, 1, 2
_T = TypeVar("_T")


class DaskMissingError(NamematchError, ImportError):
    """The dask engine was asked for but dask is not installed."""


def _modules() -> tuple[Any, Any, Any]:
    """``dask``, ``dask.dataframe`` and ``pandas``, or a clear error if they (or pyarrow,
    for the keys' strings) are missing."""
    # Imported by name: dask and pandas are optional and only partly typed; Any is the boundary.
    try:
        dask = importlib.import_module("dask")
        dd = importlib.import_module("dask.dataframe")
        pd = importlib.import_module("pandas")
        importlib.import_module("pyarrow")
    except ImportError as err:
        raise DaskMissingError(
            f"the dask engine needs {err.name or 'dask'}, which is not installed: "
            "install namematch-arabic[dask]"
        ) from err
    return dask, dd, pd


def _text(value: object) -> str:
    """A cell as a name: missing values (None, NaN, NA) are blank names."""
    return value if isinstance(value, str) else ""


def _checked(part: Any) -> list[str]:
    """One partition's names, missing values as blank names; any other value that is not a
    str is an :class:`InputError` naming its index label and type, as in
    :func:`namematch.resolve`."""
    values: list[Any] = part.tolist()
    if all(type(v) is str for v in values):
        return values
    for label, value in zip(part.index.tolist(), values, strict=True):
        if not isinstance(value, str) and not missing(value):
            raise InputError(f"name at index {label!r} is {type(value).__name__} "
                             f"{value!r:.40}, not a str")
    return [_text(v) for v in values]


def _forms(part: Any) -> Any:
    """One partition of names -> its non-blank (normal, written, count) rows, one per
    distinct written form: names repeat, so each is normalized and shipped once."""
    _, _, pd = _modules()
    seen = Counter(_checked(part))
    normal = [normalize(w) for w in seen]
    keep = [(n, w, c) for n, (w, c) in zip(normal, seen.items(), strict=True) if n]
    return pd.DataFrame(
        {"normal": pd.Series([k[0] for k in keep], dtype=object),
         "written": pd.Series([k[1] for k in keep], dtype=object),
         "count": pd.Series([k[2] for k in keep], dtype="int64")}
    )


def _key_rows(part: Any) -> Any:
    """One partition of (pos, text) head names -> one (key, pos, single) row per blocking key."""
    with collector_paused():
        return _key_frame(part)


def _key_frame(part: Any) -> Any:
    _, _, pd = _modules()
    out_keys: list[str] = []
    out_pos: list[int] = []
    out_single: list[bool] = []
    out_mentions: list[int] = []
    for pos, text, times in zip(part["pos"].tolist(), part["text"].tolist(),
                                part["mentions"].tolist(), strict=True):
        name = parse(text)
        for key in sorted(keys(name)):
            out_keys.append(key)
            out_pos.append(int(pos))
            out_single.append(len(name.parts) == 1)
            out_mentions.append(int(times))
    return pd.DataFrame({"key": pd.Series(out_keys, dtype=_KEY_DTYPE),
                         "pos": pd.Series(out_pos, dtype="int64"),
                         "single": pd.Series(out_single, dtype=bool),
                         "mentions": pd.Series(out_mentions, dtype="int64")})


def _bucket_pairs(part: Any, max_bucket: int, size: int) -> Any:
    """One partition holding whole buckets (shuffled on key) -> the pairs its buckets give
    (:class:`namematch.keys.Pairing`), each (i, j) with i < j as the code ``i * size + j``
    (one integer column dedupes and ships faster than two)."""
    with collector_paused():
        return _bucket_frame(part, max_bucket, size)


def _bucket_frame(part: Any, max_bucket: int, size: int) -> Any:
    _, _, pd = _modules()
    # The partition's names in name order, each with its keys here (whole buckets).
    named: dict[int, list[str]] = defaultdict(list)
    single: dict[int, bool] = {}
    mentions: dict[int, int] = {}
    for key, pos, alone, times in zip(part["key"].tolist(), part["pos"].tolist(),
                                      part["single"].tolist(), part["mentions"].tolist(),
                                      strict=True):
        named[pos].append(key)
        single[pos] = alone
        mentions[pos] = times
    pairing = Pairing.of(((pos, single[pos], named[pos], mentions[pos])
                          for pos in sorted(named)), max_bucket)
    codes = [i * size + j for j, partners in pairing for i in partners]
    return pd.DataFrame({"code": pd.Series(sorted(codes), dtype="int64")})


def _pair_frame(texts: Sequence[str], max_bucket: int, npartitions: int,
                mentions: Sequence[int] | None = None) -> Any:
    """The candidate pairs of ``texts`` (mentioned ``mentions`` times, once each by default)
    as a dask DataFrame of codes ``i * len(texts) + j`` of positions (i, j) into it.

    Blocking keys are computed in partitions, shuffled on the key so that each bucket lands
    in one partition, expanded to pairs there and deduplicated (a pair sharing several keys
    comes out of several buckets). Equal to :func:`namematch.resolve.candidate_pairs` on the
    parsed texts.
    """
    _, dd, pd = _modules()
    parts = max(1, min(npartitions, len(texts)))
    times = [1] * len(texts) if mentions is None else list(mentions)
    heads = pd.DataFrame({"pos": pd.Series(range(len(texts)), dtype="int64"),
                          "text": pd.Series(list(texts), dtype=object),
                          "mentions": pd.Series(times, dtype="int64")})
    frame = dd.from_pandas(heads, npartitions=parts, sort=False)
    key_meta = pd.DataFrame({"key": pd.Series([], dtype=_KEY_DTYPE),
                             "pos": pd.Series([], dtype="int64"),
                             "single": pd.Series([], dtype=bool),
                             "mentions": pd.Series([], dtype="int64")})
    exploded = frame.map_partitions(_key_rows, meta=key_meta)
    shuffled = exploded.shuffle("key", npartitions=parts)
    pair_meta = pd.DataFrame({"code": pd.Series([], dtype="int64")})
    pairs = shuffled.map_partitions(_bucket_pairs, max_bucket, len(texts), meta=pair_meta)
    return pairs.drop_duplicates(split_out=parts)


def candidate_pairs(
    texts: Sequence[str], max_bucket: int = MAX_BUCKET, npartitions: int = 1,
    mentions: Sequence[int] | None = None,
) -> set[tuple[int, int]]:
    """The candidate pairs of ``texts`` (normalized names), computed with dask.

    The same set as ``namematch.resolve.candidate_pairs([parse(t) for t in texts],
    max_bucket, mentions)``; runs on the current dask scheduler.
    """
    if len(texts) < 2:
        return set()
    frame = _pair_frame(texts, max_bucket, npartitions, mentions).compute()
    return {divmod(code, len(texts)) for code in frame["code"].tolist()}


def _judge_part(part: Any, heads: Sequence[int], shipped: _Once[Session]) -> Any:
    """One partition of pair codes over ``heads`` -> the verdicts that matter (match or
    possible conflict)."""
    _, _, pd = _modules()
    session = shipped.value
    size = len(heads)
    # In name order: pairs of one name share its part comparisons, which the similarity
    # cache then serves.
    pairs = [(heads[code // size], heads[code % size])
             for code in sorted(part["code"].tolist())]
    with collector_paused():
        return _verdict_frame(pd, judge(pairs, session), len(session.parsed))


def _verdict_frame(pd: Any, verdicts: Verdicts, size: int) -> Any:
    """Verdicts as a frame of codes, scores and kinds, conflicts first; built from typed
    arrays, as a million verdicts convert in milliseconds that way, not seconds."""
    np = importlib.import_module("numpy")
    matches = verdicts.matches
    codes = array("q", verdicts.conflicts)
    codes.extend([i * size + j for i, j, _, _ in matches])
    scores = array("d", bytes(8 * len(verdicts.conflicts)))
    scores.extend([score for _, _, score, _ in matches])
    kinds = array("b", bytes(len(verdicts.conflicts)))
    kinds.extend([_WHOLE_MATCH if whole else _MATCH for _, _, _, whole in matches])
    return pd.DataFrame({"code": np.array(codes, dtype="int64"),
                         "score": np.array(scores, dtype="float64"),
                         "kind": np.array(kinds, dtype="int8")})


def _found(frame: Any, size: int) -> Verdicts:
    """The verdicts of all partitions' frames, in order, as :func:`judge` gives them."""
    kinds = frame["kind"].to_numpy()
    codes = frame["code"].to_numpy()
    conflicts = array("q", codes[kinds == _CONFLICT].tobytes())
    matched = kinds != _CONFLICT
    matches = [Link(code // size, code % size, score, kind == _WHOLE_MATCH)
               for code, score, kind
               in zip(codes[matched].tolist(), frame["score"].to_numpy()[matched].tolist(),
                      kinds[matched].tolist(), strict=True)]
    return Verdicts(matches, conflicts)


def _rows(part: Any, resolved: dict[str, tuple[str, str, float]]) -> Any:
    """One input partition -> its name, entity, canonical, score rows, same index."""
    _, _, pd = _modules()
    entity: list[str] = []
    canonical: list[str] = []
    score: list[float] = []
    for value in part.tolist():
        normal = normalize(_text(value))
        e, c, s = resolved[normal] if normal else ("", "", 0.0)
        entity.append(e)
        canonical.append(c)
        score.append(s)
    return pd.DataFrame({"name": part,
                         "entity": pd.Series(entity, index=part.index, dtype=object),
                         "canonical": pd.Series(canonical, index=part.index, dtype=object),
                         "score": pd.Series(score, index=part.index, dtype="float64")},
                        index=part.index)


class _Once(Generic[_T]):
    """A value that pickles once, however many tasks it is shipped to: the local process
    scheduler pickles a task's inputs for each task, and the parsed names of a million
    mentions take seconds to pickle.

    >>> pickle.loads(pickle.dumps(_Once([1, 2]))).value
    [1, 2]
    """

    def __init__(self, value: _T) -> None:
        self.value: Final = value
        self._pickled: bytes | None = None

    def __reduce__(self) -> tuple[Callable[[bytes], _Once[_T]], tuple[bytes]]:
        if self._pickled is None:
            self._pickled = pickle.dumps(self.value, protocol=pickle.HIGHEST_PROTOCOL)
        return (_unpickled, (self._pickled,))


def _unpickled(data: bytes) -> _Once[Any]:
    return _Once(pickle.loads(data))


def _shared(dask: Any, value: object, label: str) -> Any:
    """``value`` as one graph node, so every task shares it instead of embedding a copy."""
    return dask.delayed(value, name=f"namematch-{label}-{uuid.uuid4().hex}", traverse=False)


def resolve(
    frame: Any,
    column: str = "name",
    *,
    aliases: AliasTable | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    max_bucket: int = MAX_BUCKET,
    npartitions: int | None = None,
) -> Any:
    """Resolve the names in ``frame[column]`` (or in ``frame`` itself, a dask Series).

    Returns a dask DataFrame with columns ``name``, ``entity``, ``canonical``, ``score``,
    with the partitions and index of ``frame``: the same rows as
    :func:`namematch.resolve.resolve` on the same names, in the same order. Missing values
    are blank names. The counting and comparing stages are computed here, on the current
    dask scheduler (a distributed ``Client`` if one is active); the returned frame only maps
    the resolved names back onto the input partitions. ``npartitions`` is the number of
    partitions of the candidate-pair stages (default: those of ``frame``).
    """
    with collector_paused():
        return _resolve_frame(frame, column, aliases, threshold, max_bucket, npartitions)


def _resolve_frame(
    frame: Any,
    column: str,
    aliases: AliasTable | None,
    threshold: float,
    max_bucket: int,
    npartitions: int | None,
) -> Any:
    dask, dd, pd = _modules()
    series = frame if isinstance(frame, dd.Series) else frame[column]
    resolved, _ = _resolved(series, aliases, threshold, max_bucket,
                            npartitions or series.npartitions)
    meta = pd.DataFrame({"name": series._meta,
                         "entity": pd.Series([], dtype=object),
                         "canonical": pd.Series([], dtype=object),
                         "score": pd.Series([], dtype="float64")})
    return series.map_partitions(_rows, _shared(dask, resolved, "resolved"), meta=meta)


def _resolved(
    series: Any,
    aliases: AliasTable | None,
    threshold: float,
    max_bucket: int,
    parts: int,
) -> tuple[Resolved, dict[str, Counter[str]]]:
    """Resolve the names of a dask Series: for each normalized name, its entity, canonical
    name and score; and for each, how it was written (and how often)."""
    dask, _, pd = _modules()
    table = aliases if aliases is not None else load_aliases()

    # 1. The distinct normalized names, how often each occurs and how it was written.
    form_meta = pd.DataFrame({"normal": pd.Series([], dtype=object),
                              "written": pd.Series([], dtype=object),
                              "count": pd.Series([], dtype="int64")})
    forms = series.map_partitions(_forms, meta=form_meta)
    sizes = forms.groupby(["normal", "written"])["count"].sum().compute()
    written: dict[str, Counter[str]] = defaultdict(Counter)
    for (normal, shown), size in zip(sizes.index.tolist(), sizes.tolist(), strict=True):
        written[normal][shown] += size

    # 2. Parse once on the client, as the single-machine path does.
    names, session = prepare_list(written, table, threshold)

    # 3. and 4. Candidate pairs among the signature heads, compared in partitions.
    verdicts = Verdicts.empty()
    heads = names.heads
    shipped = _shared(dask, _Once(session), "session")
    if len(heads) > 1:
        pairs = _pair_frame([names.texts[i] for i in heads], max_bucket, parts, names.mentions)
        shared_heads = _shared(dask, heads, "heads")
        judged = pairs.map_partitions(_judge_part, shared_heads, shipped,
                                      meta=_verdict_frame(pd, Verdicts.empty(), 0))
        verdicts = _found(judged.compute(), len(names.parsed))

    # 5. Cluster: the components of the names here, parts of them in tasks.
    if parts <= 1 or len(names.texts) < 2:
        return entities(names, verdicts, session), written
    roots = components(names, verdicts, session.table)
    listed = _shared(dask, _Once(_Listed.of(names, verdicts, roots)), "clustering")
    resolved: Resolved = {}
    for found in dask.compute(*[dask.delayed(_cluster_part)(listed, shipped, part, parts)
                                for part in range(parts)]):
        resolved.update(found)
    return resolved, written


@dataclass(frozen=True)
class _Listed:
    """What a clustering task needs besides the session (which holds the parsed names):
    the rest of the name list, the verdicts and each name's component."""

    texts: list[str]
    counts: dict[str, int]
    written: Mapping[str, Mapping[str, int]]
    heads: list[int]
    mentions: list[int]
    head_of: list[int]
    verdicts: Verdicts
    roots: array[int]

    @classmethod
    def of(cls, names: NameList, verdicts: Verdicts, roots: array[int]) -> _Listed:
        return cls(names.texts, names.counts, names.written, names.heads, names.mentions,
                   names.head_of, verdicts, roots)

    def __reduce__(self) -> tuple[type[_Listed], tuple[object, ...]]:
        return by_fields(self)


def _cluster_part(listed: _Once[_Listed], shipped: _Once[Session], part: int,
                  parts: int) -> Resolved:
    """The entities of one part of the components (see
    :func:`namematch.cluster.entities_of_part`)."""
    got, session = listed.value, shipped.value
    weights = session.weights
    assert isinstance(weights, Informativeness)
    names = NameList(got.texts, list(session.parsed), got.counts, got.written, weights,
                     got.heads, got.mentions, got.head_of)
    with collector_paused():
        return entities_of_part(names, got.verdicts, session, got.roots, part, parts)


class SchedulerError(NamematchError):
    """The dask scheduler given could not be reached."""


_ROWS_PER_PARTITION = 100_000


def resolve_list(
    names: Sequence[str],
    *,
    aliases: AliasTable | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    max_bucket: int = MAX_BUCKET,
    scheduler: str | None = None,
    jobs: int = 1,
    progress: bool = False,
) -> list[Resolution]:
    """:func:`resolve` on a list of names, as the command line's ``--engine dask`` runs it.

    ``scheduler`` is the address of a dask distributed scheduler (``tcp://host:8786``);
    without one, dask's local scheduler runs in this process (``jobs`` 1) or in ``jobs``
    processes, and ``progress`` shows dask's progress bar on stderr for each of its
    computations (a distributed scheduler has its own dashboard). The list is split into
    partitions of at most 100,000 names, and at least one per worker thread. Returns one
    :class:`~namematch.resolve.Resolution` per name, in order; missing values (None, NaN)
    are blank names, as in :func:`namematch.resolve`, and a value that is not a str is an
    :class:`~namematch.errors.InputError`.
    """
    names = checked_names(names)
    dask, dd, pd = _modules()
    if scheduler is None:
        bar: Any = contextlib.nullcontext()
        if progress:
            bar = importlib.import_module("dask.diagnostics").ProgressBar(out=sys.stderr)
        if jobs <= 1:
            with bar, dask.config.set(scheduler="synchronous"):
                return _resolve_list(dd, pd, names, aliases, threshold, max_bucket, jobs)
        # One pool for both computations, rather than one started and stopped by each.
        # chunksize 1: dask's process pool otherwise hands up to 6 ready tasks to one worker
        # as a batch, and with one task per worker the other workers sit idle.
        with (bar, _worker_pool(jobs) as pool,
              dask.config.set(scheduler="processes", pool=pool, chunksize=1)):
            return _resolve_list(dd, pd, names, aliases, threshold, max_bucket, jobs)
    try:
        distributed = importlib.import_module("distributed")
    except ImportError as err:
        raise DaskMissingError(
            "a dask scheduler address needs distributed: install namematch-arabic[dask]") from err
    try:
        client = distributed.Client(scheduler, timeout=30)
    except (OSError, TimeoutError, ValueError) as err:
        raise SchedulerError(f"cannot reach the dask scheduler {scheduler}: {err}") from err
    with client:
        workers = sum(client.nthreads().values()) or 1
        return _resolve_list(dd, pd, names, aliases, threshold, max_bucket, workers)


def _worker_pool(jobs: int) -> ProcessPoolExecutor:
    """``jobs`` worker processes for dask's local scheduler, started as dask starts its own
    (spawned, with dask's worker set-up), which end without tearing their interpreter down."""
    setup = importlib.import_module("dask.multiprocessing").initialize_worker_process
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=setup, initargs=(_end_quickly,))


def _end_quickly() -> None:
    """Worker set-up: at exit, skip freeing the worker's objects one by one (its parsed
    names and similarity memo, millions of them at 1M names, took seconds); the operating
    system frees them at once."""
    atexit.register(os._exit, 0)


def _resolve_list(
    dd: Any,
    pd: Any,
    names: Sequence[str],
    aliases: AliasTable | None,
    threshold: float,
    max_bucket: int,
    workers: int,
) -> list[Resolution]:
    rows = list(names)
    if not rows:
        return []
    wanted = max(workers, -(-len(rows) // _ROWS_PER_PARTITION))
    frame = dd.from_pandas(pd.DataFrame({"name": pd.Series(rows, dtype=object)}),
                           npartitions=min(wanted, len(rows)), sort=True)
    # One partition per worker for the pair stages: each comparison task receives the parsed
    # names, so more tasks mean more copies shipped, not more parallelism.
    with collector_paused():
        resolved, written = _resolved(frame["name"], aliases, threshold, max_bucket, workers)
        # The rows are here already: map them back here rather than in partitions, as the
        # single-machine path does (a written form's normalized name is known from counting).
        return resolutions(rows, written, resolved)
