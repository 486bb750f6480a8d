"""Speed benchmark: ``namematch resolve`` end to end on synthetic mention lists, against a
phonetic-key floor and rapidfuzz brute force.

Usage (from the repository root)::

    python benchmarks/speed.py                                  # 10k, 100k, 1M; 3 runs each
    python benchmarks/speed.py --sizes 10000 100000 --repeat 1  # quicker
    python benchmarks/speed.py --sizes 1000000 --repeat 1 --brute   # no brute-force runs
    python benchmarks/speed.py --keep /tmp/names --seed 11      # keep the generated lists
    python benchmarks/speed.py --sizes 100000 --pairs-all --timeout 300

Mention lists are generated, not read: people are a given name from a list of common
Arabic given names written below, an optional father's name (about 5% of people have a
``bin X`` nasab instead) and a family name built from Arabic-like consonant/vowel
templates, often with the article ``al-``.  No labelled set is read.  The number of people
is ``size / 20`` and mentions follow a Zipf law over them (exponent 1.1).  Each person's
spellings come from a Chinese-restaurant process (a new spelling with probability
``alpha / (n + alpha)``), so a famous person has dozens of spellings and a rare one a few.
A spelling drifts vowels (e/i, o/u, a/e), swaps consonant classes (q/k/g, dh/d/z, th/t,
kh/h, sh/ch, j/g/dj), doubles and undoubles consonants, writes ou/oo/u and ee/i, renders
the article as al-/el-/Al /ash-/nothing and ``abd`` compounds joined or split (Abdel
Rahman, Abdelrahman, Abd al-Rahman, Abdur Rahman).  Mentions sometimes carry a title
(Gen., Dr., Sheikh, ...) and about 10% are the family name only ("Mesmari").  The list
for one ``--seed`` and size is always the same; the true person of every line is written
next to it (``*.truth``).

Every measured run is its own subprocess, timed with ``time.perf_counter`` around
``subprocess.Popen`` and ``os.wait4``, which also gives the child's peak RSS.  The
children are started by a small launcher process forked before any list is generated:
Linux counts the peak RSS of the spawning process into the child's ``ru_maxrss``, so
spawning from this process would inflate the small children.  Systems:

* ``namematch``: ``python -m namematch.cli resolve FILE --quiet -j 1`` (and ``-j 2``, and
  ``--engine dask -j 2`` with ``--dask``).  The output of the ``-j 1`` run is scored against
  the true people (pairwise precision, recall and F1 over the mentions), so the list is also
  a labelled set at every size.
* ``metaphone floor``: group lines by the tuple of jellyfish metaphone keys of their
  lower-cased tokens and write a group id per line (``--_metaphone FILE``, hidden).
* ``rapidfuzz brute``: ``process.cdist`` of all lines against all lines with
  ``token_sort_ratio`` on ``default_process``-ed text, cutoff 85, uint8, all cores, in
  blocks of 2000 rows; it counts the pairs >= 85 and does no clustering
  (``--_brute FILE``, hidden).  It runs at every ``--sizes`` entry <= 30,000 and at the
  ``--brute`` sizes; a ``--brute`` size that is not in ``--sizes`` is the first N lines of
  the 100,000 list (the metaphone floor is run on that prefix too).

Times are the median of ``--repeat`` runs, peak RSS the maximum.  After the timed runs
the parent counts namematch's candidate pairs on the distinct normalized names
(``namematch.resolve.candidate_pairs``), for sizes up to 100,000 unless ``--pairs-all``.
The table goes to stdout, progress to stderr.  The children import namematch as installed:
a wheel (``pip install .``) runs compiled with mypyc, an editable install or a source tree
runs pure Python; the first line of the output says which.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DEFAULT_BRUTE = (10_000, 30_000)
BRUTE_AUTO_MAX = 30_000  # --sizes entries up to this also get a brute-force run
BRUTE_SOURCE = 100_000  # --brute sizes not in --sizes are a prefix of this list
BRUTE_CUTOFF = 85
BRUTE_BLOCK = 2000
PAIRS_MAX = 100_000  # candidate pairs are counted up to this size unless --pairs-all
PEOPLE_PER_MENTION = 1 / 20
ZIPF_EXPONENT = 1.1
GIVEN_EXPONENT = 0.8  # given names are Zipf-distributed too: many people are Mohammed
SPELLING_ALPHA = 1.5  # Chinese-restaurant concentration of a person's spellings

NAMEMATCH = "namematch -j 1"
NAMEMATCH_JOBS = "namematch -j 2"
NAMEMATCH_DASK = "namematch --engine dask -j 2"
METAPHONE = "metaphone floor"
BRUTE = f"rapidfuzz brute (token_sort_ratio >= {BRUTE_CUTOFF})"

# ----------------------------------------------------------------------- name material

# Common Arabic given names in one usual English spelling, most common first (the order
# sets their Zipf weights).  "X al-Y" entries are compounds rendered in several styles.
GIVEN_NAMES = (
    "Mohammed", "Ahmed", "Ali", "Omar", "Khalid", "Hassan", "Hussein", "Ibrahim", "Youssef",
    "Abdullah", "Abd al-Rahman", "Mahmoud", "Mustafa", "Abu Bakr", "Saif al-Islam",
    "Nour al-Din", "Osama", "Hamza", "Tariq", "Faisal", "Salem", "Saleh", "Said", "Saad",
    "Sami", "Samir", "Karim", "Kamal", "Jamal", "Adel", "Nabil", "Walid", "Yasser", "Ziad",
    "Bilal", "Anwar", "Ayman", "Bashar", "Bassam", "Fahd", "Fares", "Fawzi", "Ghassan",
    "Habib", "Hadi", "Hamid", "Hani", "Haitham", "Hisham", "Idris", "Imad", "Ismail", "Issa",
    "Jaber", "Jalal", "Jamil", "Jihad", "Louay", "Majid", "Mansour", "Marwan", "Moussa",
    "Munir", "Murad", "Nasser", "Nizar", "Qasim", "Rashid", "Riyad", "Saddam", "Safwan",
    "Salah", "Salman", "Shadi", "Sharif", "Suleiman", "Sultan", "Taha", "Talal", "Tamer",
    "Tawfiq", "Wael", "Wissam", "Yahya", "Yaqoub", "Younis", "Zakaria", "Zuhair",
    "Abd al-Aziz", "Abd al-Karim", "Abd al-Hamid", "Abd al-Latif", "Abd al-Majid",
    "Abd al-Nasser", "Abd al-Qadir", "Abd al-Salam", "Abd al-Razzaq", "Abd al-Hakim",
    "Abd al-Ghani", "Abd al-Fattah", "Abd al-Wahhab", "Abd al-Jalil", "Abd al-Hadi",
    "Abd al-Basit", "Abd al-Hafiz", "Salah al-Din", "Izz al-Din", "Nasr al-Din",
    "Sharaf al-Din", "Badr al-Din", "Alaa al-Din", "Khair al-Din", "Saif al-Din", "Nouri",
    "Badr", "Amr", "Aziz", "Moataz", "Mutasim", "Naji", "Omran", "Ramadan", "Ramzi", "Rami",
    "Raed", "Sabri", "Sadiq", "Sufyan", "Tahir", "Hafez", "Haroun", "Hashem", "Jawad",
    "Kadhim", "Laith", "Maher", "Mazen", "Mohsen", "Muadh", "Nadim", "Qais", "Radwan",
    "Shukri", "Zaid", "Othman", "Anas", "Ammar", "Yazid", "Hatem", "Akram", "Ashraf",
    "Ayoub", "Azzam", "Fouad", "Hazem", "Lutfi", "Magdi", "Raouf", "Ghazi", "Mounir",
    "Abbas", "Jafar", "Aref", "Khalil", "Darwish", "Fathi", "Hilal", "Ihsan",
)  # fmt: skip

TITLES = (
    "Gen.", "Dr.", "President", "Sheikh", "Brig. Gen.", "Col.", "Maj. Gen.", "Minister",
    "Prince", "Imam", "Mr.", "Prime Minister", "King", "Emir", "Lt. Col.",
)  # fmt: skip

# Family names: consonant (C) / short vowel (V) / long vowel (L) templates; "i" is a nisba.
FAMILY_TEMPLATES = ("CVCCLCi", "CVCCVC", "CVCLC", "CVCCLC", "CVCVCi", "CVCLCi", "CVCCVCi")
CONSONANTS = (
    ("b", 5), ("t", 5), ("th", 1), ("j", 3), ("h", 6), ("kh", 2), ("d", 5), ("dh", 1),
    ("r", 7), ("z", 3), ("s", 6), ("sh", 3), ("f", 4), ("q", 3), ("k", 3), ("l", 5),
    ("m", 6), ("n", 5), ("w", 3), ("y", 2), ("gh", 1),
)  # fmt: skip
CLUSTER_CONSONANTS = ("b", "d", "f", "h", "k", "l", "m", "n", "r", "s", "t", "z", "q", "j")
SHORT_VOWELS = (("a", 9), ("i", 3), ("e", 3), ("u", 2), ("o", 1))
LONG_VOWELS = (("a", 5), ("ou", 3), ("i", 3), ("ee", 1), ("ai", 1), ("u", 1), ("aw", 1))
SUN_LETTERS = ("th", "dh", "sh", "t", "d", "r", "z", "s", "n")  # longest first
ARTICLE_FORMS = (("al-", 40), ("el-", 15), ("Al ", 8), ("Al-", 10), ("El ", 3), ("", 24))

# Spelling drift: replacements of a piece and the base chance that a new spelling swaps it.
SWAPS: dict[str, tuple[tuple[str, ...], float]] = {
    "q": (("k", "k", "g", "q"), 0.6),
    "dh": (("d", "z", "dh"), 0.6),
    "th": (("t", "th"), 0.5),
    "kh": (("h", "kh"), 0.4),
    "sh": (("ch", "sh"), 0.3),
    "gh": (("g", "gh"), 0.4),
    "j": (("g", "dj", "j"), 0.35),
    "ou": (("u", "oo", "o"), 0.5),
    "oo": (("u", "ou"), 0.5),
    "ee": (("i", "ee"), 0.5),
    "ai": (("ei", "ay", "ey"), 0.4),
    "a": (("e",), 0.15),
    "e": (("i", "a"), 0.3),
    "i": (("e", "ee", "y"), 0.2),
    "o": (("u", "ou"), 0.35),
    "u": (("o", "ou"), 0.3),
    "w": (("ou", "w"), 0.05),
}
DIGRAPHS = ("dh", "th", "kh", "sh", "gh", "ou", "oo", "ee", "ai")
VOWELS = frozenset("aeiou")


def weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def family_core(rng: random.Random) -> str:
    """A family name without article from a consonant/vowel template, lower case."""
    out: list[str] = []
    template = rng.choice(FAMILY_TEMPLATES)
    for slot, following in itertools.zip_longest(template, template[1:]):
        if slot == "C":
            in_cluster = following == "C" or (out and out[-1] not in VOWELS | {"ou", "ee", "ai"})
            out.append(rng.choice(CLUSTER_CONSONANTS) if in_cluster else weighted(rng, CONSONANTS))
        elif slot == "V":
            out.append(weighted(rng, SHORT_VOWELS))
        elif slot == "L":
            out.append(weighted(rng, LONG_VOWELS))
        else:
            out.append(slot)
    return "".join(out)


# --------------------------------------------------------------------------- spelling


def pieces(token: str) -> list[str]:
    """Split a lower-case token into digraphs, doubled consonants and single letters."""
    out: list[str] = []
    i = 0
    while i < len(token):
        pair = token[i : i + 2]
        if pair in DIGRAPHS or (len(pair) == 2 and pair[0] == pair[1] and pair[0] not in VOWELS):
            out.append(pair)
            i += 2
        else:
            out.append(token[i])
            i += 1
    return out


def drift(token: str, rng: random.Random, intensity: float) -> str:
    """One spelling of a lower-case token; ``intensity`` 0 keeps it as it is."""
    if intensity <= 0:
        return token
    parts = pieces(token)
    out: list[str] = []
    for index, piece in enumerate(parts):
        before = parts[index - 1] if index else ""
        after = parts[index + 1] if index + 1 < len(parts) else ""
        swap = SWAPS.get(piece)
        if index == 0 and piece in VOWELS:
            out.append(piece)  # keep the initial vowel: Omar, not Umar-or-Amar soup
        elif len(piece) == 2 and piece[0] == piece[1] and rng.random() < 0.3 * intensity:
            out.append(piece[0])  # undouble: Qaddafi -> Qadafi
        elif (
            len(piece) == 1
            and piece not in VOWELS
            and before[-1:] in VOWELS
            and after[:1] in VOWELS
            and rng.random() < 0.06 * intensity
        ):
            out.append(piece * 2)  # double: Hamid -> Hammid
        elif swap and rng.random() < swap[1] * intensity:
            out.append(rng.choice(swap[0]))
        else:
            out.append(piece)
    return "".join(out)


def capital(token: str) -> str:
    return token[:1].upper() + token[1:]


def spell_words(text: str, rng: random.Random, intensity: float) -> str:
    return " ".join(capital(drift(word.lower(), rng, intensity)) for word in text.split())


def spell_given(name: str, rng: random.Random, intensity: float) -> str:
    """A spelling of a given name; ``X al-Y`` compounds are joined or split at random."""
    if " al-" not in name:
        return spell_words(name, rng, intensity)
    head, tail = (drift(part.lower(), rng, intensity) for part in name.split(" al-"))
    if intensity <= 0:
        return f"{capital(head)} al-{capital(tail)}"
    sun = next((s for s in SUN_LETTERS if tail.startswith(s)), "")
    articles = ["al", "el", "ul"] + ([f"a{sun[0]}", f"e{sun[0]}", f"u{sun[0]}"] if sun else [])
    article = rng.choice(articles)
    styles = ["split", "joined", "glued"] + (["abd"] * 3 if head.startswith("abd") else [])
    style = rng.choice(styles)
    if style == "split":  # Abd al-Rahman, Nour ad-Din
        return f"{capital(head)} {article}-{capital(tail)}"
    if style == "joined":  # Abdelrahman, Noureddin
        return capital(head + article + tail)
    if style == "glued":  # Abd-el-Rahman, Nour-ud-Din
        return f"{capital(head)}-{article}-{capital(tail)}"
    return f"{capital(head + article)} {capital(tail)}"  # Abdel Rahman, Abdur Rahman


def spell_family(core: str, has_article: bool, rng: random.Random, intensity: float) -> str:
    spelled = capital(drift(core, rng, intensity))
    if not has_article:
        return spelled
    if intensity <= 0:
        return f"al-{spelled}"
    article = weighted(rng, ARTICLE_FORMS)
    sun = next((s for s in SUN_LETTERS if core.startswith(s)), "")
    if article == "al-" and sun and rng.random() < 0.15:
        article = f"a{sun}-"  # ash-Shami, ar-Rashidi
    return article + spelled


# ----------------------------------------------------------------------------- people


@dataclass
class Person:
    given: str
    father: str  # "" when none
    nasab: bool  # father written as "bin X"
    family: str  # lower-case core
    article: bool
    titles: tuple[str, ...]
    spellings: list[tuple[str, str, str]] = field(default_factory=list)  # given, father, family
    counts: list[int] = field(default_factory=list)


def make_person(rng: random.Random, given_cum: list[float]) -> Person:
    def given() -> str:
        return rng.choices(GIVEN_NAMES, cum_weights=given_cum)[0]

    nasab = rng.random() < 0.05
    father = given() if nasab or rng.random() < 0.45 else ""
    titles = tuple(rng.sample(TITLES, rng.choice((0, 0, 1, 1, 2))))
    return Person(given(), father, nasab, family_core(rng), rng.random() < 0.55, titles)


def new_spelling(person: Person, rng: random.Random) -> tuple[str, str, str]:
    """A fresh (given, father, family) spelling; the first one is the canonical one."""
    intensity = 0.0 if not person.spellings else rng.uniform(0.3, 1.0)
    given = spell_given(person.given, rng, intensity)
    father = spell_given(person.father, rng, intensity) if person.father else ""
    if person.nasab:
        particle = "bin" if intensity <= 0 else rng.choice(("bin", "bin", "ben", "ibn"))
        father = f"{particle} {father}"
    return given, father, spell_family(person.family, person.article, rng, intensity)


def mention(person: Person, rng: random.Random) -> str:
    n = sum(person.counts)
    if not person.spellings or rng.random() < SPELLING_ALPHA / (n + SPELLING_ALPHA):
        person.spellings.append(new_spelling(person, rng))
        person.counts.append(0)
        pick = len(person.spellings) - 1
    else:
        pick = rng.choices(range(len(person.spellings)), weights=person.counts)[0]
    person.counts[pick] += 1
    given, father, family = person.spellings[pick]
    if rng.random() < 0.10:  # partial mention: the family name, usually without article
        text = family.replace("-", " ").split()[-1] if rng.random() < 0.75 else family
    elif father and not person.nasab and rng.random() < 0.4:
        text = f"{given} {family}"  # the father's name left out
    else:
        text = " ".join(part for part in (given, father, family) if part)
    if person.titles and rng.random() < 0.3:
        text = f"{rng.choice(person.titles)} {text}"
    roll = rng.random()
    return text.upper() if roll < 0.01 else text.lower() if roll < 0.015 else text


@dataclass(frozen=True)
class MentionList:
    size: int
    path: Path
    people: int
    mentioned: int
    distinct: int
    distinct_folded: int
    top_share: float


def zipf_cumulative(n: int, exponent: float) -> list[float]:
    """Cumulative weights of ranks 1..n under a Zipf law."""
    return list(itertools.accumulate(rank**-exponent for rank in range(1, n + 1)))


def generate(size: int, seed: int) -> tuple[list[str], list[int], int]:
    """``size`` mentions and the person index of each; also the number of people."""
    rng = random.Random(seed)
    given_cum = zipf_cumulative(len(GIVEN_NAMES), GIVEN_EXPONENT)
    people = [make_person(rng, given_cum) for _ in range(max(1, round(size * PEOPLE_PER_MENTION)))]
    zipf_cum = zipf_cumulative(len(people), ZIPF_EXPONENT)
    truth = rng.choices(range(len(people)), cum_weights=zipf_cum, k=size)
    names = [mention(people[who], rng) for who in truth]
    return names, truth, len(people)


def write_list(
    directory: Path, stem: str, names: list[str], truth: list[int], people: int
) -> MentionList:
    path = directory / f"{stem}.txt"
    path.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
    (directory / f"{stem}.truth").write_text("".join(f"P{t}\n" for t in truth), encoding="utf-8")
    top = Counter(truth).most_common(1)[0][1] if truth else 0
    return MentionList(
        size=len(names),
        path=path,
        people=people,
        mentioned=len(set(truth)),
        distinct=len(set(names)),
        distinct_folded=len({name.casefold() for name in names}),
        top_share=top / max(1, len(names)),
    )


def describe(mentions: MentionList) -> str:
    return (
        f"{mentions.size:,} mentions: {mentions.people:,} people ({mentions.mentioned:,} "
        f"mentioned, the top one {mentions.top_share:.1%} of lines), {mentions.distinct:,} "
        f"distinct strings ({mentions.distinct_folded:,} ignoring case)"
    )


# ------------------------------------------------------------------- hidden child modes


def metaphone_floor(path: Path) -> int:
    """Group lines by their tokens' metaphone keys; one group id per line to stdout."""
    import jellyfish

    groups: dict[tuple[str, ...], int] = {}
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            key = tuple(jellyfish.metaphone(t) for t in line.rstrip("\n").lower().split())
            out.append(groups.setdefault(key, len(groups)))
    sys.stdout.write("".join(f"{g}\n" for g in out))
    return 0


def brute_force(path: Path) -> int:
    """Count the unordered pairs of lines scoring >= the cutoff; the count to stdout."""
    import numpy as np
    from rapidfuzz import fuzz, process
    from rapidfuzz.utils import default_process

    names = path.read_text(encoding="utf-8").split("\n")[:-1]
    hits = diagonal = 0
    for start in range(0, len(names), BRUTE_BLOCK):
        block = process.cdist(
            names[start : start + BRUTE_BLOCK],
            names,
            scorer=fuzz.token_sort_ratio,
            processor=default_process,
            score_cutoff=BRUTE_CUTOFF,
            workers=-1,
            dtype=np.uint8,
        )
        rows = np.arange(block.shape[0])
        hits += int(np.count_nonzero(block >= BRUTE_CUTOFF))
        diagonal += int(np.count_nonzero(block[rows, rows + start] >= BRUTE_CUTOFF))
    print((hits - diagonal) // 2)
    return 0


# ----------------------------------------------------------------------------- runner


@dataclass(frozen=True)
class Run:
    seconds: float
    rss_kib: int
    status: str  # "ok", "timeout (>S s)" or "exit N"
    stdout: str
    stderr: str


@dataclass
class Row:
    size: int
    label: str
    system: str
    runs: list[Run]
    pairs: str = ""
    quality: str = ""

    @property
    def failure(self) -> str:
        return next((r.status for r in self.runs if r.status != "ok"), "")

    @property
    def seconds(self) -> float | None:
        return None if self.failure else statistics.median(r.seconds for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return max(r.rss_kib for r in self.runs) / 1024


def run_child(command: list[str], timeout: float, scratch: Path) -> Run:
    """Run one child; wall time, peak RSS (KiB) from wait4, and its status."""
    out_path, err_path = scratch / "child.out", scratch / "child.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped by wait4; keep Popen from waiting again
    verdict = "ok" if code == 0 else f"exit {code}"
    if timed_out.is_set():
        verdict = f"timeout (>{timeout:g} s)"
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    return Run(seconds, usage.ru_maxrss, verdict, stdout, stderr)


def serve(conn: Connection, scratch: Path) -> None:
    """The launcher's loop: run each (command, timeout) received, send back its Run."""
    while (request := conn.recv()) is not None:
        command, timeout = request
        conn.send(run_child(command, timeout, scratch))


class Launcher:
    """Starts the measured children from a small process forked before any list exists.

    On Linux a child's ru_maxrss starts at the peak RSS of the process it was spawned
    from (the memory its exec replaced counts), so children spawned by this process,
    which holds the mention lists, would all report at least its own peak.
    """

    def __init__(self, scratch: Path) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, remote = context.Pipe()
        self.process = context.Process(target=serve, args=(remote, scratch))
        self.process.start()
        remote.close()

    def run(self, command: list[str], timeout: float) -> Run:
        self.conn.send((command, timeout))
        run: Run = self.conn.recv()
        return run

    def close(self) -> None:
        self.conn.send(None)
        self.process.join()


def commands(system: str, path: Path) -> list[str]:
    if system in (NAMEMATCH, NAMEMATCH_JOBS, NAMEMATCH_DASK):
        jobs = {NAMEMATCH: ["-j", "1"], NAMEMATCH_JOBS: ["-j", "2"],
                NAMEMATCH_DASK: ["--engine", "dask", "-j", "2"]}[system]
        return [sys.executable, "-m", "namematch.cli", "resolve", str(path), "--quiet", *jobs]
    mode = "--_metaphone" if system == METAPHONE else "--_brute"
    return [sys.executable, str(Path(__file__).resolve()), mode, str(path)]


def measure(
    system: str, mentions: MentionList, label: str, args: argparse.Namespace, launcher: Launcher
) -> Row:
    row = Row(mentions.size, label, system, [])
    for attempt in range(1, args.repeat + 1):
        print(f"  {system} on {label}: run {attempt}/{args.repeat} ...", file=sys.stderr)
        run = launcher.run(commands(system, mentions.path), args.timeout)
        row.runs.append(run)
        tail = " | ".join(run.stderr.strip().splitlines()[-3:])
        detail = f"; stderr: {tail}" if run.status != "ok" and tail else ""
        print(
            f"    {run.status}, {run.seconds:.2f} s, {run.rss_kib / 1024:.0f} MB{detail}",
            file=sys.stderr,
        )
        if run.status != "ok":
            break
    if system == BRUTE and not row.failure:
        row.pairs = row.runs[-1].stdout.strip()
    if system == NAMEMATCH and not row.failure:
        row.quality = pair_quality(row.runs[-1].stdout, mentions.path.with_suffix(".truth"))
    return row


def pair_quality(output: str, truth_path: Path) -> str:
    """Pairwise precision, recall and F1 of namematch's entities against the generator's
    people: a mention list is its own labelled set, at every size."""
    rows = output.split("\n")[1:-1]  # header, one row per mention, final newline
    truth = truth_path.read_text(encoding="utf-8").split("\n")[:-1]
    if len(rows) != len(truth):
        return f"n/a ({len(rows):,} rows for {len(truth):,} mentions)"
    entities = [row.split("\t")[1] for row in rows]

    def pairs(groups: Counter[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in groups.values())

    both = pairs(Counter(zip(truth, entities, strict=True)))
    precision = both / max(1, pairs(Counter(entities)))
    recall = both / max(1, pairs(Counter(truth)))
    f1 = 2 * precision * recall / (precision + recall) if both else 0.0
    return f"pair P {precision:.4f}, R {recall:.4f}, F1 {f1:.4f}"


def count_candidate_pairs(path: Path) -> str:
    """namematch's candidate pairs on the distinct normalized names of a list, or n/a."""
    try:
        from namematch import normalize, parse
        from namematch.resolve import candidate_pairs

        lines = path.read_text(encoding="utf-8").split("\n")[:-1]
        mentions = Counter(normalize(line) for line in lines)
        mentions.pop("", None)
        distinct = sorted(mentions)
        start = time.perf_counter()
        count = len(candidate_pairs([parse(n) for n in distinct],
                                    mentions=[mentions[n] for n in distinct]))
        seconds = time.perf_counter() - start
        print(
            f"  candidate pairs: {count:,} among {len(distinct):,} distinct normalized names "
            f"({seconds:.1f} s)",
            file=sys.stderr,
        )
        return f"{count:,}"
    except Exception as error:
        print(f"  candidate pairs failed: {error!r}", file=sys.stderr)
        return f"n/a ({type(error).__name__}: {error})"


# ------------------------------------------------------------------------- output


def cell_seconds(row: Row) -> str:
    return row.failure if row.seconds is None else f"{row.seconds:.2f}"


def table(rows: list[Row]) -> str:
    floors = {r.label: r.seconds for r in rows if r.system == METAPHONE}
    lines = [
        "| size | system | median s | names/s | peak RSS MB | candidate pairs | x metaphone |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        seconds, floor = row.seconds, floors.get(row.label)
        rate = f"{row.size / seconds:,.0f}" if seconds else "-"
        times = f"{seconds / floor:.1f}" if seconds and floor else "-"
        pairs = row.pairs if row.system == NAMEMATCH else "-"
        lines.append(
            f"| {row.label} | {row.system} | {cell_seconds(row)} | {rate} | {row.rss_mb:,.0f} "
            f"| {pairs or '-'} | {times} |"
        )
    return "\n".join(lines)


def summary(rows: list[Row]) -> list[str]:
    out: list[str] = []
    floors = {r.label: r.seconds for r in rows if r.system == METAPHONE}
    ours = [r for r in rows if r.system == NAMEMATCH]
    for row in (r for r in rows if r.system in (NAMEMATCH, NAMEMATCH_JOBS, NAMEMATCH_DASK)):
        floor = floors.get(row.label)
        ratio = f"{row.seconds / floor:.1f}x" if row.seconds and floor else cell_seconds(row)
        out.append(f"- {row.label}: {row.system}/metaphone = {ratio}")
    for small, big in itertools.pairwise(ours):
        if small.seconds and big.seconds:
            out.append(
                f"- growth namematch time({big.label})/time({small.label}) = "
                f"{big.seconds / small.seconds:.1f} for {big.size / small.size:g}x the names"
            )
    for row in (r for r in rows if r.system == NAMEMATCH and r.quality):
        out.append(f"- {row.label}: namematch against the generator's people: {row.quality}")
    for row in (r for r in rows if r.system == BRUTE and r.pairs):
        out.append(f"- {row.label}: rapidfuzz brute: {int(row.pairs):,} pairs >= {BRUTE_CUTOFF}")
    return out


def command_line(argv: list[str]) -> str:
    script = Path(sys.argv[0])
    if script.is_absolute() and script.is_relative_to(Path.cwd()):
        script = script.relative_to(Path.cwd())
    return shlex.join(["python", str(script), *argv])


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(DEFAULT_SIZES),
        metavar="N",
        help="mention list sizes (default 10000 100000 1000000)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="N",
        help="runs per system and size; median time, max RSS (default 3)",
    )
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument(
        "--brute",
        type=int,
        nargs="*",
        default=list(DEFAULT_BRUTE),
        metavar="N",
        help="extra rapidfuzz brute-force sizes; those not in --sizes are the "
        "first N lines of the 100000 list (default 10000 30000; none if empty)",
    )
    parser.add_argument(
        "--pairs-all",
        action="store_true",
        help=f"count candidate pairs above {PAIRS_MAX} names too",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900,
        metavar="S",
        help="seconds per subprocess run before it is killed (default 900)",
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write and keep the lists here")
    parser.add_argument("--dask", action="store_true",
                        help="also time the dask engine with 2 worker processes")
    parser.add_argument("--_metaphone", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_brute", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1 or any(n < 1 for n in args.sizes + args.brute):
        parser.error("--repeat and sizes must be positive")
    if any(n > BRUTE_SOURCE and n not in args.sizes for n in args.brute):
        parser.error(f"a --brute size not in --sizes must be at most {BRUTE_SOURCE}")
    return args


def build_list(size: int, seed: int, directory: Path, cache: dict[int, MentionList]) -> MentionList:
    if size not in cache:
        print(f"generating {size:,} mentions (seed {seed}) ...", file=sys.stderr)
        start = time.perf_counter()
        names, truth, people = generate(size, seed)
        cache[size] = write_list(directory, f"names-{size}", names, truth, people)
        print(f"  {describe(cache[size])} ({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return cache[size]


def prefix_list(source: MentionList, size: int, directory: Path) -> MentionList:
    names = source.path.read_text(encoding="utf-8").split("\n")[:size]
    truth_path = source.path.with_suffix(".truth")
    truth = [int(t[1:]) for t in truth_path.read_text(encoding="utf-8").split("\n")[:size]]
    stem = f"{source.path.stem}-head{size}"
    mentions = write_list(directory, stem, names, truth, source.people)
    print(
        f"  first {size:,} lines of the {source.size:,} list: {describe(mentions)}", file=sys.stderr
    )
    return mentions


def plan(args: argparse.Namespace) -> list[tuple[int, bool, bool]]:
    """(size, from the --sizes list, brute force) per size, ascending."""
    sizes = sorted(set(args.sizes))
    extra = sorted(set(args.brute) - set(sizes))
    brute = set(args.brute) | {n for n in sizes if n <= BRUTE_AUTO_MAX}
    steps = [(n, True, n in brute) for n in sizes] + [(n, False, True) for n in extra]
    return sorted(steps)


def build_line() -> str:
    """Which namematch the children run: its version, and compiled or pure Python."""
    probe = "import namematch; print(namematch.__version__, namematch.compiled())"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split()
    build = "compiled with mypyc" if out[1] == "True" else "pure Python"
    return f"namematch {out[0]} ({build}), Python {sys.version.split()[0]}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args._metaphone:
        return metaphone_floor(args._metaphone)
    if args._brute:
        return brute_force(args._brute)
    directory = args.keep or Path(tempfile.mkdtemp(prefix="namematch-speed-"))
    directory.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="namematch-speed-run-"))
    launcher = Launcher(scratch)  # first, while this process is small
    print(f"lists in {directory}; python {sys.executable}", file=sys.stderr)
    print(build_line())
    cache: dict[int, MentionList] = {}
    rows: list[Row] = []
    try:
        for size, listed, brute in plan(args):
            if listed:
                mentions, label = build_list(size, args.seed, directory, cache), f"{size:,}"
            else:
                source = build_list(BRUTE_SOURCE, args.seed, directory, cache)
                mentions, label = prefix_list(source, size, directory), f"{size:,}*"
            rows.append(measure(METAPHONE, mentions, label, args, launcher))
            if listed:
                row = measure(NAMEMATCH, mentions, label, args, launcher)
                if size <= PAIRS_MAX or args.pairs_all:
                    row.pairs = count_candidate_pairs(mentions.path)
                rows.append(row)
                rows.append(measure(NAMEMATCH_JOBS, mentions, label, args, launcher))
                if args.dask:
                    rows.append(measure(NAMEMATCH_DASK, mentions, label, args, launcher))
            if brute:
                rows.append(measure(BRUTE, mentions, label, args, launcher))
    finally:
        launcher.close()
        shutil.rmtree(scratch, ignore_errors=True)
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)
    print(table(rows))
    print()
    print("\n".join(summary(rows)))
    print()
    for mentions in sorted(cache.values(), key=lambda m: m.size):
        print(f"- list {describe(mentions)}")
    if any(label.endswith("*") for label in (r.label for r in rows)):
        print(f"- `*`: the first N lines of the {BRUTE_SOURCE:,} list")
    print(
        f"- {args.repeat} run(s) each; median wall seconds (process start to exit, "
        "including interpreter start-up), max peak RSS; candidate pairs counted by "
        "namematch.resolve.candidate_pairs on the distinct normalized names"
    )
    print(f"\nCommand: `{command_line(argv)}`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
