"""Unicode clean-up: the first stage, turning any text into one canonical spelling.

``normalize`` decomposes (NFKD) so that accents come apart from their letters, drops
combining marks (Latin accents and Arabic harakat alike), format characters (bidi and joiner
marks) and tatweel, unifies apostrophes and dashes, recomposes (NFKC), folds case and
collapses white space. It is idempotent: ``normalize(normalize(s)) == normalize(s)``.

>>> normalize("  Muʿammar   al‐Qaḏḏāfī ")
"mu'ammar al-qaddafi"
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

# Every character a writer uses for ayn, hamza or an apostrophe becomes "'".
_APOSTROPHES = "'`´‘’‛′ʹʻʼʽʾʿˈˊˋ"
# Every dash or hyphen becomes "-".
_DASHES = "-‐‑‒–—―−﹘﹣－"
_TRANSLATE = {ord(c): "'" for c in _APOSTROPHES} | {ord(c): "-" for c in _DASHES}
_TATWEEL = "\u0640"
_SPACE = re.compile(r"\s+")
_HYPHEN_SPACE = re.compile(r" ?- ?")
_MAX_ROUNDS = 4


def _once(text: str) -> str:
    if text.isascii() and text.isprintable() and "`" not in text:
        text = text.lower()  # what the Unicode steps below do to such text, faster
        if not ("  " in text or " -" in text or "- " in text or text[:1] == " "
                or text[-1:] == " "):
            return text  # most names: the two patterns below would change nothing
    else:
        text = _unicode_clean(text)
    text = _SPACE.sub(" ", text).strip()
    return _HYPHEN_SPACE.sub("-", text)


# Persian writes a zero-width non-joiner after a word-final heh that a suffix follows
# (اژه‌ای Ezhe'i, خامنه‌ای Khamene'i): that heh is the vowel -e, not h. It becomes the
# Arabic letter ae (U+06D5), which folds as that vowel, before the joiner is dropped.
_FINAL_HEH: Final = "\u0647\u200c"
_VOWEL_HEH: Final = "\u06d5"


# A waw that carries a hamza (ؤ: فؤاد Fu'ad, لؤي Lu'ay) is a seat, not the consonant w:
# the letter is the hamza, which Latin writes as a vowel or not at all. NFKD would split it
# into a plain waw and a mark that is then dropped, so it becomes a bare hamza first.
_WAW_HAMZA: Final = str.maketrans({"\u0624": "\u0621"})
_WAW_MARKED_HAMZA: Final = "\u0648\u0654"


def _unicode_clean(text: str) -> str:
    text = text.replace(_FINAL_HEH, _VOWEL_HEH).replace(_WAW_MARKED_HAMZA, "\u0621")
    text = unicodedata.normalize("NFKD", text.translate(_WAW_HAMZA))
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Mn", "Me", "Cf", "Cc", "Cs", "Co", "Cn") and not char.isspace():
            continue
        if char == _TATWEEL:
            continue
        kept.append(char)
    text = "".join(kept).translate(_TRANSLATE)
    return unicodedata.normalize("NFKC", text).casefold()


@functools.lru_cache(maxsize=1 << 12)  # resolve normalizes each distinct line once
def normalize(text: str) -> str:
    """Return the canonical spelling of ``text`` used by every later stage.

    >>> normalize("Brig. Gen. AHMED  al-Mesmari")
    'brig. gen. ahmed al-mesmari'
    >>> normalize("أَحْمَد")
    'احمد'
    """
    for _ in range(_MAX_ROUNDS):
        cleaned = _once(text)
        if cleaned == text:
            break
        text = cleaned
    return text
