"""Split a name into parts: strip titles, tag articles and particles, join compounds.

>>> name = parse("Brig. Gen. Ahmed al-Mesmari")
>>> name.titles
('brig gen',)
>>> [(p.text, p.role) for p in name.parts]
[('ahmed', 'given'), ('al-mesmari', 'family')]
>>> [p.text for p in parse("MESMARI, Ahmed").parts]
['ahmed', 'mesmari']
>>> [p.text for p in parse("Abdul Razek al-Nadoori").parts]
['abdul razek', 'al-nadoori']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final, NamedTuple

from ._pickling import by_fields
from .fold import fold, latin
from .normalize import normalize
from .script import is_arabic, strip_article
from .tables import tables

_TOKEN_JUNK: Final = re.compile(r"[^\w']+")
_ARABIC_ARTICLE: Final = "ال"
_INITIALS: Final = re.compile(r"(?:[^\W\d_]\.){1,3}|[^\W\d_]")


@dataclass(frozen=True)
class Part:
    """One name part: a word or a joined compound (Abu Bakr, Abdul Razek).

    ``text`` is the normalized spelling as written, ``form`` its folded form, ``role`` one of
    ``given``, ``middle``, ``family``, ``kunya`` or ``single`` (the only part of a name).
    """

    text: str
    form: str
    role: str
    article: bool = False

    @functools.cached_property
    def initials(self) -> bool:
        """Whether the part is only initials (H.A., M., J), short for parts written out
        elsewhere.

        >>> parse("Hamid A. H. al-Ahmar").parts[1].initials, parse("Hamid Ali").parts[1].initials
        (True, False)
        """
        text = self.text
        return ("." in text or len(text) == 1) and _INITIALS.fullmatch(text) is not None

    def __reduce__(self) -> tuple[type[Part], tuple[object, ...]]:
        return by_fields(self)


@dataclass(frozen=True)
class Name:
    """A parsed name: the normalized text, its parts in order, and the stripped titles."""

    text: str
    parts: tuple[Part, ...]
    titles: tuple[str, ...] = ()
    patronymic: bool = False
    """Whether the name spells a nasab with bin, ibn or bint."""

    @property
    def forms(self) -> tuple[str, ...]:
        """The folded forms of the parts, in order."""
        return tuple(p.form for p in self.parts)

    @functools.cached_property
    def initials(self) -> bool:
        """Whether any part is only initials (see :attr:`Part.initials`)."""
        return any(p.initials for p in self.parts)

    def __reduce__(self) -> tuple[type[Name], tuple[object, ...]]:
        return by_fields(self)


@dataclass(frozen=True)
class _Lexicon:
    titles: dict[tuple[str, ...], bool]  # title words -> ambiguous?
    longest_title: int
    articles: frozenset[str]
    sun_articles: frozenset[str]
    patronymics: frozenset[str]
    kunyas: frozenset[str]
    compounds: frozenset[str]
    joined_article: re.Pattern[str]


@functools.cache
def _lexicon() -> _Lexicon:
    data = tables().names
    titles = {tuple(t.split()): False for t in data.titles}
    titles |= {tuple(t.split()): True for t in data.ambiguous_titles}
    return _Lexicon(
        titles=titles,
        longest_title=max(len(t) for t in titles),
        articles=frozenset(data.articles),
        sun_articles=frozenset(data.sun_articles),
        patronymics=frozenset(data.patronymics),
        kunyas=frozenset(data.kunyas),
        compounds=frozenset(data.compounds),
        joined_article=re.compile("^(?:" + "|".join(data.joined_articles) + ")(?=[a-z']{4,}$)"),
    )


class _Token(NamedTuple):  # a tuple: built for every word of every name
    word: str  # letters and apostrophes only
    written: str  # as written, hyphen included when the next token was hyphen-joined
    hyphen_after: bool


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for chunk in text.split(" "):
        pieces = chunk.split("-")
        for i, piece in enumerate(pieces):
            # \w is what str.isalnum() accepts, and "_": such a word has nothing to drop.
            word = piece if piece.isalnum() else _TOKEN_JUNK.sub("", piece).replace("_", "")
            if not word.strip("'"):
                continue
            joined = i + 1 < len(pieces)
            tokens.append(_Token(word.strip("'"), piece + ("-" if joined else ""), joined))
    return tokens


def _reorder(text: str) -> str:
    """Turn list order "SURNAME, Given" into "Given SURNAME"."""
    if text.count(",") == 1:
        family, given = (s.strip() for s in text.split(","))
        if family and given:
            return f"{given} {family}"
    return text.replace(",", " ")


def _strip_titles(tokens: list[_Token], lex: _Lexicon) -> tuple[list[_Token], list[str]]:
    titles: list[str] = []
    while tokens:
        for size in range(min(lex.longest_title, len(tokens)), 0, -1):
            words = tuple(t.word for t in tokens[:size])
            ambiguous = lex.titles.get(words)
            if ambiguous is None:
                continue
            rest = [t for t in tokens[size:] if t.word not in lex.articles]
            if (ambiguous and len(rest) < 2) or not rest:
                continue
            titles.append(" ".join(words))
            tokens = tokens[size:]
            break
        else:
            break
    return tokens, titles


def _is_article(token: _Token, lex: _Lexicon, is_last: bool) -> bool:
    if is_last:
        return False
    return token.word in lex.articles or (token.hyphen_after and token.word in lex.sun_articles)


def _join(prefix: str, word: str, article: bool) -> str:
    """Join a particle to its part; a kept article shows as l before a vowel (Abdulaziz)."""
    if is_arabic(word):
        return prefix + strip_article(word)
    if article and latin(word)[:1] in ("a", "e", "i", "o", "u"):
        return f"{prefix}-l{word}"
    return f"{prefix}-{word}"


def _particle(token: _Token, lex: _Lexicon) -> tuple[str, str, str] | None:
    """A particle that joins the next word, as (shown, fold input, role of the part): a
    kunya (Abu Bakr) or an abd- compound (Abdul Razek); or bin/ibn, which is dropped and
    only remembered (its role "patronymic")."""
    word = token.word
    spacer = "" if token.hyphen_after else " "
    if word in lex.patronymics:
        return ("", word, "patronymic")
    if word in lex.kunyas:
        return (token.written + spacer, word, "kunya")
    if word in lex.compounds:
        return (token.written + spacer, word if is_arabic(word) else "abd", "")
    return None


def _roles(count: int) -> list[str]:
    if count == 1:
        return ["single"]
    return ["given"] + ["middle"] * (count - 2) + ["family"]


@functools.lru_cache(maxsize=1 << 12)  # resolve parses each distinct name once
def parse(text: str) -> Name:
    """Parse a name as written into a :class:`Name`.

    >>> [p.text for p in parse("Sheikh Tamim bin Hamad Al Thani").parts]
    ['tamim', 'hamad', 'al thani']
    >>> parse("Abu Bakr al-Baghdadi").parts[0].role
    'kunya'
    """
    lex = _lexicon()
    normal = normalize(text)
    tokens, titles = _strip_titles(_tokens(_reorder(normal)), lex)
    words: list[tuple[str, str, bool, str]] = []  # shown, folded form, article, role
    prefix: tuple[str, str, str] | None = None  # shown, fold input, role of a particle
    patronymic = False
    pending, pending_shown = False, ""  # an article waiting for its word
    for i, token in enumerate(tokens):
        is_last = i == len(tokens) - 1
        if _is_article(token, lex, is_last):
            pending = True
            pending_shown += token.written + ("" if token.hyphen_after else " ")
            continue
        shown = pending_shown + token.written
        article = pending or (is_arabic(token.word) and token.word.startswith(_ARABIC_ARTICLE))
        pending, pending_shown = False, ""
        if prefix is None and not is_last:
            particle = _particle(token, lex)
            if particle is not None:
                if particle[2] == "patronymic":
                    patronymic = True
                else:
                    prefix = particle
                continue
        if prefix is not None:
            prefix_shown, opener, role = prefix
            words.append((prefix_shown + shown, fold(_join(opener, token.word, article)),
                          article, role))
            prefix = None
        else:
            word = token.word
            if words and not article and lex.joined_article.match(word):
                word, article = lex.joined_article.sub("", word), True
            words.append((shown, fold(word), article, ""))
    words = [w for w in words if w[1].lstrip("~")]
    roles = _roles(len(words))
    parts = tuple(
        Part(shown.strip(" -"), form, role or roles[i], article)
        for i, (shown, form, article, role) in enumerate(words)
    )
    return Name(normal, parts, tuple(titles), patronymic)
