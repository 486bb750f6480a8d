"""Probes of per-run state, run by the tests in this process (the source tree) and as a
script in the installed wheel's venv (``python state_probe.py``: exit 0 when both hold).

* Threads resolving different lists at once each get exactly what a lone call gives.
* A call to ``resolve`` leaves no run's data in module state: the dicts, lists and sets
  that namematch's modules hold have the same sizes before and after.
"""

from __future__ import annotations

import random
import sys
import threading
from array import array
from types import ModuleType

import namematch
from namematch import resolve

GIVEN = ["Ahmed", "Mohammed", "Ali", "Omar", "Khalifa", "Hassan", "Hussein", "Saleh", "Youssef"]
FAMILY = ["Mesmari", "Mismari", "Haftar", "Gaddafi", "Qadhafi", "Nadoori", "Nadhouri",
          "Ghassari", "Ghosri", "Sistani", "Saleh", "Maliki"]


def mention_list(seed: int, size: int = 400) -> list[str]:
    """A list of mentions: given name, optional article, family name, or a bare surname."""
    rng = random.Random(seed)
    out = []
    for _ in range(size):
        family = _drift(rng.choice(FAMILY), rng)
        article = rng.choice(["", "al-", "el-", "Al "])
        kind = rng.random()
        if kind < 0.15:
            out.append(family)
        elif kind < 0.3:
            out.append(f"{rng.choice(GIVEN)} {rng.choice(GIVEN)} {article}{family}")
        else:
            out.append(f"{rng.choice(GIVEN)} {article}{family}")
    return out


def _drift(word: str, rng: random.Random) -> str:
    """A spelling variant: one vowel written as another, or a letter doubled."""
    at = rng.randrange(1, len(word))
    if word[at] in "aeiou":
        return word[:at] + rng.choice("aeiou") + word[at + 1:]
    return word[:at] + word[at] + word[at:]


def threads_agree(count: int = 8) -> list[int]:
    """Resolve ``count`` lists in as many threads at once; the indexes of the lists whose
    result differs from a lone call (or raised)."""
    lists = [mention_list(seed, 300 + 150 * seed) for seed in range(count)]
    alone = [resolve(names) for names in lists]
    together: list[object] = [None] * count
    start = threading.Barrier(count)

    def work(k: int) -> None:
        start.wait()
        try:
            together[k] = resolve(lists[k])
        except Exception as err:  # reported as a difference
            together[k] = err

    threads = [threading.Thread(target=work, args=(k,)) for k in range(count)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often: shared state would show at once
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    return [k for k in range(count) if together[k] != alone[k]]


def _modules() -> list[ModuleType]:
    return [m for name, m in sorted(sys.modules.items())
            if name.startswith("namematch.") and m is not None]


def module_state() -> dict[str, int]:
    """The size of every dict, list, set and array a namematch module holds."""
    sizes = {}
    for module in _modules():
        for attr, value in vars(module).items():
            if isinstance(value, dict | list | set | bytearray | array) and attr[:2] != "__":
                sizes[f"{module.__name__}.{attr}"] = len(value)
    return sizes


def state_left_by_resolve() -> dict[str, tuple[int, int]]:
    """What module state changed size across two calls of resolve (after a first call that
    loads the data tables)."""
    resolve(["Ahmed al-Mesmari"])
    before = module_state()
    resolve(mention_list(1))
    resolve(mention_list(2))
    after = module_state()
    return {k: (before.get(k, 0), v) for k, v in after.items() if before.get(k, 0) != v}


if __name__ == "__main__":
    differ = threads_agree()
    left = state_left_by_resolve()
    print(f"namematch {namematch.__version__} compiled={namematch.compiled()} "
          f"threads differing: {differ}; module state left: {left}")
    sys.exit(1 if differ or left else 0)
