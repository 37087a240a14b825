"""The YAML reference, generated from the scenario schema.

Every table in ``docs/yaml-reference.md`` is read from the pydantic models —
field names, types, defaults, descriptions (which carry the units) and bounds
(from the ``bounded``/``uncertain`` validators of
:mod:`venturesim.spec.distributions`, else from the pydantic ``Field``
constraints) — so the reference cannot drift from the code. Regenerate it
with::

    python -m venturesim.scenario.reference > docs/yaml-reference.md   # or: make docs

The output is deterministic (same schema ⇒ same bytes); a test compares it
with the committed file.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from venturesim.scenario import inputs
from venturesim.scenario.schema import Scenario
from venturesim.spec import distributions, timeseries
from venturesim.spec._base import _identifier, unique_names
from venturesim.spec.distributions import OUTSIDE_TOLERANCE, Dist, Spec
from venturesim.spec.timeseries import Schedule, Trend

__all__ = ["CHECKS", "iter_sections", "main", "render", "spec_models"]

TIME_VARYING_WORDS = "time-varying (number, distribution, schedule or trend)"
DIST_WORDS = "number or distribution"

CHECKS: dict[str, str] = {
    # Rules that a model or field validator enforces but that pydantic cannot
    # describe. A test fails when a validator exists without an entry here.
    "Scenario": (
        "every name in `correlations` must be an uncertain input (a field given as a distribution, "
        "named as in [input names](#input-names)); an input cannot be correlated with itself; a pair "
        "may appear once; the implied correlation matrix must be positive definite. "
        "`team.capacity_effects.engineering` needs a `product:` section whose `quality_response` has an "
        "elasticity above 0 (the gain acts through it)."
    ),
    "Target": (
        "a plain sentence is read as `{claim: SENTENCE}`; the claim must be a sentence of the claims grammar "
        "(docs/analysis.md: `alive at month N`, `METRIC OP VALUE at|by month N`, `break-even by month N`, "
        "`ROUND within N months`, `founders keep OP X% after ROUND`), its month within the horizon and its "
        "round one of the scenario's."
    ),
    "Target.claim": "must be a sentence of the claims grammar (see above).",
    "Role.headcount": "months and headcounts must be >= 0.",
    "Company": "`founder_ownership + option_pool` must be <= 1.",
    "Role": (
        "needs `monthly_cost`, `salary_annual` or a catalogue `kind` (which fills unset fields; an unknown "
        "kind or location is refused with a hint); with `dynamics: false` no pipeline or attrition field may be set."
    ),
    "RoundPricing": "`min_dilution` must be <= `max_dilution`.",
    "HirePer": "give `customers` or `new_arr` (or both; the larger target wins).",
    "Market": "every channel's `segment` must name a segment.",
    "Segment": "with `repeat_usage` (BG/NBD dropout) neither `churn` nor `churn_concentration` may be given.",
    "FitWeights": "the fit weights must have a positive sum.",
    "Risks": (
        "every name in `include`, `exclude`, `overrides`, `macro_factor` and `buy` must be a known risk (or "
        "mitigation); overrides apply to included risks only; macro-factor loadings lie in [-0.99, 0.99]; "
        "a contagion link (`raises`) must name a risk of the scenario."
    ),
    "Risk": "give exactly one of `hazard_monthly` and `annual_probability`.",
    "Impact": (
        "`segment` only for market targets, `round` only for funding.success_probability, `run` only for "
        "product.failure_probability; company.one_off_cost is mode `add` without duration; a multiply "
        "impact's value is >= 0."
    ),
    "Pricing.tiers": "tier shares must sum to 1.",
    "Round": (
        "a priced round needs `pre_money` and takes no `valuation_cap` or `discount`; a SAFE or note needs "
        "`valuation_cap` and takes no `pre_money`, `option_pool_post` or `bridge`; `interest_annual`, "
        "`maturity_months` and `at_maturity` only on a note; `mfn` only on a SAFE; no `pro_rata` on a note."
    ),
    "VentureDebt": "give exactly one of `draw_month` and `with_round`.",
    "Funding": (
        "a loan's `with_round` must name a round; a round's bridge is named `<round>_bridge`, which no "
        "other round may use."
    ),
    "Team": (
        "`cliff_months` <= `vesting_months`; `location` must be a catalogue location; every role in "
        "`layoffs.roles` must exist; each `capacity_effects` block (engineering, sales, support) needs a role "
        "of that `function`."
    ),
    "TrainingRun": "give `parameters` for a pre-training run, or `base` (an earlier run) or `base_model` (an open "
    "model of the catalogue), not both and no `parameters`, for a fine-tune; `loss_reduction` and `method` only on "
    "a fine-tune.",
    "ServingPhase": "strategy `api` needs `api_model` (a catalogue name); `api_model` and `price_multiplier` only "
    "with strategy `api`.",
    "Product": "`initial_model` (a preset) excludes `initial_loss` and `initial_parameters`; `serving_plan` months "
    "increase; `calibration_transfer: none` needs a calibration whose law is in nats/token.",
    "TrainingRun.accelerator": "must name an accelerator of the hardware catalogue (`h100_sxm`, `a100_80gb`, ...).",
    "Serving.accelerator": "must name an accelerator of the hardware catalogue (`h100_sxm`, `a100_80gb`, ...).",
    "Product.training_runs": "a fine-tune's `base` must be the name of an earlier run.",
    "Product.calibration": "the file must exist (a relative path is read from the scenario file's folder).",
    "Schedule.schedule": "months must be >= 0; knots are sorted by month.",
    "Beta": "`high` must be greater than `low`.",
    "Uniform": "`high` must be greater than `low`.",
    "Triangular": "need `low <= mode <= high` and `low < high`.",
    "Pert": "need `low <= mode <= high` and `low < high`.",
    "Choice": "`weights`, when given, has one entry per value, all >= 0, with a positive sum.",
    "Range90": "`p95` must be greater than `p5`.",
    "PosteriorDraws": (
        "the file must exist (a relative path is read from the scenario file's folder) and the "
        "column must hold finite numbers; the input may not appear in `correlations`."
    ),
    "FileDraws": (
        "the file must exist (a relative path is read from the scenario file's folder) and the "
        "column must hold at least one row of finite numbers."
    ),
}
"""Cross-field rules, keyed by ``Model`` or ``Model.field``."""

# --------------------------------------------------------------------------- types


def _strip(annotation: Any) -> Any:
    """Drop ``Annotated[...]`` wrappers."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _union_members(annotation: Any) -> list[Any]:
    """Members of a (possibly nested, possibly Annotated) union, flattened."""
    annotation = _strip(annotation)
    if not _is_union(annotation):
        return [annotation]
    members: list[Any] = []
    for arg in get_args(annotation):
        members.extend(_union_members(arg))
    return members


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _kind(annotation: Any) -> str | None:
    """``"time-varying"`` or ``"dist"`` for the two spec unions, else None."""
    members = _union_members(annotation)
    if Schedule in members and Trend in members:
        return "time-varying"
    if any(_is_model(m) and issubclass(m, Spec) for m in members):
        return "dist"
    return None


def spec_models() -> list[type[Spec]]:
    """The distribution spec classes of :data:`Dist`, in the order of the union."""
    return [m for m in _union_members(Dist) if _is_model(m) and issubclass(m, Spec)]


_PLURAL = {"number": "numbers", "integer": "integers", "text": "texts", "true/false": "true/false values"}


def type_words(annotation: Any) -> str:
    """The type of a field in words."""
    kind = _kind(annotation)
    if kind == "time-varying":
        return TIME_VARYING_WORDS
    if kind == "dist":
        return DIST_WORDS
    annotation = _strip(annotation)
    if _is_union(annotation):
        members = [m for m in get_args(annotation) if m is not type(None)]
        words = ", or ".join(type_words(m) for m in members)
        return words + (" or null" if len(members) < len(get_args(annotation)) else "")
    origin = get_origin(annotation)
    if origin is Literal:
        values = get_args(annotation)
        return ("one of " if len(values) > 1 else "the word ") + ", ".join(f"`{v}`" for v in values)
    if origin in (list, tuple):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        if origin is tuple and len(set(map(str, args))) == 1:
            item = type_words(args[0])
            return f"list of {len(args)} {_PLURAL.get(item, item)}"
        item = type_words(args[0]) if args else "values"
        if _is_model(_strip(args[0])):
            return f"list of {item} entries"
        return f"list of {_PLURAL.get(item, item)}"
    if origin is dict:
        key, value = get_args(annotation)
        return f"mapping {type_words(key)} → {type_words(value)}"
    if annotation is bool:
        return "true/false"
    if annotation is int:
        return "integer"
    if annotation is float:
        return "number"
    if annotation is str:
        return "text"
    if _is_model(annotation):
        return annotation.__name__
    return str(annotation)  # pragma: no cover - every schema type is handled above


# -------------------------------------------------------------------------- bounds


def _closure(func: Any) -> dict[str, Any]:
    cells = getattr(func, "__closure__", None) or ()
    return dict(zip(func.__code__.co_freevars, (c.cell_contents for c in cells), strict=False))


def _bounds_from_validator(func: Any, kind: str | None) -> list[str]:
    """Bounds attached by ``bounded``/``uncertain`` (the closure of the checker)."""
    if not getattr(func, "__qualname__", "").startswith("_bounds_checker."):
        return []
    free = _closure(func)
    want = free.get("want")
    if not want:
        return []
    parts = [want]
    if kind is not None:
        parts.append(f"distributions: ≤ {OUTSIDE_TOLERANCE:.1%} outside, clipped")
    if kind == "time-varying" and free.get("hi") is not None:
        parts.append("a trend needs growth < 0")
    return parts


_NUMERIC = (
    (annotated_types.Gt, "gt", ">"),
    (annotated_types.Ge, "ge", ">="),
    (annotated_types.Lt, "lt", "<"),
    (annotated_types.Le, "le", "<="),
)


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def bounds_words(field: FieldInfo) -> str:
    """The field's bounds and checks in words ('' when it has none)."""
    kind = _kind(field.annotation)
    numeric: list[str] = []
    parts: list[str] = []
    optional = (
        [m for m in get_args(field.annotation) if get_origin(m) is Annotated] if _is_union(field.annotation) else []
    )  # `uncertain(...) | None`: the bounds sit on the union's member
    for meta in list(field.metadata) + [x for m in optional for x in get_args(m)[1:]]:
        for cls, attr, symbol in _NUMERIC:
            if isinstance(meta, cls):
                numeric.append(f"{symbol} {_number(getattr(meta, attr))}")
        if isinstance(meta, annotated_types.MinLen):
            parts.append(f"at least {_entries(meta.min_length)}")
        if isinstance(meta, annotated_types.MaxLen):
            parts.append(f"at most {_entries(meta.max_length)}")
        func = getattr(meta, "func", None)
        if func is not None:
            parts += _bounds_from_validator(func, kind)
            if func is _identifier:
                parts.append("a letter, then letters, digits, `_` or `-`")
            if func is unique_names:
                parts.append("names must differ")
    return "; ".join(([" and ".join(numeric)] if numeric else []) + parts)


# ------------------------------------------------------------------------ defaults


def _number(x: Any) -> str:
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:g}" if isinstance(x, float) else str(x)


def default_words(field: FieldInfo) -> str:
    """'required', or the default value as YAML would write it."""
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]  # pydantic's factories here take no data
        if isinstance(value, BaseModel):
            return "all defaults"
    else:
        value = field.default
    if value is None:
        return "`null`"
    if isinstance(value, (list, dict)) and not value:
        return "`[]`" if isinstance(value, list) else "`{}`"
    if isinstance(value, str):
        return f'`"{value}"`' if value == "" else f"`{value}`"
    return f"`{_number(value)}`"


# ------------------------------------------------------------------------ sections


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "scenario"


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    """Scenario sections reached through a field (a model or a list of models), not specs."""
    if _kind(annotation) is not None:
        return []
    annotation = _strip(annotation)
    if _is_union(annotation):  # an optional section: `Product | None`
        members = [m for m in _union_members(annotation) if m is not type(None) and get_origin(m) is not Literal]
        annotation = members[0] if len(members) == 1 else annotation  # `Traction | Literal["off"] | None` too
    if _is_model(annotation):
        return [annotation]
    if get_origin(annotation) in (list, tuple):
        return [a for a in map(_strip, get_args(annotation)) if _is_model(a)]
    return []


def _is_list(annotation: Any) -> bool:
    return get_origin(_strip(annotation)) in (list, tuple)


def iter_sections(model: type[BaseModel] = Scenario, path: str = "") -> Iterator[tuple[str, type[BaseModel]]]:
    """(path, model) of the scenario and every nested section, depth first in field order."""
    yield path, model
    for name, field in model.model_fields.items():
        for nested in _nested_models(field.annotation):
            child = f"{path}.{name}" if path else name
            yield from iter_sections(nested, child + ("[]" if _is_list(field.annotation) else ""))


def _doc(model: type) -> str:
    """The model's own docstring (not an inherited one), as Markdown."""
    text = model.__dict__.get("__doc__") or ""
    return _rst_to_md(inspect.cleandoc(text)) if text else ""


def _rst_to_md(text: str) -> str:
    return text.replace("``", "`")


def _description(model: type[BaseModel], name: str, field: FieldInfo) -> str:
    text = field.description
    if not text:
        nested = _nested_models(field.annotation)
        text = _doc(nested[0]).split("\n\n")[0].replace("\n", " ") if nested else ""
    if not text and get_origin(_strip(field.annotation)) is Literal:
        text = "Selects this distribution."
    check = _check(model, name)
    return " ".join(part for part in (text, f"Check: {check}" if check else "") if part)


def _type_cell(field: FieldInfo, section_paths: dict[type, str]) -> str:
    words = type_words(field.annotation)
    kind = _kind(field.annotation)
    if kind == "time-varying":
        return f"{words}, see [time-varying inputs](#time-varying-inputs)"
    if kind == "dist":
        return f"{words}, see [distribution specs](#distribution-specs)"
    for nested in _nested_models(field.annotation):
        if nested in section_paths:
            anchor = _anchor(section_paths[nested])
            return f"{words} — see [{nested.__name__}](#{anchor})"
    return words


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def field_table(
    model: type[BaseModel], prefix: str, section_paths: dict[type, str] | None = None, skip: tuple[str, ...] = ()
) -> list[str]:
    """Markdown table of ``model``'s fields, paths prefixed by ``prefix``."""
    section_paths = section_paths or {}
    lines = ["| field | type | required / default | bounds | description |", "|---|---|---|---|---|"]
    for name in ordered_fields(model):
        field = model.model_fields[name]
        if name in skip:
            continue
        path = f"{prefix}.{name}" if prefix else name
        if _is_list(field.annotation) and _nested_models(field.annotation):
            path += "[]"
        cells = (
            f"`{path}`",
            _type_cell(field, section_paths),
            default_words(field),
            bounds_words(field) or "—",
            _description(model, name, field) or "—",
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def _check(model: type, field: str | None = None) -> str | None:
    """The CHECKS entry of a model (or one of its fields), inherited along the MRO."""
    for cls in model.__mro__:
        key = cls.__name__ if field is None else f"{cls.__name__}.{field}"
        if key in CHECKS:
            return CHECKS[key]
    return None


def _model_check(model: type) -> list[str]:
    check = _check(model)
    return ["", f"Check: {check}"] if check else []


def ordered_fields(model: type[BaseModel]) -> list[str]:
    """Field names in schema order; for a distribution spec, ``dist`` then required then optional."""
    names = list(model.model_fields)
    if not issubclass(model, Spec):
        return names

    def rank(name: str) -> tuple[int, int, int]:
        return (name != "dist", not model.model_fields[name].is_required(), names.index(name))

    return sorted(names, key=rank)


# ------------------------------------------------------------------------ specs


def _scipy_table() -> dict[str, str]:
    """dist name → scipy equivalent, read from the table in distributions' docstring."""
    doc = distributions.__doc__ or ""
    rows: dict[str, str] = {}
    rules = 0
    for line in doc.splitlines():
        if line.startswith("====="):
            rules += 1
            continue
        if rules == 2 and line.strip():
            cells = re.split(r"\s{2,}", line.strip())
            if len(cells) >= 3:
                rows[cells[0]] = cells[-1]
    return rows


def _spec_title(spec: type[Spec]) -> tuple[str, str]:
    """Heading text and anchor of a spec form."""
    dist = spec.model_fields.get("dist")
    if dist is not None:
        (name,) = get_args(_strip(dist.annotation))
        return f"`dist: {name}` — {spec.__name__}", f"dist-{name}"
    keys = ", ".join(n for n in spec.model_fields if n not in Spec.model_fields)
    return f"`{{{keys}}}` — {spec.__name__}", _anchor(spec.__name__)


def _spec_sections() -> list[str]:
    scipy = _scipy_table()
    common = list(Spec.model_fields)
    lines = [
        '<a id="distribution-specs"></a>',
        "## Distribution specs",
        "",
        "Wherever the type says *number or distribution*, write one of:",
        "",
        "- a plain number — no uncertainty;",
        "- `{dist: NAME, ...}` with NAME one of "
        + ", ".join(
            f"[`{_spec_title(s)[1][5:]}`](#{_spec_title(s)[1]})" for s in spec_models() if "dist" in s.model_fields
        )
        + ";",
        "- the 90 % range shorthand [`{p5: a, p95: b}`](#range90);",
        "- draws from a file, [`{file: ..., column: ...}`](#filedraws);",
        (
            "- one column of a joint posterior written by `venturesim calibrate`, "
            "[`{posterior: ..., column: ...}`](#posteriordraws) (one row per path, shared by the file's columns)."
        ),
        "",
        (
            "A mapping is read as `dist: NAME` when it has a `dist` key, as file draws when it has "
            "`file`, as posterior draws when it has `posterior`, as a schedule when it has `schedule`, "
            "as a trend when it has `start` or `growth` "
            "(only where the field is time-varying), and as the p5/p95 shorthand otherwise. One value "
            "is drawn per path, by inversion (`ppf(u)` of a uniform `u`, correlated through the "
            "Gaussian copula when the input appears in `correlations`)."
        ),
        "",
        (
            f"**Bounds.** A field's bounds apply to every draw. A distribution may put at most "
            f"{OUTSIDE_TOLERANCE:.1%} of its mass outside them (checked on a "
            f"{len(distributions._GRID):,}-point probability grid); draws outside are clipped to the "
            "bound (an open bound `> a` clips to the next float above `a`). A plain number must lie "
            "within the bounds."
        ),
        "",
        "### Fields every form accepts",
        "",
        *field_table(Spec, ""),
        "",
        (
            "The drawn value is `shift + scale × draw`; shocks such as `--set price*=0.7` act on these "
            "two fields, so the distribution's shape is kept."
        ),
    ]
    for spec in spec_models():
        title, anchor = _spec_title(spec)
        lines += ["", f'<a id="{anchor}"></a>', f"### {title}", ""]
        doc = _doc(spec)
        if doc:
            lines += [doc, ""]
        name = anchor[5:] if anchor.startswith("dist-") else None
        if name and name in scipy:
            lines += [f"scipy equivalent: {_rst_to_md(scipy[name])}", ""]
        lines += field_table(spec, "", skip=tuple(common))
        lines += _model_check(spec)
    lines += ["", _range90_formula()]
    return lines


def _range90_formula() -> str:
    doc = distributions.__doc__ or ""
    match = re.search(r"The p5/p95 shorthand:(.*?)(?:\n\n|\Z)", doc, re.S)
    text = " ".join(match.group(1).split()) if match else ""
    return f"**The p5/p95 shorthand**: {text}" if text else ""


def _timeseries_sections() -> list[str]:
    doc = _rst_to_md(inspect.cleandoc(timeseries.__doc__ or ""))
    paragraphs = doc.split("\n\n")[1:]  # drop the title line
    lines = [
        '<a id="time-varying-inputs"></a>',
        "## Time-varying inputs",
        "",
        (
            "Wherever the type says *time-varying*, write a [number or distribution](#distribution-specs) "
            "(constant over time, drawn once per path), a [schedule](#schedule) or a [trend](#trend)."
        ),
        "",
        *(p.replace("\n", " ") + "\n" for p in paragraphs),
        (
            "A field's bounds apply to each knot of a schedule and to a trend's start; on a field with "
            "an upper bound (such as churn) a trend must have growth < 0, because a rising trend "
            "grows without bound."
        ),
    ]
    for model in (Schedule, Trend):
        lines += ["", f'<a id="{model.__name__.lower()}"></a>', f"### {model.__name__}", ""]
        if _doc(model):
            lines += [_doc(model), ""]
        lines += field_table(model, "")
        lines += _model_check(model)
    return lines


def _input_names_section() -> list[str]:
    doc = _rst_to_md(inspect.cleandoc(inputs.__doc__ or ""))
    body = " ".join(doc.split("\n\n", 1)[-1].split())
    return [
        '<a id="input-names"></a>',
        "## Input names (overrides and correlations)",
        "",
        body,
        "",
        (
            "The same names are used by `--set` overrides (`market.segments.smb.price*=0.7`), by "
            "`correlations[].between` and as the columns of `result.inputs`. In this reference a list "
            "is written `segments[]`; in a name, its items are named by their `name`."
        ),
    ]


# -------------------------------------------------------------------------- render


def _ensure_built() -> None:
    """Resolve forward references left by import order (``Trend.growth``) before reading fields."""
    models: list[type[BaseModel]] = [Scenario, Schedule, Trend, *spec_models()]
    for model in models:
        if not model.__pydantic_complete__:
            model.model_rebuild()


def render() -> str:
    """The whole reference as Markdown."""
    _ensure_built()
    sections = list(iter_sections())
    section_paths = {model: path or "scenario" for path, model in sections}
    lines = [
        "# Scenario YAML reference",
        "",
        "<!-- Generated by `python -m venturesim.scenario.reference` (make docs) from the pydantic",
        "     schema in venturesim/; do not edit by hand. -->",
        "",
        (
            "Every field of a scenario file, generated from the schema. Units are in each description: "
            "money in US dollars (nominal), time in months, rates per month unless the name ends in "
            "`_annual`. Unknown keys are errors (with a did-you-mean); `venturesim validate FILE` "
            "lists every problem with its line and column. Start from `venturesim new FILE`, or copy "
            "a file from `scenarios/`."
        ),
        "",
        "## Contents",
        "",
    ]
    for path, model in sections:
        label = path or "(top level)"
        lines.append(f"- [`{label}` — {model.__name__}](#{_anchor(path or 'scenario')})")
    lines += [
        "- [Distribution specs](#distribution-specs)",
        "- [Time-varying inputs](#time-varying-inputs)",
        "- [Input names (overrides and correlations)](#input-names)",
        "",
    ]
    for path, model in sections:
        heading = f"`{path}` — {model.__name__}" if path else f"Top level — {model.__name__}"
        lines += [f'<a id="{_anchor(path or "scenario")}"></a>', f"## {heading}", ""]
        if _doc(model):
            lines += [_doc(model), ""]
        lines += field_table(model, path, section_paths)
        lines += _model_check(model)
        lines.append("")
    lines += _spec_sections()
    lines.append("")
    lines += _timeseries_sections()
    lines.append("")
    lines += _input_names_section()
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
    return text


def main() -> None:
    """Write the reference to standard output (UTF-8 whatever the locale)."""
    sys.stdout.buffer.write(render().encode("utf-8"))


if __name__ == "__main__":  # pragma: no cover - exercised through `python -m` in the tests
    main()
