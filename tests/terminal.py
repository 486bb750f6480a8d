"""Run the command line with stderr on a pseudo-terminal, as a user at a terminal sees it."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import tempfile
from pathlib import Path


def run_at_terminal(*args: str, cwd: Path) -> tuple[int, bytes, bytes]:
    """``namematch ARGS`` with stderr a terminal: (exit status, stdout, what the terminal got)."""
    leader, follower = pty.openpty()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, "-m", "namematch.cli", *args], cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=follower)
        os.close(follower)
        seen = bytearray()
        while True:  # read as it comes, or a full terminal buffer would stall the command
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the command closed its end
                break
            if not chunk:
                break
            seen += chunk
        os.close(leader)
        status = proc.wait(timeout=120)
        out.seek(0)
        return status, out.read(), bytes(seen)
