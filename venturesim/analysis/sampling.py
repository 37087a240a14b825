"""How the uncertain inputs are sampled: plain Monte Carlo, Latin hypercube or scrambled Sobol.

Plain Monte Carlo (``"random"``, the default) draws each input of path i from its own key
(:mod:`venturesim.spec.sampling`). The other two replace the D uncertain inputs' independent
uniforms by the rows of an n × D design over all n paths of the run:

* ``"lhs"``: a Latin hypercube (McKay, Beckman & Conover 1979): each input's n values fall one in
  each of the n equal-probability strata, so the input's own share of the outcome's variance
  (its additive part) averages out; the estimator of a mean stays unbiased and its variance is
  never more than n/(n − 1) times plain Monte Carlo's (Owen 1997).
* ``"sobol"``: a scrambled Sobol' sequence (Owen scrambling; ``scipy.stats.qmc.Sobol``): low
  discrepancy in every projection, variance O(n^{-3+ε}) for smooth integrands (Owen 1997).

Both designs are drawn from a generator seeded by ``(seed, PARAMS, stream)``, so the same seed gives
the same design (common random numbers between runs that share their inputs' names), and row i
goes to path i whatever the chunk size. Only the inputs' draws change: process noise (who churns
this month, which round closes) stays plain Monte Carlo, so the gain is largest for outcomes driven
by the inputs. Columns are the inputs' names in sorted order; the copula (``correlations:``) acts on
the design's normals as it does on the keyed ones.
"""

from __future__ import annotations

import warnings

import jax
import numpy as np

from venturesim import _streams as streams
from venturesim.scenario.schema import Scenario
from venturesim.spec.errors import UsageError
from venturesim.spec.sampling import Design

SAMPLINGS = ("random", "lhs", "sobol")
"""The sampling methods of the uncertain inputs."""

DESIGN_STREAM = 7
"""Extends the seed's PARAMS sequence for the design's generator (unused by the keyed draws)."""


def input_names(scenario: Scenario, months: int | None = None) -> list[str]:
    """Every uncertain input the engines draw, by its ``--set`` name, sorted.

    These are the names in ``result.inputs``: distributions given in the scenario and the catalogue's
    default distributions (an accelerator's rental price). Found by drawing two paths.
    """
    from venturesim.engine.params import sample_with_draws

    months = min(scenario.simulation.months if months is None else months, 2)
    _, draws = sample_with_draws(scenario, jax.random.key(0), 2, months=months)
    return sorted(draws)


def check_names(scenario: Scenario, names) -> list[str]:
    """``names`` if each is an uncertain input of the scenario, else a UsageError with the nearest name."""
    from venturesim.spec.errors import suggest

    known = input_names(scenario)
    wrong = []
    for name in names:
        if name not in known:
            hint = suggest(name, known)
            wrong.append(f"{name!r} is not an uncertain input" + (f" (did you mean {hint!r}?)" if hint else ""))
    if wrong:
        raise UsageError("; ".join(wrong) + "; list them with `venturesim inputs SCENARIO`")
    return list(names)


def design_generator(seed: int, stream: int = DESIGN_STREAM) -> np.random.Generator:
    """The generator of a run's designs: ``SeedSequence([seed, PARAMS, stream])``."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), streams.PARAMS, int(stream)]))


def unit_design(method: str, paths: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """An (paths, dims) design of uniforms in [0, 1): ``"random"``, ``"lhs"`` or ``"sobol"``."""
    if method == "random":
        return rng.random((paths, dims))
    from scipy.stats import qmc  # here: importing scipy.stats costs ≈ 1 s, which a plain Monte Carlo run skips

    if method == "lhs":
        return qmc.LatinHypercube(d=dims, seed=rng).random(paths)
    if method == "sobol":
        with warnings.catch_warnings():  # balance needs 2^k points; any n is still a valid (scrambled) design
            warnings.simplefilter("ignore", UserWarning)
            return qmc.Sobol(d=dims, scramble=True, seed=rng).random(paths)
    raise UsageError(f"sampling(={method!r}) must be one of {SAMPLINGS}")


def sampling_design(
    scenario: Scenario, method: str, paths: int, seed: int, stream: int = DESIGN_STREAM
) -> Design | None:
    """The Design that samples every uncertain input by ``method`` over ``paths`` paths (None: plain MC).

    ``stream`` picks an independent design for the same seed (a batch of a run to a target SE)."""
    if method not in SAMPLINGS:
        raise UsageError(f"sampling(={method!r}) must be one of {SAMPLINGS}")
    if method == "random":
        return None
    names = input_names(scenario)
    if not names:
        return None
    u = unit_design(method, paths, len(names), design_generator(seed, stream))
    return Design(uniforms={name: u[:, j] for j, name in enumerate(names)})
