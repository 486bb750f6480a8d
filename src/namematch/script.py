"""Arabic script to the folding alphabet: a matching form, not a display transliteration.

Arabic script writes consonants and long vowels only, so a part in Arabic script folds to
those, marked with :data:`UNVOCALIZED` so that the comparer treats the other side's short
vowels as optional. Harakat, tatweel and bidi or joiner marks never change the result, but
for the Persian non-joiner after a final heh, which :func:`normalize.normalize` reads as the
vowel -e.

>>> fold_arabic("المسماري")
'~msmArI'
>>> fold_arabic("حسن"), fold_arabic("حسين")
('~hsn', '~hsYn')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

from .tables import tables

UNVOCALIZED: Final = "~"
_ARABIC: Final = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_VOWEL_LIKE: Final = frozenset("AYWIa'")
_EITHER_YA: Final = "یى"  # Persian yeh, alef maksura
_ALLAH: Final = "الله"
_VOWEL_RUN: Final = re.compile("[AYWIa']{2,}")


def is_arabic(text: str) -> bool:
    """Whether ``text`` holds any Arabic-script letter.

    >>> is_arabic("Ahmed"), is_arabic("أحمد")
    (False, True)
    """
    return _ARABIC.search(text) is not None


@functools.cache
def _table() -> tuple[dict[str, str], str]:
    arabic = tables().arabic
    return arabic.letters, arabic.article


def strip_article(word: str) -> str:
    """Drop a leading article al- from an Arabic-script word.

    >>> strip_article("الصدر")
    'صدر'
    """
    article = _table()[1]
    if word.startswith(article) and len(word) > len(article) + 1:
        return word[len(article):]
    return word


def _letters(text: str) -> str:
    """Strip marks, tatweel and format characters; map presentation forms to letters."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(
        c for c in text if unicodedata.category(c) not in ("Mn", "Cf") and c != "\u0640"
    )


def _class_weak(symbol: str, before: str, after: str) -> str:
    """Class waw and ya: consonants next to a vowel or at the start, long vowels otherwise.

    A waw before a ya is the consonant (درویش Darvish, خسروی Khosravi, طويل Tawil). A ya
    before an alef inside a word is read with it as one vowel, as Latin spellings run i, y
    and a together (زياد Ziad = Ziyad, إياد Iyad, عليان Alian)."""
    long_vowel = "W" if symbol == "w" else "Y"
    if symbol == "w" and after == "y":
        return symbol
    if symbol == "y" and before and after == "A":
        return long_vowel
    if not before or after in _VOWEL_LIKE:
        return symbol
    if not after and symbol == "y":
        return "I"  # nisba ending -i
    return long_vowel


@functools.lru_cache(maxsize=1 << 16)
def fold_arabic(part: str) -> str:
    """Fold one Arabic-script part to consonants and long vowels, prefixed by ``~``.

    >>> fold_arabic("القذافي")
    '~qDAfI'
    """
    text = strip_article(_letters(part))
    mapped = _mapped(text)
    # A final ya after a consonant written with the Persian yeh or the alef maksura reads
    # -i or -a alike (مهدی Mehdi, مصطفی Mostafa, على Ali on an Egyptian hand): E.
    either = (len(mapped) > 1 and text[-1] in _EITHER_YA
              and mapped[-2] not in _VOWEL_LIKE and mapped[-2] not in ("w", "y"))
    symbols = [s for s in (mapped[:-1] if either else mapped) if s]
    out = _classed(symbols, "y" if either else "", text.endswith("ى"))
    if either:
        out.append("E")
    return UNVOCALIZED + _merge_vowels("".join(out))


def _mapped(text: str) -> list[str]:
    """Each letter's symbol ("" for none), read in the context of its word."""
    mapped = [_table()[0].get(c, "") for c in text]
    # A word-initial alef (a hamza seat) or ayn is read as a short vowel (Ahmad, Umar, Abd).
    if mapped and (mapped[0] == "A" or text[0] == "ع"):
        mapped[0] = "a"
    # Sin before ha reads as the digraph sh of Latin spellings (اسحاق Ishaq = Eshaq = Is'haq).
    for i in range(1, len(mapped)):
        if mapped[i - 1] == "s" and text[i - 1] == "س" and text[i] == "ح":
            mapped[i - 1], mapped[i] = "S", ""
    # A final heh is the weak final h Latin spellings drop (Abdullah = Abdallah); after an
    # alef it is sounded (شاه Shah, پناه Panah): the weak h that Latin spellings write.
    if len(mapped) > 1 and text.endswith("ه"):
        mapped[-1] = "H" if text[-2] == "ا" else ""
    # Allah written joined to a name (نصرالله Nasrallah, امرالله Amrullah): its alef is the
    # article's, which Latin spellings write as any short vowel.
    if text.endswith(_ALLAH) and len(text) > len(_ALLAH):
        mapped[-len(_ALLAH)] = ""
    return mapped


def _classed(symbols: list[str], end: str, maksura: bool) -> list[str]:
    """The symbols with waw and ya classed (see :func:`_class_weak`) and repeats collapsed;
    ``end`` is what follows the last symbol, ``maksura`` whether the word ends in ى."""
    out: list[str] = []
    for i, symbol in enumerate(symbols):
        if symbol in ("w", "y"):
            before = out[-1] if out else ""
            after = symbols[i + 1] if i + 1 < len(symbols) else end
            if after == "A" and i + 2 == len(symbols) and maksura:
                after = "a"  # a final alef maksura: a consonant ya before it (يحيى Yahya)
            symbol = _class_weak(symbol, before, after)
        if not out or out[-1] != symbol:
            out.append(symbol)
    return out


def _merge_vowels(form: str) -> str:
    """Read adjacent vowel letters as one vowel, as Latin spellings do (عامر: Amer, فايز: Fayez).

    A ya or waw among them makes the diphthong (Y or W), as does an alef with a final ya,
    else a long a, else the first.
    """
    return _VOWEL_RUN.sub(_one_vowel, form)


def _one_vowel(match: re.Match[str]) -> str:
    run = match.group(0)
    if "A" in run and "I" in run:
        return "Y"  # alef and a final ya: the -ai/-aei ending (الطائي al-Tai, رضائی Rezaei)
    return next((v for v in "YWAI" if v in run), run[0])
