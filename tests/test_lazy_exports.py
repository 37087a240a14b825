"""The lazily exported packages (:mod:`venturesim._lazy`) give the very objects their modules define.

Their ``__init__`` modules import nothing up front (so checking a scenario never imports JAX); every name
in a package's ``__all__`` must still resolve, to the module's own object, and a submodule not yet imported
must still be reachable as an attribute (as when the package imported them all).
"""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "venturesim",
    "venturesim.engine",
    "venturesim.market",
    "venturesim.team",
    "venturesim.risks",
    "venturesim.partnerships",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_resolves_to_its_modules_object(name):
    package = importlib.import_module(name)
    exports = getattr(package, "_EXPORTS", None) or package._ENGINE_EXPORTS
    assert set(exports) <= set(package.__all__) | set(dir(package))
    for export, module in exports.items():
        assert getattr(package, export) is getattr(importlib.import_module(module), export), export
    assert all(hasattr(package, n) for n in package.__all__)
    assert set(package.__all__) <= set(dir(package))


def test_submodules_and_unknown_names():
    import venturesim.market as market

    assert market.pipeline is importlib.import_module("venturesim.market.pipeline")
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        market.no_such_name
    with pytest.raises(AttributeError):
        market._private_thing
