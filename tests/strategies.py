"""Hypothesis strategies shared by the property tests: synthetic Arabic-like names."""

from __future__ import annotations

from hypothesis import strategies as st

# Built from syllables, so no real person is involved.
CONSONANTS = ["b", "d", "f", "h", "j", "k", "l", "m", "n", "q", "r", "s", "t", "z", "sh", "kh"]
VOWELS = ["a", "e", "i", "o", "u"]


@st.composite
def name_part(draw: st.DrawFn) -> str:
    """One lower-case name part of two or three syllables and a closing consonant."""
    syllables = draw(st.integers(min_value=2, max_value=3))
    text = "".join(draw(st.sampled_from(CONSONANTS)) + draw(st.sampled_from(VOWELS))
                   for _ in range(syllables))
    return text + draw(st.sampled_from(CONSONANTS))


@st.composite
def name_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """Two names of one to four parts drawn from a small pool, so that parts often meet;
    some parts are initials, some spelled with a vowel changed."""
    pool = draw(st.lists(name_part(), min_size=2, max_size=4))

    def one() -> str:
        words = []
        for _ in range(draw(st.integers(1, 4))):
            word = draw(st.sampled_from(pool))
            form = draw(st.sampled_from(["as is", "initial", "vowel"]))
            if form == "initial":
                word = word[0].upper() + "."
            elif form == "vowel":
                word = word.replace("a", "o", 1)
            words.append(word)
        return " ".join(words)

    return one(), one()
