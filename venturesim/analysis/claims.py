"""Claims about a company's future, in words, and which simulated paths make them true.

A claim is one short sentence, read by a small grammar (a tokenizer and a
fixed set of sentence forms; nothing is ever evaluated as code)::

    alive at month 36                      survive to month 36
    ARR >= $10M by month 24                revenue > 50k at month 12
    gross margin >= 60% at month 24        cash >= 0 at month 18
    break-even by month 30                 profitable by month 30
    series_a within 18 months              seed closes by month 12
    founders keep >= 50% after the series_a

Forms and their meaning on one path (month m is the end of month m, as in
:meth:`venturesim.engine.result.Result.survival`):

* ``alive at month N``: operating at N — not dead (``death_month`` −1 or
  ≥ N) and not sold or listed by N (the summary's "alive at month N").
* ``METRIC OP VALUE at month N``: the metric's value at the end of month N
  satisfies the comparison; ``by month N``: it does in at least one month
  1 … N. A value that is not a number (NaN, e.g. the gross margin of a dead
  path) satisfies nothing.
* ``break-even by month N`` (or ``profitable``): revenue ≥ costs in at least
  one month 1 … N while alive.
* ``ROUND within N months`` (``closes by month N``): the round closed, in a
  month t with t + 1 ≤ N (the summary's "month round closed" is t + 1).
* ``founders keep OP X% after [the] ROUND``: the round closed and the
  founders' ownership at the end of its closing month satisfies the
  comparison (a path whose round never closes does not meet the claim).

METRIC is any monthly metric by its name (``arr``, ``cash``, ``customers``,
``runway`` …, see :data:`venturesim.engine.metrics.MONTHLY_METRICS`), a
spelling with spaces (``net burn``) or ``gross margin`` =
1 − cost_of_revenue / revenue. OP is one of ``>= ≥ > <= ≤ <``, ``at least``,
``at most``, ``above``, ``below``. VALUE is a number with an optional ``$``,
thousands separators ``,`` or ``_``, a suffix ``k``, ``M``, ``B`` (10³, 10⁶,
10⁹) and an optional ``%`` (÷ 100). Words are case-insensitive.

The probability of a claim is the share of paths where it holds, with the
binomial standard error √(p(1 − p)/n).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

COMPARATORS = {
    ">=": ">=",
    "≥": ">=",
    "at least": ">=",
    ">": ">",
    "above": ">",
    "more than": ">",
    "<=": "<=",
    "≤": "<=",
    "at most": "<=",
    "<": "<",
    "below": "<",
    "less than": "<",
}
_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9}
DERIVED = {"gross_margin": ("revenue", "cost_of_revenue")}
"""Metrics computed from recorded ones: name → metrics needed."""

_ROUND = r"(?:raises?\s+)?(?:the\s+)?(?P<round>[a-z0-9_\- ]+?)"
_OP = r"(?P<op>>=|≥|<=|≤|>|<|at least|at most|above|below|more than|less than)"
_VALUE = (
    r"(?P<value>[-+]?\$?\s*[0-9][0-9,_]*(?:\.[0-9]+)?|[-+]?\$?\s*\.[0-9]+)\s*(?P<suffix>k|mm|m|bn|b)?\s*(?P<pct>%)?"
)
_MONTH = r"(?:month\s+)?(?P<month>[0-9]+)"
_FORMS = [
    ("alive", re.compile(rf"^(?:alive|operating|survives?)\s+(?:at|to|until|through)\s+{_MONTH}$")),
    ("break_even", re.compile(rf"^(?:break[- ]?even|profitable|cash[- ]flow positive)\s+by\s+{_MONTH}$")),
    ("round", re.compile(rf"^{_ROUND}\s+(?:closes\s+|closed\s+)?within\s+(?P<month>[0-9]+)\s+months?$")),
    ("round", re.compile(rf"^{_ROUND}\s+(?:closes|closed|raised)\s+by\s+{_MONTH}$")),
    ("ownership", re.compile(rf"^founders?\s+(?:keep|own|retain|hold)s?\s+{_OP}\s*{_VALUE}\s+after\s+{_ROUND}$")),
    ("metric", re.compile(rf"^(?P<metric>[a-z][a-z_ ]*?)\s*{_OP}\s*{_VALUE}\s+(?P<when>at|by)\s+{_MONTH}$")),
]
_EXAMPLES = (
    "'alive at month 36', 'ARR >= $10M by month 24', 'gross margin >= 60% at month 24', "
    "'break-even by month 30', 'series_a within 18 months', 'founders keep >= 50% after the series_a'"
)


class ClaimError(ValueError):
    """A claim that the grammar cannot read, or that names what the scenario lacks."""


@dataclass(frozen=True)
class Claim:
    """One parsed claim (see the module docstring for the forms and their meaning).

    Attributes
    ----------
    text : the sentence as written.
    kind : ``alive``, ``break_even``, ``round``, ``ownership`` or ``metric``.
    month : N, months.
    metric : the monthly metric compared (``metric`` claims).
    op, threshold : the comparison (``metric`` and ``ownership`` claims), threshold in the metric's unit.
    when : ``at`` (month N) or ``by`` (any month 1 … N).
    round : the round's name (``round`` and ``ownership`` claims).
    name : a label for tables (default: the text).
    """

    text: str
    kind: str
    month: int = 0
    metric: str = ""
    op: str = ">="
    threshold: float = 0.0
    when: str = "at"
    round: str = ""
    name: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        """The claim's name, or its text."""
        return self.name or self.text

    def metrics(self) -> tuple[str, ...]:
        """The monthly metrics a simulation must record to check the claim."""
        if self.kind == "alive":
            return ()
        if self.kind == "break_even":
            return ("revenue", "costs", "alive")
        if self.kind == "ownership":
            return ("founder_ownership",)
        if self.kind == "metric":
            return DERIVED.get(self.metric, (self.metric,))
        return ()

    def problems(self, scenario, months: int | None = None) -> list[str]:
        """What the claim names that ``scenario`` lacks (a round, a month beyond the horizon)."""
        from venturesim.spec.errors import suggest

        found = []
        horizon = scenario.simulation.months if months is None else months
        if self.kind != "ownership" and not 1 <= self.month <= horizon:
            found.append(f"{self.text!r}: month {self.month} is outside the horizon 1..{horizon}")
        if self.kind in ("round", "ownership"):
            rounds = scenario.funding.class_names()
            if resolve_round(self.round, rounds) not in rounds:
                hint = suggest(self.round, rounds)
                found.append(
                    f"{self.text!r}: the scenario has no round {self.round!r}"
                    + (f"; did you mean {hint!r}?" if hint else f" (rounds: {', '.join(rounds) or 'none'})")
                )
        return found

    def holds(self, result) -> np.ndarray:
        """Per path, whether the claim holds: bool array (paths,).

        Raises
        ------
        ClaimError
            If the result lacks a metric or a round the claim needs.
        """
        missing = [m for m in self.metrics() if m not in result.data]
        if missing:
            raise ClaimError(f"{self.text!r} needs the monthly metric(s) {missing}: simulate with them recorded")
        if self.kind != "ownership" and self.month > result.months:
            raise ClaimError(f"{self.text!r}: month {self.month} is beyond the run's horizon of {result.months} months")
        d = result.data
        if self.kind == "alive":
            return alive_at(result, self.month)
        if self.kind == "break_even":
            n = self.month
            revenue, costs = d["revenue"].values[:, :n], d["costs"].values[:, :n]
            alive = np.asarray(d["alive"].values[:, :n], bool)
            return ((revenue >= costs) & alive & (revenue > 0)).any(axis=1)
        if self.kind in ("round", "ownership"):
            rounds = [str(r) for r in d["round"].values] if "round" in d.dims else []
            name = resolve_round(self.round, rounds)
            if name not in rounds:
                raise ClaimError(f"{self.text!r}: the result has no round {self.round!r} (rounds: {rounds})")
            close = d["round_close_month"].sel(round=name).values
            closed = (d["round_status"].sel(round=name).values == 2) & (close >= 0)
            if self.kind == "round":
                return closed & (close + 1 <= self.month)
            ownership = d["founder_ownership"].values  # (paths, months)
            at_close = ownership[
                np.arange(ownership.shape[0]), np.clip(close, 0, ownership.shape[1] - 1).astype(np.int64)
            ]
            return closed & compare(at_close, self.op, self.threshold)
        values = metric_values(result, self.metric)[:, : self.month]
        if self.when == "at":
            return compare(values[:, -1], self.op, self.threshold)
        return np.asarray(compare(values, self.op, self.threshold).any(axis=1), bool)


def resolve_round(name: str, rounds: list[str]) -> str:
    """A claim's round among the scenario's: as written, or ``series_<name>`` ("the A" → ``series_a``)."""
    if name in rounds or f"series_{name}" not in rounds:
        return name
    return f"series_{name}"


def alive_at(result, month: int) -> np.ndarray:
    """Per path: operating at the end of ``month`` (not dead, not sold or listed), as in the summary."""
    death = result.data["death_month"].values
    return ((death < 0) | (death >= month)) & ~(result.exited() <= month)


def metric_values(result, metric: str) -> np.ndarray:
    """(paths, months) float64 values of a recorded or derived (``gross_margin``) monthly metric."""
    d = result.data
    if metric == "gross_margin":
        revenue = np.asarray(d["revenue"].values, np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(revenue > 0, 1.0 - d["cost_of_revenue"].values / revenue, np.nan)
    values = np.asarray(d[metric].values, np.float64)
    if values.ndim != 2:
        raise ClaimError(f"metric {metric!r} has one value per segment; claims use whole-company metrics")
    return values


def compare(values: np.ndarray, op: str, threshold: float) -> np.ndarray:
    """``values OP threshold`` elementwise; NaN compares False."""
    values = np.asarray(values, np.float64)
    with np.errstate(invalid="ignore"):
        if op == ">=":
            return values >= threshold
        if op == ">":
            return values > threshold
        if op == "<=":
            return values <= threshold
        return values < threshold


def parse_claim(text: str, name: str = "") -> Claim:
    """Read one claim sentence.

    Raises
    ------
    ClaimError
        Naming what was expected, with examples, and the nearest metric name for an unknown one.
    """
    from venturesim.engine.metrics import MONTHLY_METRICS
    from venturesim.spec.errors import suggest

    if not isinstance(text, str):
        raise ClaimError(f"a claim is a sentence, found {text!r}; for example {_EXAMPLES}")
    if len(text) > 300:
        raise ClaimError(f"a claim is at most 300 characters; this one has {len(text)}")
    words = " ".join(text.strip().lower().replace("’", "'").split())
    for kind, pattern in _FORMS:
        match = pattern.match(words)
        if match is None:
            continue
        groups = match.groupdict()
        month = int(groups.get("month") or 0)
        if kind == "alive":
            return Claim(text, "alive", month=month, name=name)
        if kind == "break_even":
            return Claim(text, "break_even", month=month, name=name)
        if kind == "round":
            return Claim(text, "round", month=month, round=_round_name(groups["round"]), name=name)
        op, threshold = COMPARATORS[groups["op"]], _number(groups)
        if kind == "ownership":
            return Claim(text, "ownership", op=op, threshold=threshold, round=_round_name(groups["round"]), name=name)
        metric = groups["metric"].strip().replace(" ", "_")
        if metric not in MONTHLY_METRICS and metric not in DERIVED:
            known = [*MONTHLY_METRICS, *DERIVED]
            hint = suggest(metric, known)
            raise ClaimError(
                f"{text!r}: unknown metric {metric!r}"
                + (f"; did you mean {hint!r}?" if hint else f"; metrics are {', '.join(sorted(known))}")
            )
        return Claim(
            text, "metric", month=month, metric=metric, op=op, threshold=threshold, when=groups["when"], name=name
        )
    raise ClaimError(f"cannot read the claim {text!r}; expected a sentence such as {_EXAMPLES}")


def _round_name(words: str) -> str:
    """'Series A' → 'series_a' (a round's name as in the scenario)."""
    return re.sub(r"[\s\-]+", "_", words.strip())


def _number(groups: dict[str, Any]) -> float:
    raw = groups["value"].replace("$", "").replace(",", "").replace("_", "").replace(" ", "")
    value = float(raw) * _SUFFIX[groups.get("suffix") or ""]
    return value / 100.0 if groups.get("pct") else value


def probability(flags: np.ndarray) -> tuple[float, float]:
    """Share of paths where a claim holds and its binomial standard error."""
    from venturesim.analysis._stats import proportion

    return proportion(np.asarray(flags, bool))
