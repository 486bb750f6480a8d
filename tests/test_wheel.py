"""The built wheel carries its data: installed in a fresh venv, ``namematch`` works anywhere.

Builds the wheel from the source tree, installs it (with its dependencies from the package
index) into a new virtual environment, and runs the installed console script outside the
repository, where the source checkout's top-level ``data/`` folder cannot be found.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["Ahmed al-Mesmari", "Ahmed al-Mismari", "Ali Khamenei", "Moammar al-Gaddafi"]
# pip output that means the package index (or the build backend's) could not be reached
NETWORK_ERROR = re.compile(r"connection|network|name resolution|max retries", re.IGNORECASE)


def run(
    *args: str | Path, input: bytes | None = None, cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    """Run a command without PYTHONPATH (so only the venv's install is seen)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(
        [str(a) for a in args],
        input=input,
        capture_output=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
        check=False,
    )


def pip_step(*args: str | Path, cwd: Path) -> None:
    """Run a pip-involving step: skip if the network is unreachable, fail on other errors."""
    proc = run(*args, cwd=cwd, timeout=240)
    if proc.returncode != 0:
        text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
        if NETWORK_ERROR.search(text):
            pytest.skip(f"package index unreachable: {text.strip().splitlines()[-1]}")
        pytest.fail(f"{' '.join(map(str, args))} failed:\n{text}")


def test_wheel_carries_data(tmp_path: Path) -> None:
    """The wheel holds the data files and py.typed, and its installed CLI resolves names."""
    dist = tmp_path / "dist"
    pip_step(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, ROOT, cwd=tmp_path)
    wheels = list(dist.glob("namematch-*.whl"))
    assert len(wheels) == 1, wheels

    files = set(zipfile.ZipFile(wheels[0]).namelist())
    for path in ("namematch/data/aliases.yaml", "namematch/data/rules.yaml", "namematch/py.typed"):
        assert path in files, sorted(files)

    venv = tmp_path / "venv"
    created = run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    assert created.returncode == 0, created.stderr.decode("utf-8", "replace")
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    pip_step(bin_dir / "python", "-m", "pip", "install", wheels[0], cwd=tmp_path)

    # the installed package, not the source tree, is what runs
    where = run(
        bin_dir / "python", "-c", "import namematch; print(namematch.__file__)", cwd=tmp_path
    )
    assert where.returncode == 0, where.stderr.decode("utf-8", "replace")
    assert Path(where.stdout.decode("utf-8").strip()).resolve().is_relative_to(venv.resolve())

    (tmp_path / "names.txt").write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    proc = run(bin_dir / "namematch", "resolve", "names.txt", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    rows = list(csv.reader(io.StringIO(proc.stdout.decode("utf-8"), newline=""), delimiter="\t"))
    assert rows[0] == ["name", "entity", "canonical", "score"]
    assert [r[0] for r in rows[1:]] == NAMES
    entity = {r[0]: r[1] for r in rows[1:]}
    assert entity["Ahmed al-Mesmari"] and entity["Ahmed al-Mesmari"] == entity["Ahmed al-Mismari"]
    assert entity["Ahmed al-Mesmari"] != entity["Ali Khamenei"]
