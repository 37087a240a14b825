"""Stress tests: named packs of shocks shipped with the library, and percentile stress.

A **stress pack** (``venturesim/analysis/data/stress_packs.yaml``) is a named
set of shocks with its source: funding winter, GPU price spike, a frontier
lab's price cut, key-person loss, regulation, demand 30 % below plan, churn
doubling. Its ``overrides`` are in the ``--set`` language with ``*`` for
every item of a list (``market.segments.*.price*=0.7``); its
``force_risks`` make catalogue risks certain to strike in a given month
(hazard 30 a month in that month only, at most one event: P(no event) =
e⁻³⁰ ≈ 10⁻¹³); a
forced risk's contagion (``raises``) is kept only towards risks the
scenario has.

**Percentile stress** forces one uncertain input into a decile of its own
distribution: the input X with quantile function F⁻¹ is replaced, on every
path, by F⁻¹(u) with u in [0.9, 1] (the top decile) or [0, 0.1] (the bottom
one), written as an equally weighted choice among the 50 midpoint quantiles
F⁻¹(0.9 + 0.1 (k + ½)/50), k = 0 … 49 (which matches the decile's mean to
within the curvature of F⁻¹ over 1/500 of probability). The *worst* decile
is the one whose run ends with the lower P(alive at the horizon) (ties: the
lower mean cash), found by running both on common random numbers.

:func:`stress` runs the base scenario and every stressed variant on common
random numbers and returns a :class:`~venturesim.analysis.compare.Comparison`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import yaml

from venturesim.analysis.claims import Claim, alive_at, parse_claim
from venturesim.analysis.compare import Comparison, dead_as_zero, run_variants

FORCED_HAZARD = 30.0
"""Monthly hazard of a forced risk in its month: it strikes with probability 1 − e⁻³⁰."""
QUANTILE_POINTS = 50
"""Midpoint quantiles that stand for a decile in percentile stress."""


@dataclass(frozen=True)
class StressPack:
    """One named set of shocks (see the module docstring and the data file's header)."""

    name: str
    title: str
    description: str
    source: str
    overrides: tuple[str, ...] = ()
    force_risks: dict[str, int] = field(default_factory=dict)
    moves: dict[str, str] = field(default_factory=dict)
    outcome: dict[str, str] = field(default_factory=dict)


@functools.lru_cache(maxsize=1)
def _pack_data() -> dict[str, Any]:
    text = resources.files("venturesim.analysis").joinpath("data/stress_packs.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def stress_packs() -> dict[str, StressPack]:
    """The shipped stress packs by name."""
    packs = {}
    for name, entry in _pack_data().items():
        packs[name] = StressPack(
            name=name,
            title=entry["title"],
            description=" ".join(entry["description"].split()),
            source=" ".join(entry["source"].split()),
            overrides=tuple(entry.get("overrides", ())),
            force_risks=dict(entry.get("force_risks", {})),
            moves=dict(entry.get("moves", {})),
            outcome=dict(entry.get("outcome", {})),
        )
    return packs


def get_pack(name: str) -> StressPack:
    """A shipped pack by name; :class:`~venturesim.spec.errors.UsageError` naming the nearest one if unknown."""
    from venturesim.spec.errors import UsageError, suggest

    packs = stress_packs()
    if name not in packs:
        hint = suggest(name, packs)
        raise UsageError(
            f"no stress pack {name!r}" + (f"; did you mean {hint!r}?" if hint else "") + f" (packs: {', '.join(packs)})"
        )
    return packs[name]


def expand(data: dict, text: str) -> list[str]:
    """The concrete overrides a pack's override stands for in scenario ``data`` (a plain dict).

    ``*`` is replaced by the name of every item of the list at that point; a path the scenario lacks,
    or a field left at its default (``None``: nothing to scale), gives no override.
    """
    equals = text.find("=")
    op_start = equals - 1 if equals > 0 and text[equals - 1] in "*/+-" else equals
    parts, suffix = tuple(text[:op_start].strip().split(".")), text[op_start:]
    found: list[str] = []

    def walk(node: Any, parts: tuple[str, ...], done: list[str]) -> None:
        if not parts:
            if node is not None:
                found.append(".".join(done) + suffix)
            return
        head, rest = parts[0], parts[1:]
        if isinstance(node, list):
            names = [item.get("name") for item in node if isinstance(item, dict)]
            targets = [n for n in names if n] if head == "*" else [head] if head in names else []
            for name in targets:
                walk(node[names.index(name)], rest, [*done, str(name)])
        elif isinstance(node, dict) and head in node:
            walk(node[head], rest, [*done, head])

    walk(data, parts, [])
    return found


def apply_pack(scenario, pack: StressPack):
    """``scenario`` under ``pack``: (the stressed Scenario, the overrides applied, the pack's overrides skipped)."""
    from venturesim.risks.catalog import catalog_entries
    from venturesim.scenario.loader import from_dict
    from venturesim.scenario.overrides import apply_overrides, parse_override

    data = scenario.model_dump(mode="python")
    applied: list[str] = []
    skipped: list[str] = []
    for text in pack.overrides:
        concrete = expand(data, text)
        (applied if concrete else skipped).extend(concrete or [text])
    data = apply_overrides(data, [parse_override(t) for t in applied])
    risks = data.setdefault("risks", {})
    for risk, month in pack.force_risks.items():
        if risks.get("include") != "all":
            include = list(risks.get("include") or [])
            risks["include"] = include + ([risk] if risk not in include else [])
        if risk in (risks.get("exclude") or []):
            risks["exclude"] = [r for r in risks["exclude"] if r != risk]
        patch = dict((risks.get("overrides") or {}).get(risk, {}))
        patch.pop("annual_probability", None)
        included = set(catalog_entries()) if risks.get("include") == "all" else set(risks["include"])
        included |= {r["name"] for r in risks.get("custom") or []}
        raises = patch.get("raises", catalog_entries().get(risk, {}).get("raises", []))
        patch["raises"] = [link for link in raises if link["risk"] in included]  # contagion only to risks present
        knots = {0: 0.0, int(month): FORCED_HAZARD, int(month) + 1: 0.0}
        patch |= {"hazard_monthly": {"schedule": knots}, "start_month": 0, "max_events": 1}  # one event
        risks["overrides"] = dict(risks.get("overrides") or {}) | {risk: patch}
        applied.append(f"risk {risk} strikes in month {month}")
    stressed = from_dict(
        data, filename=f"stress pack {pack.name}", base_dir=scenario._base_dir, allow_outside=scenario._allow_outside
    )
    return stressed, applied, skipped


def decile_spec(spec, decile: str) -> dict:
    """The YAML form of ``spec`` restricted to its top (``high``) or bottom (``low``) decile."""
    start = 0.9 if decile == "high" else 0.0
    u = start + 0.1 * (np.arange(QUANTILE_POINTS) + 0.5) / QUANTILE_POINTS
    return {"dist": "choice", "values": [float(v) for v in spec.ppf(u)]}


def percentile_variants(scenario, name: str) -> dict:
    """The two decile stresses of uncertain input ``name``: {"NAME high decile": sc, "NAME low decile": sc}."""
    from venturesim.scenario.inputs import uncertain_inputs
    from venturesim.spec.errors import UsageError, suggest

    inputs = uncertain_inputs(scenario)
    if name not in inputs:
        hint = suggest(name, inputs)
        raise UsageError(
            f"{name!r} is not an uncertain input of the scenario"
            + (f"; did you mean {hint!r}?" if hint else "")
            + " (`venturesim inputs SCENARIO` lists them)"
        )
    return {
        f"{name} {decile} decile": scenario.override({name: decile_spec(inputs[name], decile)})
        for decile in ("high", "low")
    }


def stress(
    scenario,
    packs: Sequence[str | StressPack] = (),
    *,
    percentiles: Sequence[str] = (),
    paths: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    claims: Sequence[str | Claim] = (),
    progress=None,
) -> Comparison:
    """The base scenario against each stress pack and each input's worst decile, on common random numbers.

    Returns a Comparison whose first variant is ``base``; ``notes`` records what each pack applied and
    skipped, and which decile was the worse for each percentile stress.
    """
    import venturesim as vs

    scenario = vs.load(scenario)
    parsed = [c if isinstance(c, Claim) else parse_claim(c) for c in claims]
    metrics = [m for c in parsed for m in c.metrics()]
    variants: dict[str, Any] = {"base": scenario}
    notes = []
    for pack in packs:
        pack = pack if isinstance(pack, StressPack) else get_pack(pack)
        stressed, applied, skipped = apply_pack(scenario, pack)
        variants[pack.name] = stressed
        notes.append(f"{pack.name}: {pack.title}. Applied: {'; '.join(applied) or 'nothing'}.")
        if skipped:
            notes.append(f"{pack.name}: not in this scenario, skipped: {'; '.join(skipped)}.")
        notes.append(f"{pack.name} source: {pack.source}")
    settings: dict[str, Any] = {"paths": paths, "seed": seed, "months": months, "metrics": metrics}
    results = run_variants(variants, **settings, progress=progress)
    for name in percentiles:
        both = run_variants(percentile_variants(scenario, name), **settings)
        horizon = next(iter(both.values())).months
        score = {
            k: (alive_at(r, horizon).mean(), float(np.mean(dead_as_zero(r, r.data["final_cash"].values, horizon))))
            for k, r in both.items()
        }  # the mean cash counts a dead path as $0, as the comparison's figures do
        worst = min(score, key=lambda k: score[k])
        results[worst.replace(" decile", " decile (worst)")] = both[worst]
        notes.append(
            "percentile stress: "
            + "; ".join(f"{k}: P(alive at {horizon}) {s[0]:.1%}, mean cash ${s[1]:,.0f}" for k, s in score.items())
        )
    return Comparison(results, parsed, notes=notes)


def input_level(scenario, name: str, month: int = 0) -> float:
    """A typical value of input ``name`` in ``scenario``: a number itself, a distribution's median, a
    schedule's or trend's value at ``month`` (at the inputs' medians); ``risks.NAME``: that risk's
    monthly hazard at ``month`` (−ln(1 − p)/12 for an annual probability p)."""
    import math

    from venturesim.scenario.inputs import iter_inputs
    from venturesim.spec.distributions import Spec
    from venturesim.spec.timeseries import Schedule, Trend

    def median(value) -> float:
        return float(value.ppf(np.array([0.5]))[0]) if isinstance(value, Spec) else float(value)

    def at(value) -> float:
        if isinstance(value, Schedule):
            knots = [m for m in value.schedule if m <= month] or [min(value.schedule)]
            return median(value.schedule[max(knots)])
        if isinstance(value, Trend):
            return median(value.start) * (1 + median(value.growth)) ** month
        return median(value)

    if name.startswith("risks."):
        risk = next((r for r in scenario.risks.risks if r.name == name.split(".", 1)[1]), None)
        if risk is None:
            return 0.0
        if risk.hazard_monthly is not None:
            return at(risk.hazard_monthly) if month >= risk.start_month else 0.0
        return -math.log(1 - median(risk.annual_probability)) / 12
    node = scenario
    for part in name.split("."):
        if isinstance(node, list):
            node = next(item for item in node if getattr(item, "name", None) == part)
        else:
            node = getattr(node, part)
    if isinstance(node, (Schedule, Trend, Spec, int, float)):
        return at(node)
    raise ValueError(f"{name!r} is a section, not an input (inputs: {', '.join(n for n, _ in iter_inputs(scenario))})")


def pack_moves(scenario, pack: StressPack) -> list[tuple[str, float, float]]:
    """(input, level before, level after) for the input the pack says it moves, for every list item that
    ``*`` stands for (:func:`input_level` at the pack's month for a forced risk)."""
    stressed, _, _ = apply_pack(scenario, pack)
    name = pack.moves["input"]
    month = max(pack.force_risks.values(), default=0)
    names = [name]
    if "*" in name:
        names = [t.split("=")[0].rstrip("*/+-") for t in expand(scenario.model_dump(mode="python"), f"{name}=0")]
    return [(n, input_level(scenario, n, month), input_level(stressed, n, month)) for n in names]
