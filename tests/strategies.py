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
