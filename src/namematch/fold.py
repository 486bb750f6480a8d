"""Transliteration folding: one name part to the *form* that the comparer aligns.

The spelling rules live in ``data/rules.yaml``; this module only applies them: rewrites in
order, doubled symbols collapsed, vowel runs classed. Parts in Arabic script go through
:mod:`namematch.script` instead and come out in the same alphabet.

>>> fold("Mesmari") == fold("Mismari")
False
>>> fold("Gaddafi"), fold("Qadhafi")
('gadafI', 'qaDafI')
>>> fold("Nadhouri")
'naDWrI'
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final

from unidecode import unidecode

from . import script
from .tables import tables

VOWELS: Final = frozenset("aeiouAYWIE")
_NOT_CONSONANTS: Final = VOWELS | {"'", "~", "H"}
SHORT_VOWELS: Final = frozenset("aeio")
_PLAIN_VOWELS: Final = frozenset("aeiou")
_LETTERS: Final = re.compile(r"[^a-z-]+")
_RUN: Final = re.compile(r"[aeiou](?:[aeiou]|y(?=[aeiou])|[yw](?![aeiou]))*")


@dataclass(frozen=True)
class _Rules:
    rewrites: tuple[tuple[re.Pattern[str], str], ...]
    final: tuple[tuple[re.Pattern[str], str], ...]
    runs: tuple[tuple[re.Pattern[str], str], ...]


@functools.cache
def _rules() -> _Rules:
    rules = tables().rules

    def compile_table(rows: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
        return tuple((re.compile(pattern), out) for pattern, out in rows)

    return _Rules(
        rewrites=compile_table(rules.rewrites),
        final=compile_table(rules.final_vowels),
        runs=compile_table(rules.vowel_runs),
    )


def latin(part: str) -> str:
    """Reduce a part to lower-case ASCII letters and "-" boundaries (ayn apostrophes drop).

    >>> latin("Qaḏḏāfī"), latin("Ja'fari")
    ('qaddafi', 'jafari')
    """
    return _LETTERS.sub("", unidecode(part).lower())


def collapse(text: str, keep: frozenset[str] = frozenset()) -> str:
    """Collapse doubled symbols (Haddad = Hadad), except those in ``keep``.

    >>> collapse("haddaad"), collapse("haddaad", frozenset("a"))
    ('hadad', 'hadaad')
    """
    out: list[str] = []
    for char in text:
        if not out or out[-1] != char or char in keep:
            out.append(char)
    return "".join(out)


def _class_run(run: str, is_final: bool, rules: _Rules) -> str:
    if is_final:
        for pattern, out in rules.final:
            if pattern.match(run):
                return out
    for pattern, out in rules.runs:
        if pattern.match(run):
            return out
    return "A"


@functools.lru_cache(maxsize=1 << 18)
def fold(part: str) -> str:
    """Return the folded form of one name part (no spaces; empty if nothing is left).

    >>> fold("Hassan"), fold("Hussein"), fold("Hassani")
    ('hasan', 'hosYn', 'hasanI')
    """
    if script.is_arabic(part):
        return script.fold_arabic(part)
    rules = _rules()
    text = latin(part)
    for pattern, out in rules.rewrites:
        text = pattern.sub(out, text)
    text = text.replace("-", "")
    # Vowels stay doubled until their runs are classed: aa, ee and oo are long vowels.
    text = collapse(text, keep=_PLAIN_VOWELS)
    # A partial, not a closure: compiled code would keep a closure alive in a cycle.
    return collapse(_RUN.sub(functools.partial(_classify, size=len(text), rules=rules), text))


def _classify(match: re.Match[str], size: int, rules: _Rules) -> str:
    """The class of one run of vowel letters in a text of ``size`` characters."""
    is_final = match.end() == size and match.start() > 0
    return _class_run(match.group(0), is_final, rules)


# Small: most joined pairs belong to one name, and each worker process fills its own cache.
@functools.lru_cache(maxsize=1 << 13)
def join_forms(left: str, right: str, article: bool = False) -> str:
    """The form of two adjacent parts written as one word (Nasr Allah = Nasrallah).

    A kept article of the right part (``article``) shows as ``l`` before a vowel
    (Saif al-Islam = Saifulislam).

    >>> join_forms("nasr", "alAH"), join_forms("saYf", "islAm", True)
    ('nasralAH', 'saYflislAm')
    """
    marker = script.UNVOCALIZED if script.UNVOCALIZED in (left[:1], right[:1]) else ""
    left, right = left.lstrip(script.UNVOCALIZED), right.lstrip(script.UNVOCALIZED)
    link = "l" if article and right[:1] in VOWELS and not marker else ""
    return marker + collapse(left + link + right)


# A cached entry weighs about 170 bytes, in each worker process: the forms met often fit.
@functools.lru_cache(maxsize=1 << 16)
def skeleton(form: str) -> str:
    """The coarse consonant skeleton of a folded form (``key_classes`` in rules.yaml):
    what blocking keys are made of, and what the comparison's cheap bound reads.

    >>> skeleton("qaDafI"), skeleton("gadafI"), skeleton("~qDAfI")
    ('kdf', 'kdf', 'kdf')
    """
    classes = _skeleton_classes()
    letters: list[str] = []
    last = ""
    for symbol in form:  # one pass: a name prepared reads the skeletons of a dozen forms
        letter = classes.get(symbol, symbol)
        if letter and letter != last:
            letters.append(letter)
            last = letter
    return "".join(letters)


@functools.cache
def _skeleton_classes() -> dict[str, str]:
    """Each symbol's letter in a skeleton: its key class, or "" where the skeleton drops it
    (vowels and markers); other symbols stand for themselves."""
    return {**tables().rules.key_classes, **dict.fromkeys(_NOT_CONSONANTS, "")}
