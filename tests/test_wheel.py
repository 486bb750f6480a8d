"""The built wheel carries its data: installed in a fresh venv, ``namematch`` works anywhere.

Builds the wheel from the source tree, installs it (with its dependencies from the package
index) into a new virtual environment, and runs the installed console script outside the
repository, where the source checkout's top-level ``data/`` folder cannot be found.

Where a C compiler is at hand the wheel is compiled with mypyc (``hatch_build.py``), while
the tests themselves run the source tree as pure Python: the installed CLI must then give
byte-for-byte the output of the pure-Python one.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
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


def has_compiler() -> bool:
    """Whether the C compiler Python was built with is on this machine."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(compiler) is not None


def synthetic_names(size: int) -> list[str]:
    """A mention list from the speed benchmark's generator (spelling variants, titles,
    partial mentions), to run both builds on more than the seeds."""
    spec = importlib.util.spec_from_file_location("speed", ROOT / "benchmarks" / "speed.py")
    assert spec is not None and spec.loader is not None
    speed = importlib.util.module_from_spec(spec)
    sys.modules["speed"] = speed  # dataclasses look their module up while being defined
    spec.loader.exec_module(speed)
    names: list[str] = speed.generate(size, 11)[0]
    return names


@dataclass(frozen=True)
class Installed:
    """The built wheel and the fresh venv it is installed in."""

    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel once and install it (with its dependencies) into a fresh venv."""
    tmp_path = tmp_path_factory.mktemp("wheel")
    dist = tmp_path / "dist"
    pip_step(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, ROOT, cwd=tmp_path)
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    venv = tmp_path / "venv"
    created = run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    assert created.returncode == 0, created.stderr.decode("utf-8", "replace")
    done = Installed(wheels[0], venv)
    pip_step(done.bin / "python", "-m", "pip", "install", wheels[0], cwd=tmp_path)
    return done


def test_wheel_carries_data(installed: Installed, tmp_path: Path) -> None:
    """The wheel holds the data files and py.typed, and its installed CLI resolves names."""
    files = set(zipfile.ZipFile(installed.wheel).namelist())
    for path in ("namematch/data/aliases.yaml", "namematch/data/rules.yaml", "namematch/py.typed"):
        assert path in files, sorted(files)
    venv, bin_dir = installed.venv, installed.bin

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

    # Compiled where it can be, and the same results as the pure-Python source either way.
    shown = run(bin_dir / "namematch", "--version", cwd=tmp_path).stdout.decode("utf-8")
    if has_compiler():
        assert "(compiled)" in shown, shown
    names = tmp_path / "many.txt"
    names.write_text("\n".join(synthetic_names(4000)) + "\n", encoding="utf-8")
    for path in (ROOT / "seeds" / "names.txt", names):
        from_wheel = run(bin_dir / "namematch", "resolve", "-j", "1", path, cwd=tmp_path)
        source = subprocess.run(
            [sys.executable, "-m", "namematch.cli", "resolve", "-j", "1", str(path)],
            capture_output=True, timeout=120, check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        assert from_wheel.returncode == source.returncode == 0, from_wheel.stderr
        assert from_wheel.stdout == source.stdout, path.name

    # The gazetteer's batches (compiled in the wheel too) link as the pure-Python ones do.
    batches = synthetic_names(4000)
    for number in range(4):
        (tmp_path / f"batch{number}.txt").write_text(
            "\n".join(batches[number::4]) + "\n", encoding="utf-8")
    for number in range(4):
        batch = tmp_path / f"batch{number}.txt"
        from_wheel = run(bin_dir / "namematch", "add", "--db", tmp_path / "wheel.db", batch,
                         cwd=tmp_path)
        source = subprocess.run(
            [sys.executable, "-m", "namematch.cli", "add", "--db", str(tmp_path / "source.db"),
             str(batch)], capture_output=True, timeout=120, check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        assert from_wheel.returncode == source.returncode == 0, from_wheel.stderr
        assert from_wheel.stdout == source.stdout, batch.name

    # What dask ships to its workers pickles in the installed build too.
    probe = (
        "import pickle, namematch as nm\n"
        "objs = [nm.parse('Ahmed al-Mesmari'), nm.compare('Ahmed al-Mesmari', 'Mismari'),\n"
        "        nm.load_aliases(), nm.resolve(['Moammar Gaddafi'])[0]]\n"
        "assert [pickle.loads(pickle.dumps(o)) for o in objs] == objs\n"
    )
    pickled = run(bin_dir / "python", "-c", probe, cwd=tmp_path)
    assert pickled.returncode == 0, pickled.stderr.decode("utf-8", "replace")

    # Each call owns its state in the installed build too: threads resolving at once get
    # what lone calls give, and no module keeps a run's data (tests/state_probe.py).
    shutil.copy(ROOT / "tests" / "state_probe.py", tmp_path / "state_probe.py")
    probed = run(bin_dir / "python", "state_probe.py", cwd=tmp_path, timeout=300)
    assert probed.returncode == 0, (probed.stdout + probed.stderr).decode("utf-8", "replace")

# Run in the installed venv: the compiled kernel gives the floats of its Python twin on
# random forms (with symbols outside the alphabet, unvocalized forms, and early stops).
KERNEL_PROBE = r"""
import math, random, sys
from namematch.distance import Form, compiled_kernel, weighted_distance, weighted_distance_py
rng = random.Random(3)
symbols = "abcdefghijklmnopqrstuvwxyz'GXSCTDZHAYWIEé"
def form():
    return rng.choice(["", "~"]) + "".join(rng.choice(symbols) for _ in range(rng.randint(0, 14)))
for _ in range(50000):
    a, b = Form(form()), Form(form())
    limit = rng.choice([math.inf, rng.uniform(0.0, 6.0)])
    assert weighted_distance(a, b, limit) == weighted_distance_py(a, b, limit), (a, b, limit)
# The memo of part similarities against its Python twin, through fills and restarts.
from namematch.distance import ALIASED, NEEDS_FORMS, MemoPy, _new_memo, skeleton_bits
def asked(memo, a, bits_a, b, bits_b, floor):
    found = [memo.parts(a, bits_a, b, bits_b, floor)]
    if found[0] == NEEDS_FORMS:
        memo.add_form(a, Form(a)); memo.add_form(b, Form(b))
        found.append(memo.forms(a, b, floor))
    return found
for _ in range(500):
    limit = rng.randint(1, 40)
    compiled, twin = _new_memo(limit), MemoPy(limit)
    pool = [form() for _ in range(rng.randint(2, 7))]
    for _ in range(60):
        a, b = rng.choice(pool), rng.choice(pool)
        bits_a, bits_b = skeleton_bits(a) | rng.choice([0, ALIASED]), skeleton_bits(b)
        floor = rng.choice([0.95, 0.9, 0.78, 0.6, 0.5, 0.0])
        assert (asked(compiled, a, bits_a, b, bits_b, floor)
                == asked(twin, a, bits_a, b, bits_b, floor)), (a, b, floor)
        assert len(compiled) == len(twin)
assert isinstance(compiled, MemoPy) != compiled_kernel()
def same_part(a, b):
    return a[:1] == b[:1]  # a stand-in alias table: parts of one first letter are one name
def side(pool):
    forms = [rng.choice(pool) for _ in range(rng.randint(1, 4))]
    joined = [x + y if rng.random() < 0.5 else "" for x, y in zip(forms, forms[1:])]
    return (forms, [skeleton_bits(f) | rng.choice([0, ALIASED]) for f in forms], joined,
            [skeleton_bits(x + y) for x, y in zip(forms, forms[1:])])
for _ in range(300):
    limit, alias = rng.randint(1, 40), rng.choice([None, same_part])
    compiled, twin = _new_memo(limit, alias), MemoPy(limit, alias)
    pool = [form() for _ in range(rng.randint(2, 7))]
    for _ in range(10):
        a, b, floor = side(pool), side(pool), rng.choice([0.9, 0.78, 0.6])
        assert compiled.moves(*a, *b, floor) == twin.moves(*a, *b, floor), (a, b, floor)
# The walk of candidate pairs against its Python twin, over random keys in shares.
from array import array
from namematch.keys import Buckets, Pairing
pool = ["p:msmr", "p:hftr", "c:hmd|msmr", "c:ali|hftr", "c:mhmd|sln"]
for _ in range(300):
    size, shares, bound = rng.randint(0, 40), rng.randint(1, 3), rng.randint(1, 8)
    single = bytearray(rng.random() < 0.4 for _ in range(size))
    found = [sorted(rng.sample(pool, rng.randint(0, 3))) for _ in range(size)]
    mentions = array("q", [rng.randint(1, 4) for _ in range(size)])
    parts = []
    for share in range(shares):
        keys, ends = [], array("q")
        for its in found:
            keys.extend(k for k in its if pool.index(k) % shares == share)
            ends.append(len(keys))
        parts.append(Buckets.of(keys, ends, single, mentions, bound))
    pairing = Pairing(array("q", range(size)), single, parts, bound)
    assert (pairing._walk is None) != compiled_kernel()
    for position in range(size):
        assert pairing.partners(position) == pairing.partners_py(position), (found, position)
from namematch.keys import _buckets, _buckets_py, _leaders, _leaders_py, _numbered, _numbered_py
for _ in range(300):
    keys = array("q", [rng.choice([rng.getrandbits(62), 5, 8]) for _ in range(rng.randint(0, 60))])
    numbered, distinct = _numbered(keys)
    assert (numbered, list(distinct)) == _numbered_py(keys), keys
    ends = array("q", sorted(rng.randint(0, len(keys)) for _ in range(rng.randint(0, 8))))
    ends.append(len(keys))
    buckets = _buckets(numbered, ends, len(distinct))
    assert buckets == _buckets_py(numbered, ends, len(distinct))
    part_key = bytearray(rng.random() < 0.5 for _ in distinct)
    single = bytearray(rng.random() < 0.4 for _ in ends)
    mentions = array("q", [rng.randint(1, 3) for _ in ends])
    for bound in (0, 1, 3):
        arrays = (numbered, ends, part_key, buckets[0], single, mentions, bound)
        assert _leaders(*arrays) == _leaders_py(*arrays), arrays
# The triage of candidate pairs against its Python twin, over names the rules read.
from namematch.aliases import AliasTable, load_aliases
from namematch.compare import Comparer, UNDECIDED
from namematch.parse import parse
words = ["Mohammed", "bin", "Abu", "King", "H.", "Hassan", "Hussein", "Gaddafi", "Qadhafi",
         "Ali", "al-Ali", "Omar", "Omer", "Saadi", "al-Mesmari", "Mismari", "abdul", "razek"]
whole = AliasTable(names={"hassan ali": frozenset({1}), "ali hassan": frozenset({1})})
answers = set()
for table in (None, load_aliases(), whole):
    comparer = Comparer(table)
    for _ in range(3000):
        x, y = (comparer.prepare(parse(" ".join(rng.sample(words, rng.randint(1, 4)))))
                for _ in range(2))
        quick = comparer.triage(x, y)
        twin = comparer.triage_py(x, y) if compiled_kernel() else UNDECIDED
        assert quick == twin == comparer.triage(y, x), (x.name, y.name)
        answers.add(quick if isinstance(quick, int) else "match")
assert answers == ({0, 1, 2, "match"} if compiled_kernel() else {UNDECIDED}), answers
print(compiled_kernel())
"""


def test_installed_kernel_gives_the_python_floats(installed: Installed, tmp_path: Path) -> None:
    """Where the wheel is compiled, the edit distance runs in the C kernel, and gives the
    very floats of the Python function it stands for."""
    proc = run(installed.bin / "python", "-c", KERNEL_PROBE, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert proc.stdout.decode().strip() == str(has_compiler())


def test_kernel_suite_passes_in_the_wheel(installed: Installed, tmp_path: Path) -> None:
    """``tests/test_kernels.py`` (each compiled kernel against its Python twin, on drawn
    and real cases) needs the compiled build, which an editable install has not: it runs
    here, in the installed wheel."""
    if not has_compiler():
        pytest.skip("no C compiler: the wheel is pure Python")
    pip_step(installed.bin / "python", "-m", "pip", "install", "pytest", "hypothesis",
             cwd=tmp_path)
    proc = run(installed.bin / "python", "-m", "pytest", "-q", "-o", "addopts=",
               "-p", "no:cacheprovider", "--rootdir", tmp_path,
               ROOT / "tests" / "test_kernels.py", cwd=tmp_path, timeout=600)
    report = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 0, report[-4000:]
    assert " passed" in report and "skipped" not in report, report[-4000:]


# Run in the installed venv: every public name documented, its signature readable, and the
# functions' options keyword-only (what help(), IDEs and doc tools read).
API_PROBE = r"""
import inspect, json, namematch as nm
report = {"compiled": nm.compiled(), "undocumented": [], "unsigned": [], "positional": {}}
for name in nm.__all__:
    obj = getattr(nm, name)
    if not (inspect.isclass(obj) or inspect.isroutine(obj)):  # constants, type aliases
        continue
    if not (obj.__doc__ or "").strip():
        report["undocumented"].append(name)
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        report["unsigned"].append(name)
        continue
    if inspect.isfunction(obj):
        report["positional"][name] = [
            p.name for p in signature.parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        for part in ("Parameters", "Returns", "Examples"):
            if name not in ("compiled",) and part not in obj.__doc__:
                report["undocumented"].append(f"{name}: {part}")
print(json.dumps(report))
"""


def test_installed_api_is_documented(installed: Installed, tmp_path: Path) -> None:
    """In the installed (compiled) wheel every public name has a docstring and a signature,
    and the functions take their options by keyword only."""
    proc = run(installed.bin / "python", "-c", API_PROBE, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    report = json.loads(proc.stdout)
    if has_compiler():
        assert report["compiled"]
    assert report["undocumented"] == []
    assert report["unsigned"] == []
    assert report["positional"] == {
        "compare": ["a", "b"], "compiled": [], "explain": ["a", "b"], "fold": ["part"],
        "keys": ["name"], "load_aliases": [], "normalize": ["text"], "parse": ["text"],
        "resolve": ["names"],
    }
    # help() shows the docstring, and a misplaced option is a clear TypeError.
    shown = run(installed.bin / "python", "-c",
                "import namematch; help(namematch.resolve)", cwd=tmp_path)
    assert b"Parameters" in shown.stdout and b"threshold : float" in shown.stdout


INPUT_PROBE = r"""
import namematch as nm
for bad in ("Ali Khamenei", ["Ali", 3], ["Ali", b"x"], 5):
    try:
        nm.resolve(bad)
    except nm.InputError as err:
        print(type(err).__name__, err)
rows = nm.resolve(["Ali Khamenei", None, float("nan")])
print([r.name for r in rows], [r.entity == "" for r in rows])
for options in ({"threshold": 5.0}, {"jobs": 0}, {"max_bucket": 0}, {"aliases": "x.yaml"}):
    try:
        nm.resolve(["Ali"], **options)
    except nm.InputError as err:
        print(type(err).__name__, err)
with nm.Gazetteer() as gaz:  # the gazetteer takes names as resolve does
    for call in (lambda: gaz.add("Ali Khamenei"), lambda: gaz.add(["Ali", 3]),
                 lambda: gaz.link(["Ali", b"x"]), lambda: gaz.match(None)):
        try:
            call()
        except nm.InputError as err:
            print(type(err).__name__, err)
    print([link.status for link in gaz.add(["Ali Khamenei", None, float("nan")])])
"""


PICKLE_PROBE = r"""
import pickle
from namematch.distinct import NameList
names = NameList.of({"ahmed al-mesmari": {"Ahmed al-Mesmari": 2}, "mesmari": {"Mesmari": 1}})
again = pickle.loads(pickle.dumps(names))
print((again.texts, again.heads, again.head_of) == (names.texts, names.heads, names.head_of),
      again.parsed == names.parsed, again.weights.frequency)
"""


def test_installed_name_list_pickles(installed: Installed, tmp_path: Path) -> None:
    """The dask engine ships a name list between workers: the compiled one unpickles."""
    proc = run(installed.bin / "python", "-c", PICKLE_PROBE, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert proc.stdout.startswith(b"True True {")


def test_installed_input_errors(installed: Installed, tmp_path: Path) -> None:
    """The compiled build checks its input as the source does: InputError, naming the row."""
    proc = run(installed.bin / "python", "-c", INPUT_PROBE, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    source = subprocess.run([sys.executable, "-c", INPUT_PROBE], capture_output=True,
                            timeout=120, check=False,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert proc.stdout == source.stdout
    lines = proc.stdout.decode("utf-8").splitlines()
    assert len(lines) == 14, lines
    assert lines[0].startswith("InputError names is a single str: pass a list of names")
    assert lines[1] == "InputError name 1 is int 3, not a str"
    assert lines[4] == "['Ali Khamenei', '', ''] [False, True, True]"
    assert lines[9].startswith("InputError names is a single str: pass a list of names")
    assert lines[10] == "InputError name 1 is int 3, not a str"
    assert lines[13] == "['new', 'blank', 'blank']"
    assert all(line.startswith("InputError ") for i, line in enumerate(lines)
               if i not in (4, 13))


PEOPLE = ('id,name,source\n1,"Mesmari, Ahmed",news\n2,Ahmed al-Mismari,"wire, evening"\n'
          '3,أحمد المسماري,ar\n4,,empty\n5,Hassan Nasrallah,=cmd()\n')


def test_installed_column_round_trip_and_output_file(installed: Installed,
                                                     tmp_path: Path) -> None:
    """The installed command reads a CSV column (quoted commas, Arabic script), keeps the
    columns, writes -o, and refuses a bad record in one line, leaving no file."""
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    proc = run(installed.bin / "namematch", "resolve", "people.csv", "--column", "name",
               "--format", "csv", "-o", "out.csv", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == proc.stderr == b"", proc.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"),
                                       newline="")))
    assert rows[0] == ["id", "name", "source", "entity", "canonical", "score"]
    assert [r[1] for r in rows[1:]] == ["Mesmari, Ahmed", "Ahmed al-Mismari",
                                        "أحمد المسماري", "", "Hassan Nasrallah"]
    assert rows[1][3] == rows[2][3] == rows[3][3] != rows[5][3]
    assert rows[4][3:] == ["", "", ""] and rows[5][2] == "'=cmd()"

    (tmp_path / "bad.csv").write_text("id,name\n1,Ali\n2\n", encoding="utf-8")
    bad = run(installed.bin / "namematch", "resolve", "bad.csv", "--column", "name",
              "-o", "bad-out.csv", cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.decode("utf-8") == (
        "namematch: error: bad.csv:3: record 2 has 1 field, the header 2\n")
    assert not list(tmp_path.glob("*bad-out*"))
    refused = run(installed.bin / "namematch", "resolve", "people.csv", cwd=tmp_path)
    assert refused.returncode == 2 and refused.stdout == b""
    assert len(refused.stderr.splitlines()) == 1 and b"--column" in refused.stderr
