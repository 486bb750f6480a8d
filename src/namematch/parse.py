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
import itertools
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple, overload

from ._pickling import by_fields
from .fold import fold, latin
from .normalize import normalize
from .script import is_arabic, strip_article
from .tables import tables

_TOKEN_JUNK: Final = re.compile(r"[^\w']+")
_ARABIC_ARTICLE: Final = "ال"
_HEH: Final = "\u0647"
_VOWEL_SEATS: Final = "اع"  # alef and ayn: a word starting with them starts with a vowel
_VOWEL_HEH: Final = "\u06d5"  # see normalize: a heh that is the vowel -e
_INITIALS: Final = re.compile(r"(?:[^\W\d_]\.){1,3}|[^\W\d_]")


@dataclass(frozen=True, init=False)
class Part:
    """One name part: a word or a joined compound (Abu Bakr, Abdul Razek).

    ``text`` is the normalized spelling as written, ``form`` its folded form, ``role`` one of
    ``given``, ``middle``, ``family``, ``kunya`` or ``single`` (the only part of a name).
    """

    text: str
    form: str
    role: str
    article: bool = False

    def __init__(self, text: str, form: str, role: str, article: bool = False) -> None:
        # Parts and names are made by the million (and again when unpickled from a
        # worker): compiled, this is about three times faster than the __init__ that
        # dataclass generates, which runs interpreted.
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "form", form)
        object.__setattr__(self, "role", role)
        object.__setattr__(self, "article", article)

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


@dataclass(frozen=True, init=False)
class Name:
    """A parsed name: the normalized text, its parts in order, and the stripped titles."""

    text: str
    parts: tuple[Part, ...]
    titles: tuple[str, ...] = ()
    patronymic: bool = False
    """Whether the name spells a nasab with bin, ibn or bint."""
    given_mention: bool = False
    """Whether the name is one part after a title of address (King Salman, Emir Tamim): the
    person's given name, which meets another name's first part, not its last."""
    father_last: bool = False
    """Whether the last part follows bin or ibn: a father's name, not a surname, so a bare
    one-part mention does not meet it (Salman is not Mohammed bin Salman; Bin Salman is)."""

    def __init__(self, text: str, parts: tuple[Part, ...], titles: tuple[str, ...] = (),
                 patronymic: bool = False, given_mention: bool = False,
                 father_last: bool = False) -> None:
        # As Part's: made by the million.
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "titles", titles)
        object.__setattr__(self, "patronymic", patronymic)
        object.__setattr__(self, "given_mention", given_mention)
        object.__setattr__(self, "father_last", father_last)

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


# Separators of a packed name's fields: whitespace to normalize, so never in a name's text.
_FIELD: Final = "\x1f"
_SIGNATURE_END: Final = "\x1e"
# The roles as one object each: a worker unpacks hundreds of thousands of names.
_ROLES: Final = {role: role for role in ("given", "middle", "family", "kunya", "single")}


class PackedNames(Sequence[Name]):
    """Parsed names packed in one string, each unpacked on reading (a new :class:`Name`).

    A list of a million names holds them as Python objects of about 500 bytes each; packed,
    a name takes the length of its fields. Worker processes forked from the one holding
    the names read them without writing to its pages (reading a Python object writes its
    reference count, and the page is then copied): each unpacks only the names it works
    on, into its own memory. ``select`` gives a view of some of the names.

    Each name opens with its signature (what the comparison sees of it: the flags, each
    part's article, kunya role and form), so that names can be grouped by signature
    without unpacking them (:meth:`signature`).

    >>> names = PackedNames.of([parse("Gen. Ahmed al-Mesmari"), parse("Mesmari")])
    >>> names[0] == parse("Gen. Ahmed al-Mesmari"), len(names), names.part_count(1)
    (True, 2, 1)
    """

    def __init__(self, text: str, ends: array[int], positions: array[int] | None = None) -> None:
        self._text: Final = text
        self._ends: Final = ends  # where each packed name ends in the text
        self._positions: Final = positions  # for a view: the names it shows, else None

    @classmethod
    def of(cls, names: Iterable[Name]) -> PackedNames:
        """``names`` packed (a ValueError for a name holding a separator: :func:`parse`
        of a normalized text never does)."""
        packed = [pack_name(name) for name in names]
        ends = array("q", itertools.accumulate(len(text) for text in packed))
        return cls("".join(packed), ends)

    @classmethod
    def joined(cls, pieces: Iterable[Sequence[Name]]) -> PackedNames:
        """The names of ``pieces`` (packed, as worker processes send them), one after
        another, packed."""
        texts: list[str] = []
        ends: array[int] = array("q")
        for piece in pieces:
            packed = piece if isinstance(piece, PackedNames) else PackedNames.of(piece)
            if packed._positions is not None:
                packed = PackedNames.of(packed)
            offset = ends[-1] if ends else 0
            texts.append(packed._text)
            ends.extend([end + offset for end in packed._ends])
        return cls("".join(texts), ends)

    def select(self, indexes: Iterable[int]) -> PackedNames:
        """A view of the names at ``indexes``, unpacked only when read."""
        chosen = array("q", indexes)
        if self._positions is not None:
            chosen = array("q", [self._positions[i] for i in chosen])
        return PackedNames(self._text, self._ends, chosen)

    def __len__(self) -> int:
        return len(self._ends) if self._positions is None else len(self._positions)

    @overload
    def __getitem__(self, index: int) -> Name: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Name]: ...

    def __getitem__(self, index: int | slice) -> Name | Sequence[Name]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return unpack_name(self._record(index))

    def __iter__(self) -> Iterator[Name]:
        for i in range(len(self)):
            yield unpack_name(self._record(i))

    def signature(self, index: int) -> str:
        """The packed signature of the name at ``index``: equal for two names exactly when
        :func:`namematch.distinct.signature` is."""
        return self._record(index).partition(_SIGNATURE_END)[0]

    def part_count(self, index: int) -> int:
        """How many parts the name at ``index`` has."""
        return self.signature(index).count(_FIELD)

    def titles(self, index: int) -> tuple[str, ...]:
        """The titles of the name at ``index``."""
        signature, _, rest = self._record(index).partition(_SIGNATURE_END)
        return tuple(rest.split(_FIELD)[1 + 2 * signature.count(_FIELD):])

    def _record(self, index: int) -> str:
        if index < 0:
            index += len(self)
        if self._positions is not None:
            index = self._positions[index]
        return self._text[self._ends[index - 1] if index else 0:self._ends[index]]

    def __reduce__(self) -> tuple[type[PackedNames], tuple[object, ...]]:
        return (PackedNames, (self._text, self._ends, self._positions))


def select(names: Sequence[Name], indexes: Sequence[int]) -> Sequence[Name]:
    """The names at ``indexes``: packed names stay packed (a view, see
    :meth:`PackedNames.select`), others come as a list."""
    if isinstance(names, PackedNames):
        return names.select(indexes)
    return [names[i] for i in indexes]


def part_counts(names: Sequence[Name]) -> array[int]:
    """How many parts each name has (packed names are not unpacked to tell)."""
    if isinstance(names, PackedNames):
        return array("q", [names.part_count(i) for i in range(len(names))])
    return array("q", [len(name.parts) for name in names])


def titles_of(names: Sequence[Name], index: int) -> tuple[str, ...]:
    """The titles of the name at ``index`` (a packed name is not unpacked to tell)."""
    if isinstance(names, PackedNames):
        return names.titles(index)
    return names[index].titles


def pack_name(name: Name) -> str:
    """One name as :class:`PackedNames` holds it: its signature (the flags, then each
    part's article, kunya role and form), then its text, each part's text and role, and
    its titles."""
    flags = "".join("1" if flag else "0"
                    for flag in (name.patronymic, name.given_mention, name.father_last))
    signature = flags + "".join(f"{_FIELD}{part.article:d}{part.role == 'kunya':d}{part.form}"
                                for part in name.parts)
    rest = _FIELD.join([name.text, *(field for part in name.parts
                                     for field in (part.text, part.role)), *name.titles])
    packed = signature + _SIGNATURE_END + rest
    if packed.count(_FIELD) != 3 * len(name.parts) + len(name.titles) \
            or packed.count(_SIGNATURE_END) != 1:
        raise ValueError(f"cannot pack a name holding a separator: {name.text!r}")
    return packed


def _unpacked_part(text: str, opening: str, role: str) -> Part:
    """A part from its packed text, opening (article, kunya flag, form) and role."""
    form = opening[2:]
    return Part(text, text if form == text else form, _ROLES.get(role, role), opening[0] == "1")


def unpack_name(packed: str) -> Name:
    """The name :func:`pack_name` packed."""
    signature, _, rest = packed.partition(_SIGNATURE_END)
    openings = signature.split(_FIELD)
    fields = rest.split(_FIELD)
    count = len(openings) - 1
    parts = tuple([_unpacked_part(fields[1 + 2 * k], openings[1 + k], fields[2 + 2 * k])
                   for k in range(count)])
    flags = openings[0]
    return Name(fields[0], parts, tuple(fields[1 + 2 * count:]), flags[0] == "1",
                flags[1] == "1", flags[2] == "1")


@dataclass(frozen=True)
class _Lexicon:
    titles: dict[tuple[str, ...], bool]  # title words -> ambiguous?
    given_name_titles: frozenset[tuple[str, ...]]
    longest_title: int
    articles: frozenset[str]
    sun_articles: frozenset[str]
    patronymics: frozenset[str]
    kunyas: frozenset[str]
    compounds: frozenset[str]
    packed: tuple[str, ...]  # Arabic-script openers written joined to an article'd word
    suffixes: frozenset[str]  # Persian suffixes sometimes written apart from their word
    joined_after: frozenset[str]  # words that end a compound with the word before (Allah)
    joined_article: re.Pattern[str]


# Letters that Arabic, Persian and Pashto write differently: Persian yeh and keheh, and the
# alef maksura Egyptian and Persian hands write for a final ya. A word of the lexicon is
# looked up under each of its spellings.
_LETTER_VARIANTS: Final = {"ي": "يیى", "ك": "كک"}


def _spellings(entry: str) -> set[str]:
    """An Arabic-script lexicon entry in each spelling of its letters (see _LETTER_VARIANTS).

    >>> sorted(_spellings("سيد")) == sorted(["سيد", "سید", "سىد"])
    True
    """
    out = {""}
    for char in entry:
        out = {head + c for head in out for c in _LETTER_VARIANTS.get(char, char)}
    return out


def _entries(words: list[str]) -> set[str]:
    """Lexicon entries as normalize leaves words (no hamza seats), in each spelling."""
    return {spelling for word in words for spelling in _spellings(normalize(str(word)))}


def _title_words(titles: set[str]) -> set[tuple[str, ...]]:
    return {tuple(t.split()) for t in titles}


@functools.cache
def _lexicon() -> _Lexicon:
    data = tables().names
    titles = dict.fromkeys(_title_words(_entries(list(data.titles))), False)
    titles |= dict.fromkeys(_title_words(_entries(list(data.ambiguous_titles))), True)
    return _Lexicon(
        titles=titles,
        given_name_titles=frozenset(_title_words(_entries(list(data.given_name_titles)))),
        longest_title=max(len(t) for t in titles),
        articles=frozenset(data.articles),
        sun_articles=frozenset(data.sun_articles),
        patronymics=frozenset(_entries(list(data.patronymics))),
        kunyas=frozenset(_entries(list(data.kunyas))),
        compounds=frozenset(_entries(list(data.compounds))),
        packed=tuple(sorted(_entries(list(data.arabic_packed)), key=len, reverse=True)),
        suffixes=frozenset(_entries(list(data.arabic_suffixes))),
        joined_after=frozenset(_entries(list(data.arabic_joined_after))),
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
            # An ambiguous title stays before one part, unless it is a title of address
            # (Sheikh Mohammed: the given name, see Name.given_mention).
            if (ambiguous and len(rest) < 2 and words not in lex.given_name_titles) or not rest:
                continue
            titles.append(" ".join(words))
            tokens = tokens[size:]
            break
        else:
            break
    return tokens, titles


def _is_particle(word: str, lex: _Lexicon) -> bool:
    return word in lex.compounds or word in lex.kunyas or word in lex.patronymics


def _suffixed(token: _Token, suffix: str) -> _Token:
    """A word with a Persian suffix written apart (خامنه ای = خامنه‌ای): a heh before it is the
    vowel -e (see normalize)."""
    word = token.word
    if word.endswith(_HEH):
        word = word[:-1] + _VOWEL_HEH
    return _Token(word + suffix, token.written + " " + suffix, False)


def _unpack(tokens: list[_Token], lex: _Lexicon) -> list[_Token]:
    """Split an Arabic-script compound written as one word before its article (عبدالحميد is
    عبد الحميد, Abdul Hamid; ابوالفضل is ابو الفضل, Abolfazl), so that it joins as the two-word
    spelling does; join a Persian suffix, or Allah, written apart to its word (نصر الله is
    نصرالله, Nasrallah; سيف الله is سيفالله, Saifullah), as Latin spellings mostly write them."""
    out: list[_Token] = []
    for token in tokens:
        word = token.word
        if word in lex.suffixes and out and is_arabic(out[-1].word):
            out[-1] = _suffixed(out[-1], word)
            continue
        if (word in lex.joined_after and out and is_arabic(out[-1].word)
                and not _is_particle(out[-1].word, lex)):
            before = out[-1]
            out[-1] = _Token(before.word + word, before.written + " " + word, token.hyphen_after)
            continue
        opener = next((o for o in lex.packed if word.startswith(o + _ARABIC_ARTICLE)), None)
        if opener is None or len(word) < len(opener) + len(_ARABIC_ARTICLE) + 2:
            out.append(token)
            continue
        rest = word[len(opener):]
        out.append(_Token(opener, opener, True))
        out.append(_Token(rest, rest, token.hyphen_after))
    return out


def _is_article(token: _Token, lex: _Lexicon, is_last: bool) -> bool:
    if is_last:
        return False
    return token.word in lex.articles or (token.hyphen_after and token.word in lex.sun_articles)


def _join(prefix: str, word: str, article: bool) -> str:
    """Join a particle to its part; a kept article shows as l before a vowel (Abdulaziz)."""
    if is_arabic(word):
        rest = strip_article(word)
        if rest != word and rest[:1] in _VOWEL_SEATS:
            # as in Latin spellings, the article's l stays before a vowel: عبد العزيز is
            # Abdulaziz, not Abdaziz
            return prefix + _ARABIC_ARTICLE[1:] + rest
        return prefix + rest
    if article and latin(word)[:1] in ("a", "e", "i", "o", "u"):
        return f"{prefix}-l{word}"
    return f"{prefix}-{word}"


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
    return _parse(text, None)


class Parser:
    """Parses names as :func:`parse` does, each distinct part made once: the names of a
    list repeat their parts (a common given name, a family's surname), and a part shared
    is kept once, and pickled once in a batch of names. Owned by one run (a worker's
    share of a list), like any cache.

    >>> parser = Parser()
    >>> first, second = parser("Ahmed al-Mesmari"), parser("Ahmed Haftar")
    >>> first.parts[0] is second.parts[0], first == parse("Ahmed al-Mesmari")
    (True, True)
    """

    def __init__(self) -> None:
        self.parts: dict[tuple[str, str, str, bool], Part] = {}

    def __call__(self, text: str) -> Name:
        return _parse(text, self.parts)


def _parse(text: str, shared: dict[tuple[str, str, str, bool], Part] | None) -> Name:
    """:func:`parse`, taking each part from ``shared`` where it is there (and putting it
    there)."""
    lex = _lexicon()
    normal = normalize(text)
    tokens, titles = _strip_titles(_tokens(_reorder(normal)), lex)
    tokens = _unpack(tokens, lex)
    # shown, folded form, article, role, whether it follows bin/ibn
    words: list[tuple[str, str, bool, str, bool]] = []
    prefix: tuple[str, str, str] | None = None  # shown, fold input, role of a particle
    patronymic = after_patronymic = False
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
        spacer = "" if token.hyphen_after else " "
        if prefix is None and not is_last:
            if token.word in lex.patronymics:
                patronymic = after_patronymic = True
                continue
            if token.word in lex.kunyas:
                prefix = (token.written + spacer, token.word, "kunya")
                continue
            if token.word in lex.compounds:
                opener = token.word if is_arabic(token.word) else "abd"
                prefix = (token.written + spacer, opener, "")
                continue
        if prefix is not None:
            prefix_shown, opener, role = prefix
            words.append((prefix_shown + shown, fold(_join(opener, token.word, article)),
                          article, role, after_patronymic))
            prefix = None
        else:
            word = token.word
            if words and not article and lex.joined_article.match(word):
                word, article = lex.joined_article.sub("", word), True
            words.append((shown, fold(word), article, "", after_patronymic))
        after_patronymic = False
    return _name(normal, words, titles, patronymic, lex, shared)


def _name(normal: str, words: list[tuple[str, str, bool, str, bool]], titles: list[str],
          patronymic: bool, lex: _Lexicon,
          shared: dict[tuple[str, str, str, bool], Part] | None) -> Name:
    """The :class:`Name` of the words :func:`parse` found (shown, form, article, role,
    whether it follows bin/ibn)."""
    words = [w for w in words if w[1].lstrip("~")]
    roles = _roles(len(words))
    parts = tuple(
        _part((shown.strip(" -"), form, role or roles[i], article), shared)
        for i, (shown, form, article, role, _) in enumerate(words)
    )
    given_mention = len(parts) == 1 and any(
        tuple(t.split()) in lex.given_name_titles for t in titles)
    father_last = len(parts) > 1 and words[-1][4]
    return Name(normal, parts, tuple(titles), patronymic, given_mention, father_last)


def _part(fields: tuple[str, str, str, bool],
          shared: dict[tuple[str, str, str, bool], Part] | None) -> Part:
    """The part of these fields (text, form, role, article): from ``shared``, or new."""
    if shared is None:
        return Part(*fields)
    found = shared.get(fields)
    if found is None:
        found = shared[fields] = Part(*fields)
    return found
