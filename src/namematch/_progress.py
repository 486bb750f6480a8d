"""A progress bar for a terminal: one line per stage, redrawn in place.

``namematch resolve`` hands a :class:`ProgressBar` to :func:`namematch.resolve` as its
``progress`` callback when stderr is a terminal. Each stage (normalize, parse, keys, pairs,
compare, cluster) gets a line with a bar, the share done, the count, the rate and the time
left; when the stage ends the line stays, with the time it took.

>>> import io
>>> out, now = io.StringIO(), iter([0.0, 2.0, 4.0])
>>> bar = ProgressBar(out, width=79, clock=lambda: next(now))
>>> bar("compare", 500, 1000); bar("compare", 1000, 1000)
>>> print(out.getvalue().replace("\\r", "\\n"))
<BLANKLINE>
namematch: compare   [#######       ]  50%    500/1,000     250/s     0:02 left
namematch: compare   [##############] 100%  1,000/1,000     250/s       in 0:04
<BLANKLINE>
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import IO, Final

__all__ = ["ProgressBar"]

_REDRAW_EVERY: Final = 0.1  # seconds: a terminal need not be redrawn more often
_STAGE_WIDTH: Final = 9  # the longest stage name, so that the bars line up


class ProgressBar:
    """Draw ``progress(stage, done, total)`` calls as a bar per stage on ``stream``.

    ``width`` is the line's width (default: the terminal's, less one); ``clock`` gives the
    time in seconds (default :func:`time.monotonic`).
    """

    def __init__(self, stream: IO[str], *, width: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._width = width if width is not None else _terminal_width(stream)
        self._clock = clock
        self._stage = ""
        self._started = clock()
        self._drawn = -_REDRAW_EVERY

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self._clock()
        if stage != self._stage:
            self._stage = stage
            self._drawn = -_REDRAW_EVERY
        finished = done >= total
        if not finished and now - self._drawn < _REDRAW_EVERY:
            return
        self._drawn = now
        elapsed = max(now - self._started, 0.0)
        self._stream.write("\r" + self._line(stage, done, total, elapsed)
                           + ("\n" if finished else ""))
        self._stream.flush()
        if finished:  # the next stage starts now
            self._started = now

    def _line(self, stage: str, done: int, total: int, elapsed: float) -> str:
        share = done / total if total else 1.0
        rate = done / elapsed if elapsed > 0 else 0.0
        if done >= total:
            timing = f"in {_clock_time(elapsed)}"
        elif rate > 0:
            timing = f"{_clock_time((total - done) / rate)} left"
        else:
            timing = "-:-- left"
        # Fields of fixed width, so the bar keeps its length through the stage.
        counts = f"{done:,}".rjust(len(f"{total:,}")) + f"/{total:,}"
        tail = f" {share:4.0%}  {counts}  {_rate(rate):>8}  {timing:>12}"
        head = f"namematch: {stage:<{_STAGE_WIDTH}} "
        room = self._width - len(head) - len(tail) - 2
        if room < 5:  # a narrow terminal: no bar
            return (head + tail).ljust(self._width)[: self._width]
        filled = round(room * share)
        # Always the full width, so a shorter line leaves nothing of the one it replaces.
        return f"{head}[{'#' * filled}{' ' * (room - filled)}]{tail}"


def _terminal_width(stream: IO[str]) -> int:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        columns = 0
    # A terminal that does not tell its size (0 columns) gets the usual 80.
    return max(columns - 1, 20) if columns > 0 else 79


def _rate(per_second: float) -> str:
    """``12/s``, ``3.4k/s``, ``1.2M/s``.

    >>> _rate(12.4), _rate(3400), _rate(1_250_000)
    ('12/s', '3.4k/s', '1.2M/s')
    """
    for size, unit in ((1e6, "M"), (1e3, "k")):
        if per_second >= size:
            return f"{per_second / size:.1f}{unit}/s"
    return f"{per_second:.0f}/s"


def _clock_time(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour.

    >>> _clock_time(4.2), _clock_time(754), _clock_time(3725)
    ('0:04', '12:34', '1:02:05')
    """
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
