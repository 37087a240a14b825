"""Previewing a scenario's uncertain inputs without simulating: quantiles and a text histogram.

Quantiles are exact: Q(q) = F⁻¹(q) of the input's distribution spec (with
its scale and shift, clipped into the field's bounds as when sampling). The
histogram is that of the deterministic stratified sample F⁻¹((k + ½)/N),
k = 0 … N − 1 (N = 2,000): no random numbers, so the same scenario always
prints the same picture. These are the marginal distributions; rank
correlations between inputs do not change them.

Nothing here imports the simulation engines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
STRATA = 2_000
"""Points of the stratified sample the histogram is drawn from."""
BINS, WIDTH = 12, 40


def _spec_text(spec) -> str:
    """The spec in words: its type and the fields that differ from their defaults."""
    fields = spec.model_dump(exclude_defaults=True)
    kind = fields.pop("dist", type(spec).__name__.lower())
    body = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in fields.items())
    return f"{kind}({body})" if body else str(kind)


def input_quantiles(scenario, quantiles=(0.05, 0.5, 0.95)) -> pd.DataFrame:
    """Every uncertain input of ``scenario`` (the ``--set`` names) with its quantiles.

    Columns: input, distribution, then ``p5``, ``p50``, ``p95`` (or the given quantiles).
    """
    from venturesim.scenario.inputs import uncertain_inputs

    rows = []
    for name, spec in uncertain_inputs(scenario).items():
        values = spec.ppf(np.asarray(quantiles, np.float64))
        rows.append((name, _spec_text(spec), *map(float, values)))
    columns = ["input", "distribution", *(f"p{round(100 * q)}" for q in quantiles)]
    return pd.DataFrame(rows, columns=columns)


def describe_input(scenario, name: str) -> str:
    """One input's distribution as text: its spec, quantiles, mean and a histogram.

    Raises
    ------
    UsageError
        If ``name`` is not an input of the scenario (with the nearest name), or is a plain number.
    """
    from venturesim.scenario.inputs import iter_inputs
    from venturesim.spec.distributions import Spec
    from venturesim.spec.errors import UsageError, suggest

    every = dict(iter_inputs(scenario))
    if name not in every:
        hint = suggest(name, every)
        raise UsageError(
            f"{name!r} is not an input of the scenario"
            + (f"; did you mean {hint!r}?" if hint else "")
            + " (`venturesim inputs SCENARIO` lists the uncertain ones)"
        )
    spec = every[name]
    if not isinstance(spec, Spec):
        return f"{name} = {spec:g} (a plain number: no uncertainty)"
    sample = spec.ppf((np.arange(STRATA) + 0.5) / STRATA)
    lines = [f"{name}: {_spec_text(spec)}"]
    lines += [
        f"  p{round(100 * q):<4d} {_short(v):>14}"
        for q, v in zip(QUANTILES, spec.ppf(np.asarray(QUANTILES)), strict=True)
    ]
    lines.append(f"  mean  {_short(sample.mean()):>14}")
    lines.append(histogram(sample))
    return "\n".join(lines)


def _short(value: float) -> str:
    """A number with 4 significant digits, with thousands separators from 10,000 on."""
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"


def histogram(values: np.ndarray, bins: int = BINS, width: int = WIDTH) -> str:
    """A text histogram: one line per bin, ``[low, high)`` and a bar of █ proportional to its count."""
    values = np.asarray(values, np.float64)
    if np.ptp(values) == 0:
        return f"  all values {values[0]:,.6g}"
    counts, edges = np.histogram(values, bins=bins)
    top = counts.max()
    lines = []
    for count, low, high in zip(counts, edges[:-1], edges[1:], strict=True):
        bar = "█" * round(width * count / top)
        lines.append(f"  {_short(low):>12} – {_short(high):<12} {bar} {count / len(values):.1%}")
    return "\n".join(lines)
