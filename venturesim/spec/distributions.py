"""Distribution specs: how a scenario states an uncertain number.

Every uncertain input in a scenario is one of

* a plain number (no uncertainty);
* ``{dist: NAME, ...}`` with NAME one of ``normal, lognormal, beta, gamma,
  uniform, triangular, pert, poisson, bernoulli, choice``;
* the 90 % range shorthand ``{p5: a, p95: b}``: a lognormal whose 5th and
  95th percentiles are ``a`` and ``b`` when both are positive, else a normal
  (Hubbard, *How to Measure Anything*, the "90 % confidence interval" habit);
* draws from a file, ``{file: posterior.csv, column: churn}`` (CSV or
  parquet), for example the posterior draws of a PyMC calibration;
* one column of a joint posterior, ``{posterior: market.parquet, column: bass_p_annual}``
  (written by :mod:`venturesim.calibrate`): each path takes one *row* of the
  file, the same row for every column of that file, so the correlations
  between the parameters (p, q and m of a Bass fit) are kept. The row is
  drawn from a random stream named after the file, not the input, so every
  scenario naming the same file draws the same rows (common random numbers).

Each spec also takes ``scale`` and ``shift`` (value = shift + scale × draw),
which is how shocks such as ``price*=0.7`` are applied without rewriting the
distribution.

Sampling is by inversion: a uniform ``u`` per path (from the Gaussian copula
when inputs are correlated, see :mod:`venturesim.spec.sampling`) goes
through the distribution's quantile function ``ppf(u)``. Quantile functions
are those of :mod:`scipy.stats`, parametrised as follows:

=============  ==========================================  =====================================
dist           fields                                      scipy.stats equivalent
=============  ==========================================  =====================================
normal         mean, sd                                    ``norm(mean, sd)``
lognormal      mu, sigma (of log X)                        ``lognorm(s=sigma, scale=exp(mu))``
beta           a, b, low=0, high=1                         ``beta(a, b, loc=low, scale=high-low)``
gamma          shape, scale_param                          ``gamma(shape, scale=scale_param)``
uniform        low, high                                   ``uniform(low, high-low)``
triangular     low, mode, high                             ``triang((mode-low)/(high-low), ...)``
pert           low, mode, high, lamb=4                     beta(1+λ(m−a)/(b−a), 1+λ(b−m)/(b−a))
poisson        rate                                        ``poisson(rate)``
bernoulli      p                                           ``bernoulli(p)``
choice         values, weights                             discrete inverse CDF
=============  ==========================================  =====================================

The continuous families evaluate scipy.stats' own quantile arithmetic
(``_ppf(q, shape) · scale + loc`` on 0 < q < 1, the support's ends at q = 0 and
1) from the :mod:`scipy.special` functions scipy.stats calls (``ndtri``,
``gammaincinv``, the Boost beta quantile), so their values are bit for bit
scipy.stats' (``tests/scenario/test_distributions.py`` compares them) without
importing :mod:`scipy.stats` (≈ 0.5 s), which checking a scenario
(``venturesim validate``) would otherwise pay; only ``poisson`` (and ``bernoulli``'s
unused ``_base``) import it, when used.

The p5/p95 shorthand: with z = Φ⁻¹(0.95) ≈ 1.6449, a lognormal has
μ = (ln a + ln b)/2 and σ = (ln b − ln a)/(2z); a normal has mean (a+b)/2 and
sd (b − a)/(2z).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationInfo,
    model_validator,
)
from scipy import special

try:  # the Boost beta quantile scipy.stats' beta calls (scipy >= 1.15 keeps it in scipy.special)
    from scipy.special._ufuncs import _beta_ppf
except ImportError:  # pragma: no cover - older scipy: scipy.stats' own (same values, imported when first used)
    _beta_ppf = None

Z95 = float(special.ndtri(0.95))
"""Φ⁻¹(0.95): half-width of a 90 % interval in standard deviations."""


class Spec(BaseModel):
    """Common base: frozen, no unknown keys, an affine ``shift + scale·X``."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    scale: float = Field(1.0, description="Multiplies every draw (applied before shift). Unitless.")
    shift: float = Field(0.0, description="Added to every draw, in the input's own unit.")

    def _base(self):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    _clip: tuple[float, float] | None = PrivateAttr(None)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantile function: the value at probability ``u`` (array in (0, 1)).

        Values are clipped into the field's bounds, which validation allows
        only when at most 0.1 % of the distribution lies outside them.
        """
        values = self.shift + self.scale * np.asarray(self._raw_ppf(np.asarray(u)), dtype=np.float64)
        return values if self._clip is None else np.clip(values, *self._clip)

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        return self._base().ppf(u)

    def stream(self, name: str) -> str:
        """Name of the random stream this spec draws from, for the input ``name`` (itself, by default)."""
        return name

    def _raw_tails(self) -> np.ndarray:
        """The unscaled values at the extreme probabilities :data:`_TAILS`."""
        return np.asarray(self._raw_ppf(_TAILS), dtype=np.float64)


def _quantile(q, ppf, lower: float, upper: float, scale: float = 1.0, loc: float = 0.0) -> np.ndarray:
    """scipy.stats' ``rv_continuous.ppf`` arithmetic: ``ppf(q)·scale + loc`` on 0 < q < 1, the support's ends
    ``lower·scale + loc`` at q = 0 and ``upper·scale + loc`` at q = 1, NaN outside [0, 1].

    ``ppf`` is the standardised quantile function (``_ppf`` of the scipy.stats family), evaluated only on the
    interior probabilities, as scipy.stats does; the results are bit for bit scipy.stats'.
    """
    q = np.asarray(q, dtype=np.float64)
    out = np.full(q.shape, np.nan)
    inside = (q > 0) & (q < 1)
    out[q == 0] = lower * scale + loc
    out[q == 1] = upper * scale + loc
    if inside.any():
        out[inside] = ppf(q[inside]) * scale + loc
    return out[()] if out.ndim == 0 else out


def _lognormal_quantile(q, sigma: float, scale: float) -> np.ndarray:
    """scipy.stats' ``lognorm(s=sigma, scale=scale).ppf(q)``: exp(σ·Φ⁻¹(q))·scale on (0, 1), support [0, ∞)."""
    return _quantile(q, lambda p: np.exp(sigma * special.ndtri(p)), 0.0, np.inf, scale)


def _beta_quantile(q, a: float, b: float, loc: float, scale: float) -> np.ndarray:
    """scipy.stats' ``beta(a, b, loc=loc, scale=scale).ppf(q)``, from the Boost quantile it calls."""
    if _beta_ppf is None:  # pragma: no cover - older scipy
        from scipy import stats

        return stats.beta(a, b, loc=loc, scale=scale).ppf(q)
    return _quantile(q, lambda p: _beta_ppf(p, a, b), 0.0, 1.0, scale, loc)


class Normal(Spec):
    """Normal distribution N(mean, sd²)."""

    dist: Literal["normal"]
    mean: float = Field(description="Mean, in the input's unit.")
    sd: float = Field(gt=0, description="Standard deviation, in the input's unit.")

    def _base(self):
        from scipy import stats

        return stats.norm(self.mean, self.sd)

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        return _quantile(u, special.ndtri, -np.inf, np.inf, self.sd, self.mean)


class LogNormal(Spec):
    """Lognormal: ln X ~ N(mu, sigma²); the median is exp(mu)."""

    dist: Literal["lognormal"]
    mu: float = Field(description="Mean of ln X (ln of the median).")
    sigma: float = Field(gt=0, description="Standard deviation of ln X.")

    def _base(self):
        from scipy import stats

        return stats.lognorm(s=self.sigma, scale=math.exp(self.mu))

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        return _lognormal_quantile(u, self.sigma, math.exp(self.mu))


class _Interval(Spec):
    """A spec on [low, high] with low < high."""

    low: float = Field(description="Lower end of the support.")
    high: float = Field(description="Upper end of the support.")

    @model_validator(mode="after")
    def _ordered(self):
        if not self.high > self.low:
            raise ValueError(f"high(={self.high}) must be greater than low(={self.low})")
        return self


class Beta(_Interval):
    """Beta(a, b) stretched onto [low, high]."""

    dist: Literal["beta"]
    a: float = Field(gt=0, description="First shape parameter α.")
    b: float = Field(gt=0, description="Second shape parameter β.")
    low: float = Field(0.0, description="Lower end of the support.")
    high: float = Field(1.0, description="Upper end of the support.")

    def _base(self):
        from scipy import stats

        return stats.beta(self.a, self.b, loc=self.low, scale=self.high - self.low)

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        return _beta_quantile(u, self.a, self.b, self.low, self.high - self.low)


class Gamma(Spec):
    """Gamma with shape k and scale θ (mean kθ, variance kθ²)."""

    dist: Literal["gamma"]
    shape: float = Field(gt=0, description="Shape k.")
    scale_param: float = Field(gt=0, description="Scale θ, in the input's unit.")

    def _base(self):
        from scipy import stats

        return stats.gamma(self.shape, scale=self.scale_param)

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        return _quantile(u, lambda q: special.gammaincinv(self.shape, q), 0.0, np.inf, self.scale_param)


class Uniform(_Interval):
    """Uniform on [low, high]."""

    dist: Literal["uniform"]

    def _base(self):
        from scipy import stats

        return stats.uniform(self.low, self.high - self.low)

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        return _quantile(u, lambda q: q, 0.0, 1.0, self.high - self.low, self.low)


class _ThreePoint(Spec):
    low: float = Field(description="Smallest possible value.")
    mode: float = Field(description="Most likely value.")
    high: float = Field(description="Largest possible value.")

    @model_validator(mode="after")
    def _ordered(self):
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"need low <= mode <= high and low < high, found low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self


class Triangular(_ThreePoint):
    """Triangular distribution with the given low, mode and high."""

    dist: Literal["triangular"]

    def _base(self):
        from scipy import stats

        width = self.high - self.low
        return stats.triang((self.mode - self.low) / width, loc=self.low, scale=width)

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        width = self.high - self.low
        c = (self.mode - self.low) / width

        def ppf(q):
            return np.where(q < c, np.sqrt(c * q), 1 - np.sqrt((1 - c) * (1 - q)))

        return _quantile(u, ppf, 0.0, 1.0, width, self.low)


class Pert(_ThreePoint):
    """PERT: a beta on [low, high] with mean (low + λ·mode + high)/(λ + 2).

    α = 1 + λ(mode − low)/(high − low), β = 1 + λ(high − mode)/(high − low)
    (Vose, *Risk Analysis*, 3rd ed., §9.1.5; λ = 4 is the classic PERT).
    """

    dist: Literal["pert"]
    lamb: float = Field(4.0, gt=0, description="Weight λ of the mode (4 = classic PERT).")

    def _shapes(self) -> tuple[float, float, float]:
        width = self.high - self.low
        alpha = 1 + self.lamb * (self.mode - self.low) / width
        beta = 1 + self.lamb * (self.high - self.mode) / width
        return alpha, beta, width

    def _base(self):
        from scipy import stats

        alpha, beta, width = self._shapes()
        return stats.beta(alpha, beta, loc=self.low, scale=width)

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        alpha, beta, width = self._shapes()
        return _beta_quantile(u, alpha, beta, self.low, width)


class Poisson(Spec):
    """Poisson count with mean ``rate``."""

    dist: Literal["poisson"]
    rate: float = Field(gt=0, description="Mean count.")

    def _base(self):
        from scipy import stats

        return stats.poisson(self.rate)

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import stats

        # scipy's ppf(0) is -1 for discrete laws; u is never 0 here, but be exact.
        return np.maximum(stats.poisson(self.rate).ppf(u), 0.0)


class Bernoulli(Spec):
    """1 with probability p, else 0."""

    dist: Literal["bernoulli"]
    p: float = Field(ge=0, le=1, description="Probability of 1.")

    def _base(self):
        from scipy import stats

        return stats.bernoulli(self.p)

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        return (u > 1 - self.p).astype(np.float64)


class Choice(Spec):
    """One of ``values``, with probabilities proportional to ``weights``."""

    dist: Literal["choice"]
    values: list[float] = Field(min_length=1, description="The possible values.")
    weights: list[float] | None = Field(None, description="Relative weights (default: equal).")

    @model_validator(mode="after")
    def _weights(self):
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(f"weights has {len(self.weights)} entries but values has {len(self.values)}")
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError(f"weights must be >= 0 with a positive sum, found {self.weights}")
        return self

    def _probabilities(self) -> np.ndarray:
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights, float)
        return w / w.sum()

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        cdf = np.cumsum(self._probabilities())
        idx = np.minimum(np.searchsorted(cdf, u, side="right"), len(self.values) - 1)
        return np.asarray(self.values, float)[idx]


class Range90(Spec):
    """The 90 % shorthand: 5th and 95th percentiles (lognormal if both > 0)."""

    p5: float = Field(description="5th percentile.")
    p95: float = Field(description="95th percentile.")

    @model_validator(mode="after")
    def _ordered(self):
        if not self.p95 > self.p5:
            raise ValueError(f"p95(={self.p95}) must be greater than p5(={self.p5})")
        return self

    def _base(self):
        from scipy import stats

        if self.p5 > 0:
            mu = 0.5 * (math.log(self.p5) + math.log(self.p95))
            sigma = (math.log(self.p95) - math.log(self.p5)) / (2 * Z95)
            return stats.lognorm(s=sigma, scale=math.exp(mu))
        return stats.norm(0.5 * (self.p5 + self.p95), (self.p95 - self.p5) / (2 * Z95))

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        if self.p5 > 0:
            mu = 0.5 * (math.log(self.p5) + math.log(self.p95))
            sigma = (math.log(self.p95) - math.log(self.p5)) / (2 * Z95)
            return _lognormal_quantile(u, sigma, math.exp(mu))
        return _quantile(
            u, special.ndtri, -np.inf, np.inf, (self.p95 - self.p5) / (2 * Z95), 0.5 * (self.p5 + self.p95)
        )


class FileDraws(Spec):
    """Empirical distribution of a column of a CSV or parquet file.

    Draws are the empirical quantiles (inverse of the empirical CDF), so an
    independent input is resampled with replacement and a correlated one
    keeps its rank correlation.
    """

    file: str = Field(description="CSV or parquet path, relative to the scenario file.")
    column: str = Field(description="Column holding the draws.")
    _draws: np.ndarray = PrivateAttr()

    @model_validator(mode="after")
    def _load(self, info: ValidationInfo):
        from venturesim.spec.files import resolve_input_file

        path = resolve_input_file(self.file, info.context, "draws file")
        self._draws = np.sort(read_draws(path, self.column))
        return self

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        idx = np.minimum((u * len(self._draws)).astype(np.int64), len(self._draws) - 1)
        return self._draws[idx]


class PosteriorDraws(Spec):
    """One column of a joint posterior: path i takes row ⌊u_i·n⌋ of the file, u_i from the file's own stream.

    Every input naming the same file uses the same stream (``posterior:FILE``)
    and so the same row on a path: the posterior's joint distribution is kept.
    Draws are not sorted, so ``ppf`` is not monotone; bounds are checked on the
    empirical distribution and the tails are the smallest and largest draws.
    """

    posterior: str = Field(description="Parquet (or CSV) file of posterior draws, relative to the scenario file.")
    column: str = Field(description="Column holding this input's draws.")
    _draws: np.ndarray = PrivateAttr()

    @model_validator(mode="after")
    def _load(self, info: ValidationInfo):
        from venturesim.spec.files import resolve_input_file

        path = resolve_input_file(self.posterior, info.context, "posterior file")
        self._draws = read_draws(path, self.column)
        return self

    def stream(self, name: str) -> str:
        return f"posterior:{self.posterior}"

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        idx = np.minimum((np.asarray(u) * len(self._draws)).astype(np.int64), len(self._draws) - 1)
        return self._draws[idx]

    def _raw_tails(self) -> np.ndarray:
        return np.array([self._draws.min(), self._draws.max()])


def read_draws(path: Path, column: str) -> np.ndarray:
    """Read one numeric column of a CSV or parquet file as float64 draws."""
    import pandas as pd

    try:
        frame = pd.read_parquet(path) if path.suffix.lower() in {".parquet", ".pq"} else pd.read_csv(path)
    except Exception as exc:
        kind = "parquet" if path.suffix.lower() in {".parquet", ".pq"} else "CSV"
        raise ValueError(
            f"cannot read {path.name} as a {kind} file ({type(exc).__name__}); "
            "give a CSV with a header row, or a parquet file"
        ) from None
    if column not in frame.columns:
        names = [str(c) for c in frame.columns if re.fullmatch(r"[\w. -]{1,40}", str(c))][:20]
        raise ValueError(f"column {column!r} not in {path.name}; its columns named like columns are {names}")
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64)
    if len(values) == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"column {column!r} of {path.name} must hold finite numbers and at least one row")
    return values


DIST_NAMES = ("normal", "lognormal", "beta", "gamma", "uniform", "triangular", "pert", "poisson", "bernoulli", "choice")


_MODEL_KINDS = {
    "Range90": "range",
    "FileDraws": "file",
    "PosteriorDraws": "posterior",
    "Schedule": "schedule",
    "Trend": "trend",
}


def spec_kind(value) -> str:
    """The discriminator: which spec a raw YAML value is."""
    if isinstance(value, BaseModel):
        return getattr(value, "dist", None) or _MODEL_KINDS.get(type(value).__name__, "fixed")
    if isinstance(value, dict):
        if "dist" in value:
            return str(value["dist"])
        if "file" in value:
            return "file"
        if "posterior" in value:
            return "posterior"
        if "schedule" in value:
            return "schedule"
        if "start" in value or "growth" in value:
            return "trend"
        return "range"
    return "fixed"


Dist = Annotated[
    (
        Annotated[float, Tag("fixed")]
        | Annotated[Normal, Tag("normal")]
        | Annotated[LogNormal, Tag("lognormal")]
        | Annotated[Beta, Tag("beta")]
        | Annotated[Gamma, Tag("gamma")]
        | Annotated[Uniform, Tag("uniform")]
        | Annotated[Triangular, Tag("triangular")]
        | Annotated[Pert, Tag("pert")]
        | Annotated[Poisson, Tag("poisson")]
        | Annotated[Bernoulli, Tag("bernoulli")]
        | Annotated[Choice, Tag("choice")]
        | Annotated[Range90, Tag("range")]
        | Annotated[FileDraws, Tag("file")]
        | Annotated[PosteriorDraws, Tag("posterior")]
    ),
    Discriminator(
        spec_kind,
        custom_error_type="invalid_distribution",
        custom_error_message=(
            "expected a number, {dist: " + "|".join(DIST_NAMES) + ", ...}, {p5: .., p95: ..}, {file: .., column: ..} "
            "or {posterior: .., column: ..}"
        ),
    ),
]
"""A distribution spec (any of the forms above)."""


_TAILS = special.ndtr(np.array([-6.0, 6.0]))
"""Probabilities beyond any the sampler draws (its standard normals come from float32 and stay within ±6)."""


def tail_values(spec: float | Spec) -> np.ndarray:
    """The spec's values at the extreme probabilities :data:`_TAILS` (a plain number: itself, twice)."""
    if not isinstance(spec, Spec):
        return np.array([float(spec), float(spec)])
    with np.errstate(all="ignore"):
        return spec.shift + spec.scale * spec._raw_tails()


def check_tails(spec: Spec) -> None:
    """Refuse a spec whose draws can be non-finite or beyond ±MAX_MAGNITUDE (float32 overflow in the engine)."""
    from venturesim.spec._base import MAX_MAGNITUDE

    values = tail_values(spec)
    worst = values[np.argmax(np.where(np.isfinite(values), np.abs(values), np.inf))]
    if not np.isfinite(worst) or abs(worst) > MAX_MAGNITUDE:
        raise ValueError(
            f"expected draws between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g} (the engine computes in float32), "
            f"but this distribution reaches {worst:g} in its one-in-a-billion tail; narrow it"
        )


_GRID = (np.arange(20_000) + 0.5) / 20_000
"""Probability grid on which a spec's quantiles are checked against bounds."""
OUTSIDE_TOLERANCE = 0.001
"""Largest share of a distribution allowed outside a field's bounds (then clipped)."""


def share_outside(spec: float | Spec, lo, hi, lo_open=False, hi_open=False) -> float:
    """Share of the distribution outside [lo, hi] (open ends excluded), on a 20 000-point grid."""
    values = spec._raw_ppf(_GRID) * spec.scale + spec.shift if isinstance(spec, Spec) else np.array([spec])
    outside = np.zeros(values.shape, bool)
    if lo is not None:
        outside |= (values <= lo) if lo_open else (values < lo)
    if hi is not None:
        outside |= (values >= hi) if hi_open else (values > hi)
    return float(outside.mean())


def _bounds_checker(lo: float | None, hi: float | None, lo_open: bool, hi_open: bool):
    """Validator: a spec (or each part of a time series) must lie within the bounds."""
    from venturesim.spec.timeseries import Schedule, Trend

    clip_lo = None if lo is None else (np.nextafter(lo, np.inf) if lo_open else lo)
    clip_hi = None if hi is None else (np.nextafter(hi, -np.inf) if hi_open else hi)
    want = _describe_bounds(lo, hi, lo_open, hi_open)

    def fit(spec):
        if isinstance(spec, Spec):
            check_tails(spec)
        if not isinstance(spec, Spec):
            if share_outside(spec, lo, hi, lo_open, hi_open):
                raise ValueError(f"must be {want}")
            return spec
        share = share_outside(spec, lo, hi, lo_open, hi_open)
        if share > OUTSIDE_TOLERANCE:
            raise ValueError(
                f"must be {want}, but {share:.1%} of this distribution lies outside; choose one "
                "that fits (beta or pert for a fraction; lognormal, gamma or a positive "
                "p5/p95 range for a positive amount)"
            )
        fitted = spec.model_copy()
        fitted._clip = (-np.inf if clip_lo is None else clip_lo, np.inf if clip_hi is None else clip_hi)
        return fitted

    def fit_knot(month, value):
        try:
            return fit(value)
        except ValueError as exc:
            found = "" if isinstance(value, Spec) else f" (found {value:g})"
            raise ValueError(f"schedule month {month}: {exc}{found}") from None

    def check(spec):
        if isinstance(spec, Schedule):
            return spec.model_copy(update={"schedule": {m: fit_knot(m, v) for m, v in spec.schedule.items()}})
        if isinstance(spec, Trend):
            if hi is not None and share_outside(spec.growth, None, 0.0) > 0:
                raise ValueError(
                    f"must stay {want}, but a trend whose growth can be positive grows "
                    "without bound; use a schedule instead"
                )
            return spec.model_copy(update={"start": fit(spec.start)})
        return fit(spec)

    return check


def _describe_bounds(lo, hi, lo_open, hi_open) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '>='} {lo:g}")
    if hi is not None:
        parts.append(f"{'<' if hi_open else '<='} {hi:g}")
    return " and ".join(parts)


def uncertain(*, ge=None, gt=None, le=None, lt=None):
    """An uncertain-number type whose draws must lie within the bounds (≤ 0.1 % outside, clipped)."""
    return bounded(Dist, ge=ge, gt=gt, le=le, lt=lt)


def bounded(base, *, ge=None, gt=None, le=None, lt=None):
    """Attach the bounds check to a spec type (a distribution or a time series)."""
    lo = gt if gt is not None else ge
    hi = lt if lt is not None else le
    return Annotated[base, AfterValidator(_bounds_checker(lo, hi, gt is not None, lt is not None))]
