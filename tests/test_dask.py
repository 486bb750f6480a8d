"""The dask engine gives exactly the single-machine result: same rows, entity ids, canonical
names and scores, for any partitioning; its candidate pairs equal ``candidate_pairs``."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("dask")
pytest.importorskip("distributed")

import dask
import dask.dataframe as dd
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from strategies import name_part

import namematch
import namematch.dask as nmd
from namematch import normalize, parse
from namematch.distinct import head_mentions, signature_heads
from namematch.resolve import candidate_pairs

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "names.txt"
SEED_NAMES = SEEDS.read_text(encoding="utf-8").split("\n")[:-1]

@st.composite
def full_name(draw: st.DrawFn) -> str:
    parts = draw(st.lists(name_part().map(str.capitalize), min_size=2, max_size=4))
    article = draw(st.sampled_from(["", "al-", "el-", "Al "]))
    return " ".join(parts[:-1]) + " " + article + parts[-1]


@st.composite
def name_lists(draw: st.DrawFn) -> list[str]:
    names = draw(st.lists(
        st.one_of(full_name(), name_part().map(str.capitalize), st.sampled_from(SEED_NAMES),
                  st.sampled_from(["", "   ", "Gen."])),
        min_size=0, max_size=40))
    repeats = draw(st.lists(st.sampled_from(names), max_size=5)) if names else []
    return names + [r.lower() if k % 2 else r for k, r in enumerate(repeats)]


def _expected(names: list[str]) -> list[tuple[str, str, str, float]]:
    return [(r.name, r.entity, r.canonical, r.score) for r in namematch.resolve(names)]


def _rows(out: pd.DataFrame) -> list[tuple[str, str, str, float]]:
    return list(zip(out["name"].tolist(), out["entity"].tolist(), out["canonical"].tolist(),
                    out["score"].tolist(), strict=True))


def _frame(names: list[str], npartitions: int) -> dd.DataFrame:
    return dd.from_pandas(pd.DataFrame({"name": pd.Series(names, dtype=object)}),
                          npartitions=npartitions)


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(name_lists(), st.integers(min_value=1, max_value=4))
@example([*SEED_NAMES, "", "  ", SEED_NAMES[0].upper()], 3)
def test_dask_resolve_equals_resolve(names: list[str], npartitions: int) -> None:
    if not names:
        names = [""]
    with dask.config.set(scheduler="synchronous"):
        frame = _frame(names, npartitions)
        result = nmd.resolve(frame)
        assert result.npartitions == frame.npartitions
        out = result.compute()
    assert list(out.columns) == ["name", "entity", "canonical", "score"]
    assert out.index.equals(frame.index.compute())
    assert _rows(out) == _expected(names)


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(name_lists())
@example([*SEED_NAMES, "", " \t", SEED_NAMES[3].lower(), SEED_NAMES[3]])
def test_dask_resolve_list_equals_resolve(names: list[str]) -> None:
    # resolve_list maps the rows back on the client, from the written forms it counted.
    got = nmd.resolve_list(names, jobs=1)
    assert [(r.name, r.entity, r.canonical, r.score) for r in got] == _expected(names)


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(name_lists(), st.sampled_from([2, 3, 5, 50]), st.integers(min_value=1, max_value=4))
@example(SEED_NAMES, 2, 1)  # the seeds share keys of up to 9 names: buckets are dropped
@example(SEED_NAMES, 3, 4)
@example(SEED_NAMES, 50, 3)
def test_dask_candidate_pairs_equal_candidate_pairs(
    names: list[str], max_bucket: int, npartitions: int
) -> None:
    counts = Counter(normalize(n) for n in names)
    distinct = sorted(set(counts) - {""})
    parsed = [parse(t) for t in distinct]
    heads = signature_heads(parsed)
    mentions = head_mentions(parsed, [counts[t] for t in distinct], heads)
    local = candidate_pairs([parsed[i] for i in heads], max_bucket, mentions)
    with dask.config.set(scheduler="synchronous"):
        texts = [distinct[i] for i in heads]
        found = nmd.candidate_pairs(texts, max_bucket, npartitions, mentions)
        if len(texts) > 1:  # each pair once, though a pair sharing several keys is in several
            frame = nmd._pair_frame(texts, max_bucket, npartitions, mentions).compute()
            assert len(frame) == len(found)
    assert found == local


def test_series_input_missing_values_and_keyword_options() -> None:
    names = [*SEED_NAMES[:20], "", "Ahmed al-Mesmari", None]
    series = dd.from_pandas(pd.Series(names, dtype=object, name="who"), npartitions=3)
    with dask.config.set(scheduler="synchronous"):
        out = nmd.resolve(series, "ignored", threshold=0.85, max_bucket=10,
                          npartitions=2).compute()
    expected = namematch.resolve([n or "" for n in names], threshold=0.85, max_bucket=10)
    assert [(r.entity, r.canonical, r.score) for r in expected] == list(
        zip(out["entity"], out["canonical"], out["score"], strict=True))
    assert out["entity"].iloc[-1] == ""


def test_dask_resolve_on_a_local_cluster() -> None:
    """On worker processes, which ship the name list, the verdicts and the table of
    results between them (the client holds none of them), the result is the same; so is
    resolve_list's, which gathers only the table of written lines."""
    distributed = pytest.importorskip("distributed")
    lists = [SEED_NAMES, [*SEED_NAMES, "", "Gen.", SEED_NAMES[5].upper()], SEED_NAMES[:1],
             ["", " "]]
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 dashboard_address=None) as cluster,
        distributed.Client(cluster),
    ):
        for names, npartitions in zip(lists, [3, 4, 1, 2], strict=True):
            result = nmd.resolve(_frame(names, npartitions))
            # What the returned frame reads is kept on the cluster, as futures.
            assert any(type(v).__name__ == "Future" for v in dict(result.dask).values())
            assert _rows(result.compute()) == _expected(names)
        got = nmd.resolve_list(SEED_NAMES, scheduler=cluster.scheduler_address)
    assert [(r.name, r.entity, r.canonical, r.score) for r in got] == _expected(SEED_NAMES)


def _cli(*args: str, code: str | None = None) -> subprocess.CompletedProcess[bytes]:
    command = ([sys.executable, "-c", code, *args] if code
               else [sys.executable, "-m", "namematch.cli", *args])
    return subprocess.run(command, capture_output=True, timeout=120, check=False, cwd=ROOT)


def test_cli_dask_engine_output_is_byte_identical() -> None:
    local = _cli("resolve", str(SEEDS))
    assert local.returncode == 0, local.stderr
    for extra in ([], ["--format", "jsonl"]):
        default = _cli("resolve", str(SEEDS), *extra)
        with_dask = _cli("resolve", str(SEEDS), "--engine", "dask", *extra)
        assert with_dask.returncode == 0, with_dask.stderr
        assert with_dask.stderr == b""
        assert with_dask.stdout == default.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_cli_dask_engine_shows_progress_on_a_terminal() -> None:
    from terminal import run_at_terminal

    expected = _cli("resolve", str(SEEDS)).stdout
    for extra, shown in (([], True), (["-q"], False)):
        status, out, seen = run_at_terminal("resolve", str(SEEDS), "--engine", "dask", "-j", "1",
                                            *extra, cwd=ROOT)
        assert status == 0 and out == expected
        assert (b"Completed" in seen) is shown, seen[-300:]


def test_cli_dask_engine_without_dask_says_what_to_install() -> None:
    hide = ("import sys; sys.modules['dask'] = None; from namematch.cli import main; "
            "raise SystemExit(main(sys.argv[1:]))")
    proc = _cli("resolve", str(SEEDS), "--engine", "dask", code=hide)
    assert proc.returncode == 1
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and "install namematch-arabic[dask]" in lines[0]
    assert proc.stdout == b""


def test_cli_scheduler_needs_the_dask_engine() -> None:
    proc = _cli("resolve", str(SEEDS), "--scheduler", "tcp://127.0.0.1:8786")
    assert proc.returncode == 2
    assert b"--engine dask" in proc.stderr


def test_resolve_list_missing_values_and_bad_items_as_resolve() -> None:
    """Both engines take None and NaN as blank names, and name a bad item the same way."""
    names = [*SEED_NAMES[:10], None, float("nan"), "", SEED_NAMES[0]]
    got = nmd.resolve_list(names, jobs=1)  # type: ignore[arg-type]
    assert got == namematch.resolve(names)
    with pytest.raises(namematch.InputError, match=r"^name 1 is int 7, not a str$"):
        nmd.resolve_list(["Ali", 7], jobs=1)  # type: ignore[list-item]


def test_frame_with_a_value_that_is_not_a_name_is_an_input_error() -> None:
    """Missing values are blank names; another value names its index label and type (in an
    object column: dask's default string conversion would turn 7 into "7" first)."""
    names = pd.Series(["Ali", None, 7, "Omar"], dtype=object, index=[10, 11, 12, 13])
    with dask.config.set({"dataframe.convert-string": False, "scheduler": "synchronous"}):
        frame = dd.from_pandas(pd.DataFrame({"name": names}), npartitions=2)
        with pytest.raises(namematch.InputError,
                           match=r"^name at index 12 is int 7, not a str$"):
            nmd.resolve(frame)
        names[12] = float("nan")
        frame = dd.from_pandas(pd.DataFrame({"name": names}), npartitions=2)
        out = nmd.resolve(frame).compute()
    assert out["entity"].tolist()[1:3] == ["", ""]
