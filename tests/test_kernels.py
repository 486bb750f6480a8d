"""The compiled kernel (``_kernels.c``) against its Python twin: the very same floats.

Runs where the kernel is built (a wheel built with a C compiler; editable installs are pure
Python, where ``tests/test_wheel.py`` runs the same check in the installed wheel).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from namematch.distance import Form, weighted_distance, weighted_distance_py

kernels = pytest.importorskip("namematch._kernels")

# Folded-form symbols, one outside the alphabet, and the mark of an unvocalized form.
SYMBOLS = "abcdefghijklmnopqrstuvwxyz'GXSCTDZHAYWIEé"
forms = st.builds(lambda mark, body: mark + body, st.sampled_from(["", "~"]),
                  st.text(alphabet=SYMBOLS, max_size=20))
limits = st.one_of(st.just(math.inf), st.floats(min_value=0.0, max_value=8.0))


@given(forms, forms, limits)
def test_kernel_gives_the_float_of_the_python_twin(a: str, b: str, limit: float) -> None:
    assert weighted_distance(Form(a), Form(b), limit) == weighted_distance_py(Form(a), Form(b),
                                                                              limit)
