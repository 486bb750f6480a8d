"""Wheel build hook: compile the pipeline's modules with mypyc.

The same typed source runs either way; compiled, comparing and resolving run about twice as
fast. The weighted edit distance's inner loop also has a C twin (``_kernels.c``), built
here. Editable installs stay pure Python, so an edit takes effect without a rebuild. A
machine without a C compiler (or with ``NAMEMATCH_PURE=1`` set) gets a pure-Python wheel
and a warning instead of a failed install.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# The modules each candidate pair and each name runs through, and a gazetteer batch's own
# per-name work (_batch, _linking). The CLI, the dask engine, the data loading and the
# gazetteer's storage spend their time elsewhere (I/O, dask, SQLite) and stay interpreted.
COMPILED = ("fold", "normalize", "script", "parse", "tables", "rules", "keys", "aliases",
            "distance", "align", "compare", "session", "distinct", "cluster", "resolve",
            "_linking", "_batch")


class MypycBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        self._scratch: Path | None = None
        if self.target_name != "wheel" or version == "editable":
            return
        if os.environ.get("NAMEMATCH_PURE"):
            self.app.display_info("namematch: NAMEMATCH_PURE is set, building pure Python")
            return
        self._scratch = Path(tempfile.mkdtemp(prefix="namematch-mypyc-"))
        try:
            built = self._compile(self._scratch)
        except (Exception, SystemExit) as exc:  # mypyc reports failures by SystemExit
            self.app.display_warning(
                f"namematch: mypyc compilation failed ({exc}); building pure Python instead"
            )
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        for path in built:
            build_data["force_include"][str(path)] = path.relative_to(self._scratch / "lib")

    def _compile(self, scratch: Path) -> list[Path]:
        from mypyc.build import mypycify
        from setuptools import Distribution, Extension

        root = Path(self.root)
        sources = [str(root / "src" / "namematch" / f"{name}.py") for name in COMPILED]
        extensions = mypycify(sources, opt_level="3", group_name="namematch",
                              target_dir=str(scratch / "c"))
        # The edit distance's inner loop in C (distance.weighted_distance_py is its twin).
        extensions.append(Extension("namematch._kernels",
                                    [str(root / "src" / "namematch" / "_kernels.c")],
                                    extra_compile_args=["-O3"]))
        command = Distribution({"name": "namematch", "ext_modules": extensions})
        build_ext = command.get_command_obj("build_ext")
        build_ext.build_lib = str(scratch / "lib")  # type: ignore[attr-defined]
        build_ext.build_temp = str(scratch / "tmp")  # type: ignore[attr-defined]
        build_ext.ensure_finalized()
        build_ext.run()
        return sorted(p for p in (scratch / "lib").rglob("*") if p.is_file())

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
