"""Lazy package exports (PEP 562): a package's public names are imported on first use.

Checking a scenario (``venturesim validate``, a bad ``--set``) must answer in well under a second, so
the package ``__init__`` modules do not import their submodules up front: most of those import JAX,
xarray or pandas (seconds on a loaded 2-core machine), which loading a YAML file never needs.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package`` whose names ``exports`` maps to the modules defining them.

    A name is looked up in its module on first access and then kept in the package's namespace, so it is
    the very object the module defines (``venturesim.market.Market is venturesim.market.schema.Market``).
    """
    namespace = import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:  # a submodule not imported yet (the eager package imported them all)
            if name.startswith("_") or find_spec(f"{package}.{name}") is None:
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
            return import_module(f"{package}.{name}")
        value = getattr(import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
