"""The package as a user installs it: version, typing marker, and public namespaces without collisions."""

import importlib.metadata
import pathlib
import tomllib

import venturesim
import venturesim.funding
import venturesim.funding.schema
import venturesim.funding.shares

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_version_comes_from_the_package_metadata():
    assert venturesim.__version__ == importlib.metadata.version("venturesim")


def test_py_typed_is_in_the_package_and_its_package_data():
    assert (pathlib.Path(venturesim.__file__).parent / "py.typed").is_file()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["venturesim"]
    assert "py.typed" in data


def test_top_level_exports_only_its_api_and_subpackages():
    public = {n for n in dir(venturesim) if not n.startswith("_")}
    subpackages = {n for n in public if type(getattr(venturesim, n)).__name__ == "module"}
    assert public - subpackages == set(venturesim.__all__)
    assert not {"Any", "Callable", "Iterable", "Path", "annotations"} & public


PACKAGES = (
    "venturesim",
    "venturesim.analysis",
    "venturesim.calibrate",
    "venturesim.engine",
    "venturesim.funding",
    "venturesim.market",
    "venturesim.model_costs",
    "venturesim.partnerships",
    "venturesim.report",
    "venturesim.risks",
    "venturesim.scenario",
    "venturesim.spec",
    "venturesim.team",
)


def test_no_package_exports_its_import_helpers():
    """``dir(package)`` shows its API (``__all__``) and subpackages, never what its ``__init__`` imported to work
    (``Any``, ``Callable``, ``Path``, ``annotations``, ``import_module``, ``lazy_exports``)."""
    import importlib

    leaks = {}
    for name in PACKAGES:
        package = importlib.import_module(name)
        public = {n for n in dir(package) if not n.startswith("_")}
        extra = {
            n for n in public - set(getattr(package, "__all__", ())) if type(getattr(package, n)).__name__ != "module"
        }
        if extra:
            leaks[name] = sorted(extra)
    assert leaks == {}


def test_funding_names_are_unique_and_resolve():
    for module in (venturesim.funding, venturesim.funding.shares):
        assert len(module.__all__) == len(set(module.__all__))
        assert all(hasattr(module, n) for n in module.__all__)
    # the share-level instruments and the scenario's inputs no longer share a name
    schema_classes = {
        n for n in dir(venturesim.funding.schema) if isinstance(getattr(venturesim.funding.schema, n), type)
    }
    clashes = {
        n
        for n in schema_classes & set(venturesim.funding.__all__)
        if getattr(venturesim.funding, n) is not getattr(venturesim.funding.schema, n)
    }
    assert not clashes
    # a submodule of the share-level package is never shadowed by one of its functions
    for name in ("cap_table", "waterfall", "returns", "priced", "safe", "note", "grant", "loan"):
        assert type(getattr(venturesim.funding.shares, name)).__name__ == "module"


DOMAINS = ("spec", "market", "team", "funding", "model_costs", "risks", "partnerships")
"""Layers: the scenario language's building blocks (``spec``) and the domains never import the composition
(``scenario``), the engines, the analysis or the report."""


def test_domains_import_only_building_blocks():
    import ast

    upper = ("venturesim.scenario", "venturesim.engine", "venturesim.analysis", "venturesim.report", "venturesim.cli")
    offenders = []
    for domain in DOMAINS:
        for path in (ROOT / "venturesim" / domain).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                offenders += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.startswith(upper)]
    assert offenders == []


def test_model_costs_names_are_unique():
    import venturesim.model_costs as mc
    import venturesim.model_costs.schema as schema

    assert len(mc.__all__) == len(set(mc.__all__))
    assert mc.TrainingRun is schema.TrainingRun  # the scenario's run, not the cost estimate (TrainingRunCost)
    assert mc.TrainingRunCost is not mc.TrainingRun
