"""Speed benchmark: ``namematch resolve`` end to end on synthetic mention lists, against a
phonetic-key floor and rapidfuzz brute force.

Usage (from the repository root)::

    python benchmarks/speed.py                                  # 10k, 100k, 1M; 3 runs each
    python benchmarks/speed.py --sizes 10000 100000 --repeat 1  # quicker
    python benchmarks/speed.py --sizes 1000000 --repeat 1 --brute   # no brute-force runs
    python benchmarks/speed.py --keep /tmp/names --seed 11      # keep the generated lists
    python benchmarks/speed.py --sizes 100000 --pairs-all --timeout 300
    python benchmarks/speed.py --sizes 100000 1000000 --brute --profile default longtail \
        --stages --save run.json                                # both profiles, stage tables
    python benchmarks/speed.py --render run.json                # the tables again

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

``--profile longtail`` draws a list where most lines are distinct: ``size / 4`` people, a
flatter Zipf law (exponent 0.8), and every mention spelled anew (a new drift of the
person's name for 55% of the mentions, the person's usual spelling for the rest) rather
than picked from a few spellings per person; 15% are the family name alone, 5% the given
name's initial and the family name ("M. al-Rashidi"), 80% of the people have a title and
half of their mentions carry one.  At 1M it has about 66% distinct lines (the default
profile 14%).  Both profiles go in one table (``--profile default longtail``).

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

Times are the median of ``--repeat`` runs (the ``-j 1`` and ``-j 2`` runs take turns),
peak RSS the maximum.  A sampler thread in the launcher also reads ``/proc/PID/smaps_rollup``
of the child and its descendants every 0.25 s (more often in the first two seconds): the peak
of their summed PSS is the memory of the whole process tree, with pages that forked workers
share counted once.

``--stages`` runs the two namematch runs through a stage-timing child (``--_stages``): it
reads, resolves and writes exactly as ``namematch resolve`` does, and times each stage from
``namematch.resolve``'s progress callback (normalize, parse, keys, pairs, compare, cluster;
each from the previous stage's last report to its own), then building the result rows and
writing them.  Per stage it records wall seconds, CPU seconds of the main process
(``RUSAGE_SELF``) and of the reaped worker processes (``RUSAGE_CHILDREN``) and the resident
set at the stage's end.  The stage table gives medians of those, and the serial share: the
main process's time outside worker calls at ``-j 2`` over the ``-j 1`` time, by wall and by
CPU seconds (the latter holds up when other work loads the machine).  On the pure-Python
build the cluster stage is split further (settling conflicts, union-find, one-part names,
canonical names) by wrapping the functions ``resolve.entities`` calls.  After the timed runs
the parent counts namematch's candidate pairs on the distinct normalized names
(``namematch.resolve.candidate_pairs``), for sizes up to 100,000 unless ``--pairs-all``.
The table goes to stdout, progress to stderr.  The children import namematch as installed:
a wheel (``pip install .``) runs compiled with mypyc, an editable install or a source tree
runs pure Python; the first line of the output says which.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import random
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
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
# The long-tail profile: many more people, a flatter Zipf law, each mention spelled anew.
LONGTAIL_PEOPLE_PER_MENTION = 1 / 4
LONGTAIL_ZIPF_EXPONENT = 0.8
LONGTAIL_CANONICAL = 0.45  # chance that a mention uses the person's usual spelling

PSS_EVERY = 0.25  # seconds between two samples of a process tree's PSS
STAGES_MARK = "namematch-stages: "  # starts the stage-timing child's last stderr line
# The stages as the stage-timing child reports them, in order: startup (interpreter start,
# imports, reading the file, the alias table), then each stage namematch.resolve reports
# through its progress callback, timed from the previous stage's end to the stage's last
# report (so work between two stages counts to the second), then building the result
# rows and writing them (namematch.cli.write_rows, as ``namematch resolve`` does).
STAGES = ("startup", "normalize", "parse", "keys", "pairs", "compare", "cluster", "rows",
          "output")
# The stages whose work is handed to worker processes with -j N (the main process hands
# out slices and gathers what the workers send back).
WORKER_STAGES = frozenset({"parse", "keys", "pairs", "compare", "cluster"})
# The cluster stage split further on the pure-Python build (``--stages`` with an editable
# install): settling conflicts (compare.outcome called by resolve.entities), joining
# one-part mentions, canonical names and their scores, and the rest (union-find, edges).
CLUSTER_PARTS = ("settle conflicts", "union-find + edges", "attach one-part names",
                 "canonical names")

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


def make_person(
    rng: random.Random, given_cum: list[float], titled: float | None = None
) -> Person:
    """A person; ``titled`` is the chance of having one or two titles (None: 0, 1 or 2
    titles with chances 2/5, 2/5, 1/5, as the default profile always drew them)."""

    def given() -> str:
        return rng.choices(GIVEN_NAMES, cum_weights=given_cum)[0]

    nasab = rng.random() < 0.05
    father = given() if nasab or rng.random() < 0.45 else ""
    if titled is None:
        how_many = rng.choice((0, 0, 1, 1, 2))
    else:
        how_many = 0 if rng.random() >= titled else rng.choice((1, 1, 2))
    titles = tuple(rng.sample(TITLES, how_many))
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


def longtail_mention(person: Person, rng: random.Random) -> str:
    """A mention of the long-tail profile: spelled anew for each mention (an outlet's own
    transliteration), and more often partial or titled than :func:`mention`."""
    if not person.spellings:
        person.spellings.append(new_spelling(person, rng))  # the canonical spelling
    if rng.random() < LONGTAIL_CANONICAL:
        given, father, family = person.spellings[0]
    else:
        given, father, family = new_spelling(person, rng)  # drawn per mention, not kept
    roll = rng.random()
    if roll < 0.15:  # the family name alone, usually without its article
        text = family.replace("-", " ").split()[-1] if rng.random() < 0.6 else family
    elif roll < 0.20:  # the given name's initial: "M. al-Rashidi"
        text = f"{given[0]}. {family}"
    elif father and not person.nasab and roll < 0.55:
        text = f"{given} {family}"  # the father's name left out
    else:
        text = " ".join(part for part in (given, father, family) if part)
    if person.titles and rng.random() < 0.5:
        text = f"{rng.choice(person.titles)} {text}"
    case = rng.random()
    return text.upper() if case < 0.02 else text.lower() if case < 0.03 else text


@dataclass(frozen=True)
class Profile:
    """How a mention list is drawn: people per mention, their Zipf exponent, and how one
    mention of a person is written."""

    name: str
    people_per_mention: float
    zipf_exponent: float
    titled_share: float | None  # people with a title (None: the default draw)
    mention: Callable[[Person, random.Random], str]


PROFILES = {
    "default": Profile("default", PEOPLE_PER_MENTION, ZIPF_EXPONENT, None, mention),
    "longtail": Profile("longtail", LONGTAIL_PEOPLE_PER_MENTION, LONGTAIL_ZIPF_EXPONENT,
                        0.8, longtail_mention),
}


@dataclass(frozen=True)
class MentionList:
    profile: str
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


def generate(
    size: int, seed: int, profile: Profile = PROFILES["default"]
) -> tuple[list[str], list[int], int]:
    """``size`` mentions and the person index of each; also the number of people."""
    rng = random.Random(seed)
    given_cum = zipf_cumulative(len(GIVEN_NAMES), GIVEN_EXPONENT)
    count = max(1, round(size * profile.people_per_mention))
    people = [make_person(rng, given_cum, profile.titled_share) for _ in range(count)]
    zipf_cum = zipf_cumulative(len(people), profile.zipf_exponent)
    truth = rng.choices(range(len(people)), cum_weights=zipf_cum, k=size)
    names = [profile.mention(people[who], rng) for who in truth]
    return names, truth, len(people)


def write_list(
    directory: Path, stem: str, names: list[str], truth: list[int], people: int,
    profile: str = "default",
) -> MentionList:
    path = directory / f"{stem}.txt"
    path.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
    (directory / f"{stem}.truth").write_text("".join(f"P{t}\n" for t in truth), encoding="utf-8")
    top = Counter(truth).most_common(1)[0][1] if truth else 0
    return MentionList(
        profile=profile,
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
        f"{mentions.profile}: {mentions.size:,} mentions: {mentions.people:,} people "
        f"({mentions.mentioned:,} mentioned, the top one {mentions.top_share:.1%} of lines), "
        f"{mentions.distinct:,} "
        f"distinct strings ({mentions.distinct / max(1, mentions.size):.1%}; "
        f"{mentions.distinct_folded:,} ignoring case)"
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


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its reaped children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


class StageClock:
    """Wall and CPU seconds per stage: each :meth:`lap` closes the stage it names."""

    def __init__(self) -> None:
        self.stages: dict[str, dict[str, float]] = {}
        self.last = (time.perf_counter(), *cpu_seconds())

    def lap(self, stage: str) -> None:
        now = (time.perf_counter(), *cpu_seconds())
        wall, main, workers = (b - a for a, b in zip(self.last, now, strict=True))
        spent = self.stages.setdefault(stage, {"wall": 0.0, "main_cpu": 0.0, "worker_cpu": 0.0})
        spent["wall"] += wall
        spent["main_cpu"] += main
        spent["worker_cpu"] += workers
        spent["rss_mb"] = resident_mb()  # the main process's, at the stage's end
        spent["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.last = now


def resident_mb() -> float:
    """This process's resident set now (MB), from /proc/self/statm (0 elsewhere)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            pages = int(handle.read().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def split_cluster(clock: dict[str, float]) -> None:
    """On the pure-Python build, time the parts of cluster.entities by wrapping the
    functions it looks up at call time (a compiled build calls them directly: no split)."""
    import importlib

    module = importlib.import_module("namematch.cluster")

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if clock.get("inside"):
                return function(*args, **kwargs)  # an outcome() within _canonical
            clock["inside"] = 1
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                clock[name] = clock.get(name, 0.0) + time.perf_counter() - start
                clock["inside"] = 0

        return wrapper

    # Possible conflicts are settled when a union meets them, by calling a _Settle.
    module._Settle.__call__ = timed("settle conflicts", module._Settle.__call__)
    attach = module._attach_single_mentions
    module._attach_single_mentions = timed(  # type: ignore[attr-defined]
        "attach one-part names", attach)
    module._canonical = timed("canonical names", module._canonical)  # type: ignore[attr-defined]


def stage_child(path: Path, jobs: int) -> int:
    """``namematch resolve PATH -j JOBS`` as the CLI runs it, timing each stage; the rows to
    stdout, the stages as JSON on the last stderr line."""
    clock = StageClock()
    import namematch
    from namematch.cli import read_lines, write_rows

    names = read_lines(str(path))
    table = namematch.load_aliases()
    clock.lap("startup")
    parts: dict[str, float] = {}
    if not namematch.compiled():
        split_cluster(parts)

    def progress(stage: str, done: int, total: int) -> None:
        if done == total:
            clock.lap(stage)
        elif stage == "cluster" and done == 0:
            clock.lap("compare")  # the worker pool's teardown, before clustering starts

    rows = namematch.resolve(names, aliases=table, jobs=jobs, progress=progress)
    clock.lap("rows")
    sys.stdout.reconfigure(encoding="utf-8", newline="")  # type: ignore[union-attr]
    write_rows(rows, "tsv", sys.stdout)
    sys.stdout.flush()
    clock.lap("output")
    if "cluster" in clock.stages and parts:
        named = sum(v for k, v in parts.items() if k != "inside")
        for part in CLUSTER_PARTS:
            if part != "union-find + edges":
                clock.stages[f"cluster: {part}"] = {"wall": parts.get(part, 0.0)}
        rest = clock.stages["cluster"]["wall"] - named
        clock.stages["cluster: union-find + edges"] = {"wall": rest}
    print(STAGES_MARK + json.dumps(clock.stages), file=sys.stderr)
    return 0


# ----------------------------------------------------------------------------- runner


@dataclass(frozen=True)
class Run:
    seconds: float
    rss_kib: int  # peak RSS of the largest process (wait4)
    pss_kib: int  # peak of the process tree's summed PSS, sampled
    status: str  # "ok", "timeout (>S s)" or "exit N"
    stdout: str
    stderr: str
    cpu: float = 0.0  # CPU seconds (user + system) of the child and its reaped workers

    @property
    def stages(self) -> dict[str, dict[str, float]]:
        """What a stage-timing child (``--_stages``) reported, or nothing."""
        for line in reversed(self.stderr.splitlines()):
            if line.startswith(STAGES_MARK):
                stages: dict[str, dict[str, float]] = json.loads(line[len(STAGES_MARK):])
                return stages
        return {}


@dataclass
class Row:
    size: int
    label: str
    system: str
    runs: list[Run]
    pairs: str = ""
    quality: str = ""
    profile: str = "default"

    @property
    def failure(self) -> str:
        return next((r.status for r in self.runs if r.status != "ok"), "")

    @property
    def seconds(self) -> float | None:
        if self.failure or not self.runs:
            return None
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu(self) -> float | None:
        """Median CPU seconds of a run, the workers' included: unlike wall time it hardly
        moves when other work loads the machine."""
        spent = [r.cpu or sum(v.get("main_cpu", 0.0) + v.get("worker_cpu", 0.0)
                              for k, v in r.stages.items() if k in STAGES) for r in self.runs]
        if self.failure or not spent or not all(spent):
            return None
        return statistics.median(spent)

    @property
    def rss_mb(self) -> float:
        return max((r.rss_kib for r in self.runs), default=0) / 1024

    @property
    def pss_mb(self) -> float:
        return max((r.pss_kib for r in self.runs), default=0) / 1024


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it, from the parent ids in ``/proc/*/stat``."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue  # gone meanwhile
        parent = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        here = todo.pop()
        tree.append(here)
        todo.extend(children.get(here, ()))
    return tree


def tree_pss_kib(pid: int) -> int:
    """The summed PSS (KiB) of ``pid`` and its descendants: pages that forked workers
    share with their parent count once, split between them."""
    total = 0
    for member in descendants(pid):
        try:
            with open(f"/proc/{member}/smaps_rollup", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


class PssSampler:
    """Samples a process tree's summed PSS every ``PSS_EVERY`` seconds; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        if not os.path.exists("/proc/self/smaps_rollup"):
            return  # not Linux: no PSS column
        start = time.perf_counter()
        # densely at first, so that short runs get samples too
        while not self.stopped.wait(PSS_EVERY if time.perf_counter() - start > 2 else 0.02):
            self.peak = max(self.peak, tree_pss_kib(self.pid))

    def stop(self) -> int:
        self.stopped.set()
        self.thread.join()
        return self.peak


def run_child(command: list[str], timeout: float, scratch: Path) -> Run:
    """Run one child; wall time, peak RSS (KiB) from wait4, peak summed PSS of its process
    tree (sampled), and its status."""
    out_path, err_path = scratch / "child.out", scratch / "child.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        sampler = PssSampler(proc.pid)
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
        pss = sampler.stop()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped by wait4; keep Popen from waiting again
    verdict = "ok" if code == 0 else f"exit {code}"
    if timed_out.is_set():
        verdict = f"timeout (>{timeout:g} s)"
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, usage.ru_maxrss, pss, verdict, stdout, stderr, cpu)


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


def commands(system: str, path: Path, stages: bool = False) -> list[str]:
    """The child's command line; with ``stages`` the two local namematch runs go through
    the stage-timing child (the CLI's reading, resolving and writing, with stage clocks)."""
    script = [sys.executable, str(Path(__file__).resolve())]
    if stages and system in (NAMEMATCH, NAMEMATCH_JOBS):
        return [*script, "--_stages", str(path), "--_jobs", "1" if system == NAMEMATCH else "2"]
    if system in (NAMEMATCH, NAMEMATCH_JOBS, NAMEMATCH_DASK):
        jobs = {NAMEMATCH: ["-j", "1"], NAMEMATCH_JOBS: ["-j", "2"],
                NAMEMATCH_DASK: ["--engine", "dask", "-j", "2"]}[system]
        return [sys.executable, "-m", "namematch.cli", "resolve", str(path), "--quiet", *jobs]
    mode = "--_metaphone" if system == METAPHONE else "--_brute"
    return [*script, mode, str(path)]


def measure(
    system: str, mentions: MentionList, label: str, args: argparse.Namespace, launcher: Launcher
) -> Row:
    return measure_alternating((system,), mentions, label, args, launcher)[0]


def measure_alternating(
    systems: Sequence[str], mentions: MentionList, label: str, args: argparse.Namespace,
    launcher: Launcher, checkpoint: Callable[[list[Row]], None] | None = None,
) -> list[Row]:
    """``--repeat`` runs of each system, taking turns (A B A B ...), so that a change in
    the machine's load falls on all of them alike; a system stops at its first failure.
    ``checkpoint`` hears the rows so far after every run."""
    rows = [Row(mentions.size, label, system, [], profile=mentions.profile) for system in systems]
    for attempt in range(1, args.repeat + 1):
        for row in rows:
            if row.failure:
                continue
            print(f"  {row.system} on {mentions.profile} {label}: run {attempt}/{args.repeat} "
                  f"(load {os.getloadavg()[0]:.1f}) ...", file=sys.stderr)
            run = launcher.run(commands(row.system, mentions.path, args.stages), args.timeout)
            row.runs.append(run)
            tail = " | ".join(run.stderr.strip().splitlines()[-3:])
            detail = f"; stderr: {tail}" if run.status != "ok" and tail else ""
            print(
                f"    {run.status}, {run.seconds:.2f} s, {run.rss_kib / 1024:.0f} MB RSS, "
                f"{run.pss_kib / 1024:.0f} MB tree PSS{detail}",
                file=sys.stderr,
            )
            if checkpoint is not None:
                checkpoint(rows)
    for row in rows:
        if row.system == BRUTE and not row.failure:
            row.pairs = row.runs[-1].stdout.strip()
        if row.system == NAMEMATCH and not row.failure:
            truth = mentions.path.with_suffix(".truth")
            row.quality = pair_quality(row.runs[-1].stdout, truth)
    return rows


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
    return (row.failure or "-") if row.seconds is None else f"{row.seconds:.2f}"


def table(rows: list[Row]) -> str:
    floors = {(r.profile, r.label): r.seconds for r in rows if r.system == METAPHONE}
    cpu_floors = {(r.profile, r.label): r.cpu for r in rows if r.system == METAPHONE}
    lines = [
        "| profile | size | system | median s | names/s | median CPU s | peak RSS MB "
        "| peak tree PSS MB | candidate pairs | x metaphone | x metaphone (CPU) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in sorted(rows, key=lambda r: (r.size, r.label.endswith("*"), r.profile)):
        seconds, floor = row.seconds, floors.get((row.profile, row.label))
        cpu, cpu_floor = row.cpu, cpu_floors.get((row.profile, row.label))
        rate = f"{row.size / seconds:,.0f}" if seconds else "-"
        times = f"{seconds / floor:.1f}" if seconds and floor else "-"
        cpu_times = f"{cpu / cpu_floor:.1f}" if cpu and cpu_floor else "-"
        pairs = row.pairs if row.system == NAMEMATCH else "-"
        lines.append(
            f"| {row.profile} | {row.label} | {row.system} | {cell_seconds(row)} | {rate} "
            f"| {f'{cpu:.2f}' if cpu else '-'} | {row.rss_mb:,.0f} | {row.pss_mb:,.0f} "
            f"| {pairs or '-'} | {times} | {cpu_times} |"
        )
    return "\n".join(lines)


def stage_medians(row: Row) -> dict[str, dict[str, float]]:
    """Per stage and measure, the median over the row's runs (the stages of one run are
    from one process; medians of stages need not add up to the median total)."""
    runs = [r.stages for r in row.runs if r.stages]
    if not runs:
        return {}
    medians: dict[str, dict[str, float]] = {}
    for stage in runs[0]:
        for measure_name in runs[0][stage]:
            values = [r[stage][measure_name] for r in runs if stage in r]
            medians.setdefault(stage, {})[measure_name] = statistics.median(values)
    # startup as seen from outside: the process's wall time less its timed stages
    totals = [r.seconds - sum(v["wall"] for k, v in r.stages.items()
                              if k in STAGES and k != "startup") for r in row.runs if r.stages]
    medians.setdefault("startup", {})["wall"] = statistics.median(totals)
    return medians


def stage_table(one: Row, two: Row) -> list[str]:
    """The stage table of one list: -j 1 and -j 2 wall seconds, and at -j 2 the CPU
    seconds of the main process and of the worker processes."""
    first, second = stage_medians(one), stage_medians(two)
    if not first or not second:
        return []
    cpu_one = sum(v.get("main_cpu", 0.0) for k, v in first.items() if k in STAGES)
    lines = [
        f"{one.profile}, {one.label} mentions (medians of {len(one.runs)}):",
        "",
        "| stage | runs in (-j 2) | -j 1 wall s | -j 1 CPU s | share of -j 1 CPU "
        "| -j 2 wall s | -j 2 main CPU s | -j 2 workers CPU s | -j 1 RSS at end MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def cell(values: dict[str, float], key: str) -> str:
        return f"{values[key]:.2f}" if key in values else "-"

    for stage in [*STAGES, *(f"cluster: {p}" for p in CLUSTER_PARTS)]:
        a, b = first.get(stage), second.get(stage)
        if a is None or b is None:
            continue
        where = "workers + main" if stage in WORKER_STAGES else "main"
        share = f"{a['main_cpu'] / cpu_one:.1%}" if cpu_one and "main_cpu" in a else "-"
        rss = f"{a['rss_mb']:,.0f}" if "rss_mb" in a else "-"
        lines.append(f"| {stage} | {where} | {a['wall']:.2f} | {cell(a, 'main_cpu')} | {share} "
                     f"| {b['wall']:.2f} | {cell(b, 'main_cpu')} | {cell(b, 'worker_cpu')} "
                     f"| {rss} |")
    cpu_two = sum(v.get("main_cpu", 0.0) for k, v in second.items() if k in STAGES)
    workers_two = sum(v.get("worker_cpu", 0.0) for k, v in second.items() if k in STAGES)
    lines.append(f"| total | | {one.seconds or 0:.2f} | {cpu_one:.2f} | 100% "
                 f"| {two.seconds or 0:.2f} | {cpu_two:.2f} | {workers_two:.2f} "
                 f"| {one.rss_mb:,.0f} (peak) |")
    lines.append("")
    lines.extend(serial_share(one, two, first, second))
    return lines


def serial_share(
    one: Row, two: Row, first: dict[str, dict[str, float]], second: dict[str, dict[str, float]]
) -> list[str]:
    """Time in the main process outside worker calls at -j 2: its wall time in the stages
    it runs alone, plus its CPU time in the stages its workers share; as a share of -j 1."""
    if not one.seconds or not two.seconds:
        return []
    cpu_one = sum(v.get("main_cpu", 0.0) for k, v in first.items() if k in STAGES)
    cpu_main_two = sum(v.get("main_cpu", 0.0) for k, v in second.items() if k in STAGES)
    compare_one = sum(first[s].get("main_cpu", 0.0) for s in WORKER_STAGES if s in first)
    parallel = sum(second[s]["wall"] for s in WORKER_STAGES if s in second)
    main_during = sum(second[s].get("main_cpu", 0.0) for s in WORKER_STAGES if s in second)
    serial = two.seconds - parallel + main_during
    workers = sum(second[s].get("worker_cpu", 0.0) for s in WORKER_STAGES if s in second)
    alone = sum(first[s]["wall"] for s in WORKER_STAGES if s in first)
    return [
        f"- serial share at -j 2: {serial:.2f} s in the main process outside worker calls "
        f"({two.seconds - parallel:.2f} s of stages it runs alone + {main_during:.2f} s CPU "
        f"in the workers' stages) = {serial / one.seconds:.1%} of the -j 1 time "
        f"({one.seconds:.2f} s)",
        f"- the stages in workers (parse, keys, pairs, compare, cluster): {alone:.2f} s at "
        f"-j 1, {parallel:.2f} s wall at -j 2 with {workers:.2f} s CPU in the workers; "
        f"-j 2 / -j 1 overall = {two.seconds / one.seconds:.2f}",
        f"- Amdahl bound from this split: with unlimited workers >= {serial:.1f} s, "
        f"speed-up <= {one.seconds / serial:.1f}x over -j 1",
        f"- by CPU time (robust to other load on the machine): the main process at -j 2 "
        f"uses {cpu_main_two:.2f} s CPU = {cpu_main_two / max(cpu_one, 1e-9):.1%} of the -j 1 "
        f"process's {cpu_one:.2f} s; the workers use {workers:.2f} s CPU for stages that "
        f"take {compare_one:.2f} s CPU in one process "
        f"({workers / max(compare_one, 1e-9):.2f}x: each worker prepares its own names)",
    ]


def summary(rows: list[Row]) -> list[str]:
    out: list[str] = []
    floors = {(r.profile, r.label): r.seconds for r in rows if r.system == METAPHONE}
    for row in (r for r in rows if r.system in (NAMEMATCH, NAMEMATCH_JOBS, NAMEMATCH_DASK)):
        floor = floors.get((row.profile, row.label))
        ratio = f"{row.seconds / floor:.1f}x" if row.seconds and floor else cell_seconds(row)
        out.append(f"- {row.profile} {row.label}: {row.system}/metaphone = {ratio}")
    for profile in dict.fromkeys(r.profile for r in rows):
        ours = [r for r in rows if r.system == NAMEMATCH and r.profile == profile]
        for small, big in itertools.pairwise(ours):
            if small.seconds and big.seconds:
                by_cpu = (f", CPU {big.cpu / small.cpu:.1f}" if big.cpu and small.cpu else "")
                out.append(
                    f"- {profile}: growth namematch time({big.label})/time({small.label}) = "
                    f"{big.seconds / small.seconds:.1f}{by_cpu} for {big.size / small.size:g}x "
                    "the names"
                )
    for row in (r for r in rows if r.system == NAMEMATCH and r.quality):
        out.append(f"- {row.profile} {row.label}: namematch against the generator's people: "
                   f"{row.quality}")
    for row in (r for r in rows if r.system == BRUTE and r.pairs):
        out.append(f"- {row.profile} {row.label}: rapidfuzz brute: {int(row.pairs):,} pairs "
                   f">= {BRUTE_CUTOFF}")
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
    parser.add_argument(
        "--profile",
        nargs="+",
        choices=sorted(PROFILES),
        default=["default"],
        help="mention list profiles, reported in one table: default (a few people "
        "mentioned very often) and/or longtail (most lines distinct) (default: default)",
    )
    parser.add_argument(
        "--stages",
        action="store_true",
        help="time the -j 1 and -j 2 runs stage by stage (CPU of the main process and of "
        "the workers too) and print a stage table per list",
    )
    parser.add_argument("--save", type=Path, metavar="FILE",
                        help="also write the measurements as JSON (for --render)")
    parser.add_argument("--render", type=Path, metavar="FILE",
                        help="print the tables of a run saved with --save, measure nothing")
    parser.add_argument("--_metaphone", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_stages", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_jobs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--_brute", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1 or any(n < 1 for n in args.sizes + args.brute):
        parser.error("--repeat and sizes must be positive")
    if any(n > BRUTE_SOURCE and n not in args.sizes for n in args.brute):
        parser.error(f"a --brute size not in --sizes must be at most {BRUTE_SOURCE}")
    return args


def build_list(
    profile: str, size: int, seed: int, directory: Path,
    cache: dict[tuple[str, int], MentionList],
) -> MentionList:
    if (profile, size) not in cache:
        print(f"generating {size:,} {profile} mentions (seed {seed}) ...", file=sys.stderr)
        start = time.perf_counter()
        names, truth, people = generate(size, seed, PROFILES[profile])
        stem = f"names-{size}" if profile == "default" else f"{profile}-{size}"
        mentions = write_list(directory, stem, names, truth, people, profile)
        cache[profile, size] = mentions
        print(f"  {describe(mentions)} ({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return cache[profile, size]


def prefix_list(source: MentionList, size: int, directory: Path) -> MentionList:
    names = source.path.read_text(encoding="utf-8").split("\n")[:size]
    truth_path = source.path.with_suffix(".truth")
    truth = [int(t[1:]) for t in truth_path.read_text(encoding="utf-8").split("\n")[:size]]
    stem = f"{source.path.stem}-head{size}"
    mentions = write_list(directory, stem, names, truth, source.people, source.profile)
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


def measure_list(
    profile: str, size: int, listed: bool, brute: bool, args: argparse.Namespace,
    launcher: Launcher, directory: Path, cache: dict[tuple[str, int], MentionList],
    checkpoint: Callable[[list[Row]], None] | None = None,
) -> list[Row]:
    """The rows of one list (one profile and size); ``checkpoint`` hears the namematch rows
    so far after every run of them."""
    rows: list[Row] = []
    if listed:
        mentions = build_list(profile, size, args.seed, directory, cache)
        label = f"{size:,}"
    else:
        source = build_list(profile, BRUTE_SOURCE, args.seed, directory, cache)
        mentions, label = prefix_list(source, size, directory), f"{size:,}*"
    rows.append(measure(METAPHONE, mentions, label, args, launcher))
    if listed:
        def with_floor(partial: list[Row]) -> None:
            if checkpoint is not None:
                checkpoint(rows + partial)

        one, two = measure_alternating((NAMEMATCH, NAMEMATCH_JOBS), mentions, label, args,
                                       launcher, with_floor)
        if size <= PAIRS_MAX or args.pairs_all:
            one.pairs = count_candidate_pairs(mentions.path)
        rows.extend((one, two))
        if args.dask:
            rows.append(measure(NAMEMATCH_DASK, mentions, label, args, launcher))
    if brute:
        rows.append(measure(BRUTE, mentions, label, args, launcher))
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args._metaphone:
        return metaphone_floor(args._metaphone)
    if args._brute:
        return brute_force(args._brute)
    if args._stages:
        return stage_child(args._stages, args._jobs)
    if args.render:
        return render(args.render)
    directory = args.keep or Path(tempfile.mkdtemp(prefix="namematch-speed-"))
    directory.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="namematch-speed-run-"))
    launcher = Launcher(scratch)  # first, while this process is small
    print(f"lists in {directory}; python {sys.executable}", file=sys.stderr)
    print(build_line())
    cache: dict[tuple[str, int], MentionList] = {}
    rows: list[Row] = []
    try:
        for (size, listed, brute), profile in itertools.product(plan(args), args.profile):

            def checkpoint(partial: list[Row]) -> None:
                if args.save:  # after every run: a long run stopped early keeps what it has
                    lists = [describe(m) for m in cache.values()]
                    save(args.save, rows + partial, lists, command_line(argv))

            rows.extend(measure_list(profile, size, listed, brute, args, launcher, directory,
                                     cache, checkpoint))
            checkpoint([])
    finally:
        launcher.close()
        shutil.rmtree(scratch, ignore_errors=True)
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)
    lists = [describe(m) for m in sorted(cache.values(), key=lambda m: (m.size, m.profile))]
    if args.save:
        save(args.save, rows, lists, command_line(argv))
    report(rows, lists, command_line(argv))
    return 0


def report(rows: list[Row], lists: list[str], command: str) -> None:
    """The tables and notes of a benchmark run, to stdout."""
    print(table(rows))
    print()
    print("\n".join(summary(rows)))
    print()
    for one in (r for r in rows if r.system == NAMEMATCH):
        two = next((r for r in rows if r.system == NAMEMATCH_JOBS
                    and (r.profile, r.label) == (one.profile, one.label)), None)
        lines = stage_table(one, two) if two else []
        if lines:
            print("\n".join([*lines, ""]))
    for text in lists:
        print(f"- list {text}")
    if any(label.endswith("*") for label in (r.label for r in rows)):
        print(f"- `*`: the first N lines of the {BRUTE_SOURCE:,} list")
    repeats = max((len(r.runs) for r in rows), default=0)
    print(
        f"- {repeats} run(s) each; median wall seconds (process start to exit, "
        "including interpreter start-up), max peak RSS of the largest process, max of the "
        f"sampled (every {PSS_EVERY:g} s) summed PSS of the process tree; candidate pairs "
        "counted by namematch.resolve.candidate_pairs on the distinct normalized names"
    )
    print(f"\nCommand: `{command}`")


def save(path: Path, rows: list[Row], lists: list[str], command: str) -> None:
    """The measurements (not the children's outputs) as JSON, for ``--render``."""
    data = {
        "build": build_line(),
        "command": command,
        "lists": lists,
        "rows": [
            {
                "size": r.size, "label": r.label, "system": r.system, "profile": r.profile,
                "pairs": r.pairs, "quality": r.quality,
                "runs": [{"seconds": u.seconds, "rss_kib": u.rss_kib, "pss_kib": u.pss_kib,
                          "status": u.status, "stages": u.stages, "cpu": u.cpu}
                         for u in r.runs],
            }
            for r in rows
        ],
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def render(path: Path) -> int:
    """Print the tables of a run saved with ``--save``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        Row(r["size"], r["label"], r["system"],
            [Run(u["seconds"], u["rss_kib"], u["pss_kib"], u["status"], "",
                 STAGES_MARK + json.dumps(u["stages"]) if u["stages"] else "",
                 u.get("cpu", 0.0))
             for u in r["runs"]],
            r["pairs"], r["quality"], r["profile"])
        for r in data["rows"]
    ]
    print(data["build"])
    report(rows, data["lists"], data["command"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
