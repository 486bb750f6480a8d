"""The progress bar: a line per stage, redrawn in place, with rate and time left."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from namematch._progress import ProgressBar

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "names.txt"
STAGES = ("normalize", "parse", "keys", "pairs", "compare", "cluster")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def drawn(out: io.StringIO) -> list[str]:
    """Every state drawn: the text between carriage returns, line ends dropped."""
    return [part.rstrip("\n") for part in out.getvalue().split("\r") if part]


def test_a_line_per_stage_with_rate_and_time_left() -> None:
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar(out, width=100, clock=clock)
    clock.now = 1.0
    bar("parse", 2000, 10_000)
    clock.now = 5.0
    bar("parse", 10_000, 10_000)
    clock.now = 6.0
    bar("compare", 0, 50)
    clock.now = 7.0
    bar("compare", 50, 50)
    states = drawn(out)
    assert out.getvalue().count("\n") == 2  # each finished stage keeps its line
    assert all(len(state) == 100 for state in states)
    assert re.search(r"namematch: parse +\[#+ +\]  20%   2,000/10,000 +2.0k/s +0:04 left$",
                     states[0]), states[0]
    assert re.search(r"\[#+\] 100%  10,000/10,000 +2.0k/s +in 0:05$", states[1]), states[1]
    assert re.search(r"namematch: compare +\[ +\]   0%   0/50 +0/s +-:-- left$", states[2])
    assert re.search(r"100%  50/50 +25/s +in 0:02$", states[3]), states[3]


def test_redrawn_at_most_ten_times_a_second_but_always_at_the_end() -> None:
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar(out, width=80, clock=clock)
    for done in range(1, 1001):
        clock.now = done * 0.001  # a call a millisecond: one second in all
        bar("keys", done, 1000)
    states = drawn(out)
    assert 9 <= len(states) <= 12
    assert "100%" in states[-1] and out.getvalue().endswith("\n")


def test_the_bar_fills_with_the_share_done() -> None:
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar(out, width=90, clock=clock)
    for done in (0, 250, 500, 1000):
        clock.now += 1.0
        bar("pairs", done, 1000)
    fills = [re.search(r"\[(#*)( *)\]", s) for s in drawn(out)]
    assert all(f is not None for f in fills)
    widths = {len(f.group(1)) + len(f.group(2)) for f in fills if f}
    assert len(widths) == 1  # the bar keeps its length through the stage
    (width,) = widths
    assert [len(f.group(1)) for f in fills if f] == [0, round(width / 4), round(width / 2),
                                                      width]


@pytest.mark.parametrize("width", [20, 40])
def test_a_narrow_terminal_gets_the_numbers_without_a_bar(width: int) -> None:
    out = io.StringIO()
    ProgressBar(out, width=width, clock=Clock())("cluster", 3, 3)
    (state,) = drawn(out)
    assert len(state) == width and "[" not in state


def test_nothing_to_do_is_a_finished_stage() -> None:
    out = io.StringIO()
    ProgressBar(out, width=80, clock=Clock())("cluster", 0, 0)
    assert "100%" in out.getvalue() and out.getvalue().endswith("\n")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_resolve_on_a_terminal_draws_a_bar_per_stage(tmp_path: Path) -> None:
    """On a terminal every stage ends on a full bar with its count, rate and time taken;
    stdout is the same as without one, and -q draws nothing."""
    from terminal import run_at_terminal

    status, out, seen = run_at_terminal("resolve", str(SEEDS), cwd=tmp_path)
    assert status == 0 and out
    # A terminal ends lines with \r\n; each line's last state follows its last other \r.
    final = [line.rstrip(b"\r").split(b"\r")[-1].decode("utf-8")
             for line in seen.split(b"\n") if line.strip()]
    for stage in STAGES:
        line = next((f for f in final if f.startswith(f"namematch: {stage} ")), None)
        assert line is not None, (stage, final)
        assert re.search(r"\[#+\] 100%  [\d,]+/[\d,]+ +[\d.]+[kM]?/s +in \d+:\d\d$",
                         line.rstrip()), line
    status, quiet_out, seen = run_at_terminal("resolve", str(SEEDS), "-q", cwd=tmp_path)
    assert status == 0 and quiet_out == out and seen == b""
