"""Where the discrete-event engine's random numbers come from: a draw provider per path.

Every draw of the DES goes through one of these objects, named by its site (what is drawn) and month:

* :class:`GeneratorDraws` (the default) wraps the path's NumPy generators (:mod:`venturesim._streams`:
  ``SeedSequence([seed, PROCESS, path])`` and its team extension) and calls them exactly as the engine always
  has — same methods, same arguments, same order — so the DES's numbers are unchanged by the indirection,
  and it keeps its event-time noise (exponential departure times, a gamma per offer cycle, each deal's
  opening time and sales cycle, the gaps between a training run's interruptions).
* :class:`ReplayDraws` hands path i the very numbers the JAX kernel drew for it: path i is lane
  j = i mod :data:`~venturesim.engine.jax_engine.BLOCK` of block b = i div BLOCK, and each site follows the
  kernel's key chain (seed key → ``PROCESS`` → b → :func:`~venturesim._streams.block_keys` → months key →
  ``fold_in(t)`` → domain stream → sub-stream, with the kernel's block shapes) and computes lane j's elements
  of the kernel's array alone (:mod:`venturesim._threefry`). Counts are inverted with the kernel's own
  :func:`venturesim._jax_random.binomial` (``xp=numpy``, float32); the training queue's interruption counts
  are the kernel's ``jax.random.poisson`` call itself, sliced. With ``replay`` set, the DES realises the
  kernel's month-level rule where its own mechanics differ (see docs/engines.md, "Replaying the kernel's
  draws"): departures are a binomial count per role leaving at the month start; a sales-led segment's
  deals are counts by age resolving with the kernel's conditional probabilities, capped by
  :func:`~venturesim.market.step.cap_wins`; a training run is interrupted exactly K times.

The replay mode exists to test the seam between the drivers end to end
(``tests/engine/test_same_uniforms.py``): both engines on the same uniforms give the same monthly records.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from venturesim import _streams as streams
from venturesim import _threefry as threefry
from venturesim._jax_random import _is_threefry, binomial, uniforms

TIE_TOLERANCE = 2e-5
"""Relative error of a probability the kernel computes in float32, allowed for when replaying a count: the
Bass adoption probability (f' − f)/(1 − f) is a difference of two close float32 fractions (about 3·10⁻⁶ seen);
the DES computes it in float64. A count that moves within ±(this × min(p, 1 − p) + 2·10⁻⁷) of p is a tie:
the kernel may have drawn its neighbour."""


class GeneratorDraws:
    """The DES's own randomness: the path's main generator ``rng`` and the team's ``team_rng``."""

    replay = False

    def __init__(self, rng: np.random.Generator, team_rng: np.random.Generator):
        self.rng, self.team_rng = rng, team_rng

    # market (main generator)
    def churn(self, t: int, n, p):
        """Churned customers ~ Binomial(n, p), (S,) or (S, A) by age."""
        return self.rng.binomial(n, p)

    def adoption(self, t: int, n, p):
        """Bass adopters ~ Binomial(n, p), (S,)."""
        return self.rng.binomial(n, p)

    def funnel(self, t: int, k: int, stage: int, n, p):
        """Channel k's funnel stage (0 leads, 1 trials, 2 customers) ~ Binomial(n, p)."""
        return self.rng.binomial(n, p)

    def deal_times(self, t: int, s: int, n: int, mean: float, cv: float, max_months: int):
        """n new deals' (resolution times, booking months) (:func:`venturesim.market.pipeline.draw_deal_times`)."""
        from venturesim.market.pipeline import draw_deal_times

        return draw_deal_times(self.rng, n, t, mean, cv, max_months)

    def deal_won(self, t: int, s: int, n: int):
        """One uniform per new deal for its win."""
        return self.rng.random(n)

    # funding and exits (main generator)
    def attempt(self, t: int, r: int) -> float:
        """The uniform deciding round r's attempt resolving in month t."""
        return self.rng.random()

    def bridge(self, t: int, b: int) -> float:
        """The uniform deciding bridge b in month t."""
        return self.rng.random()

    def acquihire(self, t: int) -> float:
        """The uniform of an acqui-hire at the end of month t."""
        return self.rng.random()

    def acquired(self, t: int) -> float:
        """The uniform of an acquisition at the end of month t."""
        return self.rng.random()

    # product (main generator)
    def interruption_gap(self, r: int, remaining: float, rate: float) -> float:
        """Months of work until run r's next interruption (≥ ``remaining``: none before it finishes)."""
        return self.rng.exponential(1.0 / rate)

    def training_fails(self, r: int) -> float:
        """The uniform deciding whether run r is wasted."""
        return self.rng.random()

    # team (team generator, and the main one for who leaves)
    def departure_delay(self, t: int, k: int, rate: float) -> float:
        """Months from the start of month t until one person of role k quits, Exp(rate)."""
        return self.team_rng.exponential(1.0 / rate)

    def pick(self, t: int, k: int, candidates: int, n: int):
        """Which n of ``candidates`` people of role k leave (indices)."""
        return self.team_rng.choice(candidates, size=n, replace=False)

    def offer_cycle(self, t: int, k: int, shape: float, scale: float) -> float:
        """One offer cycle's duration, months, Gamma(shape, scale)."""
        return self.team_rng.gamma(shape, scale)

    def offer_accepted(self, t: int, k: int) -> float:
        """The uniform deciding one offer."""
        return self.team_rng.random()

    def deal_cap(self, t: int) -> float:
        """The uniform rounding month t's sales deal cap."""
        return self.team_rng.random()


_DOMAINS = {"month": None, "market": streams.MARKET, "funding": streams.FUNDING, "team": streams.TEAM}
"""The month key (None) and the domains' keys folded from it, by the name a draw site's layout gives."""


def _site_layout(site: str, shape: tuple[int, ...], size: int) -> tuple[str, int, tuple[int, ...], int]:
    """Where the kernel draws ``site`` in a month: (the key it folds its stream into, the stream, the block's
    array shape, the lanes' axis in it), for a block of ``size`` paths (``shape``: the site's per-path shape).
    ``market_ages`` draws one array (paths, S) per age a with stream a under ``fold_in(market, MARKET_AGES)``,
    stacked on a last axis: its entry is that key and the stacked shape."""
    p = size
    layouts = {
        "market_totals": ("market", streams.MARKET_TOTALS, (2, p) + shape, 1),  # churn on totals, Bass adoption
        "market_ages": ("market", streams.MARKET_AGES, (p,) + shape, 0),  # (paths, S, A)
        "market_channels": ("market", streams.MARKET_CHANNELS, shape + (p,), len(shape)),  # (K, 3, paths)
        "market_deals": ("market", streams.MARKET_DEALS, (p,) + shape, 0),  # (paths, S, D + 1)
        "market_wins": ("market", streams.MARKET_WINS, (p,) + shape, 0),  # (paths, S)
        "funding_attempts": ("funding", streams.FUNDING_ATTEMPTS, (p,) + shape, 0),  # rounds.resolve_rounds
        "funding_bridges": ("funding", streams.FUNDING_BRIDGES, (p,) + shape, 0),
        "exits": ("month", streams.EXITS, (2, p), 1),  # exits.step_exits: acquisition, then acqui-hire
        "team_departures": ("team", streams.TEAM_DEPARTURES, (p,) + shape, 0),  # team.step: (paths, K)
        "team_deal_cap": ("team", streams.TEAM_DEAL_CAP, (p,), 0),
    }
    if site not in layouts:
        raise KeyError(f"no replay for the draw site {site!r}")
    return layouts[site]


@functools.partial(jax.jit, static_argnames=("site", "shape", "size"))
def _site_uniforms(months_key: jax.Array, t, site: str, shape: tuple[int, ...], size: int) -> jax.Array:
    """The uniforms the kernel draws at ``site`` in month t for a block of ``size`` paths, from the block's months
    key — the kernel's own expressions (:func:`_site_layout`). Used for a key of another of JAX's generators than
    Threefry, whose elements :mod:`venturesim._threefry` cannot compute one lane at a time."""
    key = jax.random.fold_in(months_key, t)
    domain, stream, full, _ = _site_layout(site, shape, size)
    if _DOMAINS[domain] is not None:
        key = jax.random.fold_in(key, _DOMAINS[domain])
    if site == "market_ages":  # for each age a, uniforms(fold_in(sub, AGES), a, (paths, S))
        ages = jax.random.fold_in(key, stream)
        return jax.vmap(lambda a: uniforms(ages, a, full[:-1]), out_axes=-1)(jnp.arange(full[-1]))
    return uniforms(key, stream, full)


class ReplayBlock:
    """The JAX kernel's random numbers for one block of paths, derived on demand, one lane at a time.

    ``seed``: the run's seed; ``block``: the block's index b; ``size``: paths per block
    (:data:`venturesim.engine.jax_engine.BLOCK`); ``interruption_rates``: (size, R) λ_r · work_r of every
    lane of the block as the kernel has them (float32), needed only with training runs.

    With JAX's default generator (Threefry) a lane's numbers are computed alone (:mod:`venturesim._threefry`,
    NumPy: the month's keys once per month, then only the lane's elements); with another generator each
    (site, month) array is derived for the whole block and kept, and the lanes read their slice of it.
    """

    def __init__(self, seed: int, block: int, size: int, interruption_rates=None):
        process_key = jax.random.fold_in(jax.random.key(seed), streams.PROCESS)
        block_key = jax.random.fold_in(process_key, np.uint32(block))
        self.init_key, self.months_key = streams.block_keys(block_key)
        self.threefry = _is_threefry(self.months_key)
        if self.threefry:
            self._init_words, self._months_words = (
                tuple(np.asarray(jax.random.key_data(k))) for k in (self.init_key, self.months_key)
            )
        self.size = size
        self.interruption_rates = interruption_rates
        self.ties: dict[int, set[int]] = {}  # lane → months with a count decided within float32 error of p
        self._cache: dict = {}

    def _month_keys(self, t: int) -> dict:
        """Month t's key and its domains' keys (pairs of words), by the names of :data:`_DOMAINS`."""
        keys = self._cache.get(("keys", t))
        if keys is None:
            month = threefry.fold_in(self._months_words, t)
            keys = {name: month if s is None else threefry.fold_in(month, s) for name, s in _DOMAINS.items()}
            self._cache[("keys", t)] = keys
        return keys

    def lane(self, site: str, t: int, shape: tuple[int, ...], lane: int) -> np.ndarray:
        """Lane ``lane``'s part of month t's array of ``site`` (the block's array without the lanes' axis), kept:
        a site may be asked several times a month (the channels' funnel, once per channel and stage)."""
        domain, stream, full, axis = _site_layout(site, shape, self.size)
        if not self.threefry:
            block = self._cache.get((site, t))
            if block is None:
                block = self._cache[(site, t)] = np.asarray(_site_uniforms(self.months_key, t, site, shape, self.size))
            return np.take(block, lane, axis=axis)
        kept = self._cache.get((site, t, lane))
        if kept is not None:
            return kept
        key = self._month_keys(t)[domain]
        if site == "market_ages":  # (S, A): element (lane, s) of each age's array, under its own key
            ages = threefry.fold_in(key, stream)
            segments, age_count = shape
            index = (lane * segments + np.arange(segments))[:, None]
            kept = threefry.uniforms_at(ages, np.arange(age_count)[None, :], full[:-1], index)
        else:
            kept = threefry.uniforms_at(key, stream, full, threefry.lane_index(full, axis, lane))
        self._cache[(site, t, lane)] = kept
        return kept

    def failures(self, runs: int, lane: int) -> np.ndarray:
        """The training queue's failure uniforms (R,) of lane ``lane`` (``model_costs.step.init_product``: an
        array (paths, R)), kept: each run asks once."""
        kept = self._cache.get(("failures", lane))
        if kept is None:
            if self.threefry:
                index = lane * runs + np.arange(runs)
                kept = threefry.uniforms_at(self._init_words, streams.PRODUCT, (self.size, runs), index)
            else:
                kept = np.asarray(uniforms(self.init_key, streams.PRODUCT, (self.size, runs)))[lane]
            self._cache[("failures", lane)] = kept
        return kept

    def interruptions(self) -> np.ndarray:
        """The training queue's interruption counts (paths, R): the kernel's ``jax.random.poisson`` call itself
        (``init_product``) on every lane's rate. A lane's count depends on the whole block's rates (the sampler
        takes its branch and loop for the array), so these must be the kernel's."""
        if "interruptions" not in self._cache:
            if self.interruption_rates is None:
                raise ValueError("replay: the block's interruption rates are needed to replay training runs")
            lam = jnp.asarray(self.interruption_rates, jnp.float32)
            key = jax.random.fold_in(self.init_key, streams.PRODUCT_INTERRUPTIONS)
            self._cache["interruptions"] = np.asarray(jax.random.poisson(key, lam, lam.shape))
        return self._cache["interruptions"]


class ReplayDraws:
    """One path's share of the JAX kernel's draws (see the module docstring).

    ``block``: the :class:`ReplayBlock` of the path's block (shared by its paths, so each array is derived
    once); ``lane``: the path's index in the block; ``params``: the path's row of Params (the kernel's
    shapes that a single draw does not show).
    """

    replay = True

    def __init__(self, block: ReplayBlock, lane: int, params):
        self.block, self.lane = block, lane
        self._interruptions: dict[int, int] = {}
        self.shapes = {
            "channels": params.market.channel_lift_max.shape[-1],
            "rounds": params.funding.amount.shape[-1],
            "runs": params.product.work.shape[-1],
        }

    def _u(self, site: str, t: int, shape: tuple[int, ...]) -> np.ndarray:
        return self.block.lane(site, t, shape, self.lane)

    def _count(self, t: int, u, n, p) -> np.ndarray:
        """The kernel's Binomial(n, p) count at uniform ``u``; a draw whose count would change within the
        kernel's float32 error of p (:data:`TIE_TOLERANCE`) marks month t as a tie (:attr:`ReplayBlock.ties`)."""
        count = binomial(u, n, p, xp=np)
        p = np.asarray(p, np.float64)
        margin = TIE_TOLERANCE * np.minimum(p, 1.0 - p) + 2e-7
        low = binomial(u, n, np.clip(p - margin, 0.0, 1.0), xp=np)
        high = binomial(u, n, np.clip(p + margin, 0.0, 1.0), xp=np)
        if np.any(low != high):
            self.block.ties.setdefault(self.lane, set()).add(t)
        return np.asarray(count, np.float64)

    # market
    def churn(self, t: int, n, p):
        n = np.asarray(n)
        if n.ndim == 2:  # by age (S, A)
            return self._count(t, self._u("market_ages", t, n.shape), n, p)
        return self._count(t, self._u("market_totals", t, n.shape)[0], n, p)

    def adoption(self, t: int, n, p):
        n = np.asarray(n)
        return self._count(t, self._u("market_totals", t, n.shape)[1], n, p)

    def funnel(self, t: int, k: int, stage: int, n, p):
        return self._count(t, self._u("market_channels", t, (self.shapes["channels"], 3))[k, stage], n, p)

    def deal_resolutions(self, t: int, open_deals, conditional):
        """Deals resolving this month by segment and age (S, D + 1) (the kernel's counts by age)."""
        return self._count(t, self._u("market_deals", t, np.shape(open_deals)), open_deals, conditional)

    def deal_wins(self, t: int, due, win_rate):
        """Deals won among those resolving, (S,)."""
        return self._count(t, self._u("market_wins", t, np.shape(due)), due, win_rate)

    def deal_times(self, t: int, s: int, n: int, mean: float, cv: float, max_months: int):
        raise NotImplementedError("replay: deals are counts by age (ReplayDraws.deal_resolutions)")

    def deal_won(self, t: int, s: int, n: int):
        raise NotImplementedError("replay: deals are counts by age (ReplayDraws.deal_wins)")

    # funding and exits
    def attempt(self, t: int, r: int) -> float:
        return float(self._u("funding_attempts", t, (self.shapes["rounds"],))[r])

    def bridge(self, t: int, b: int) -> float:
        return float(self._u("funding_bridges", t, (self.shapes["rounds"],))[b])

    def acquihire(self, t: int) -> float:
        return float(self._u("exits", t, ())[1])

    def acquired(self, t: int) -> float:
        return float(self._u("exits", t, ())[0])

    # product
    def start_training(self) -> None:
        """Fix each run's interruption count K_r ~ Poisson(λ_r · work_r) from the kernel's draw."""
        counts = self.block.interruptions()[self.lane] if self.shapes["runs"] else np.zeros(0)
        self._interruptions = {r: int(k) for r, k in enumerate(counts)}

    def interruption_gap(self, r: int, remaining: float, rate: float) -> float:
        """The K_r interruptions spread evenly over the work left (only their number moves the schedule)."""
        left = self._interruptions.get(r, 0)
        if left <= 0:
            return math.inf
        self._interruptions[r] = left - 1
        return remaining / (left + 1)

    def training_fails(self, r: int) -> float:
        return float(self.block.failures(self.shapes["runs"], self.lane)[r])

    # team
    def departures(self, t: int, n, probability):
        """People leaving each role in month t (K,): the kernel's binomial count."""
        return self._count(t, self._u("team_departures", t, np.shape(n)), n, probability)

    def departure_delay(self, t: int, k: int, rate: float) -> float:
        raise NotImplementedError("replay: departures are counts (ReplayDraws.departures)")

    def pick(self, t: int, k: int, candidates: int, n: int):
        raise NotImplementedError(
            "replay: the kernel removes leavers of a role with ramp or equity grants as a share of every tenure "
            "bucket (mean field), which no choice of individuals realises"
        )

    def offer_cycle(self, t: int, k: int, shape: float, scale: float) -> float:
        raise NotImplementedError("replay: requisitions with a time to fill are not replayed")

    def offer_accepted(self, t: int, k: int) -> float:
        raise NotImplementedError("replay: requisitions with a time to fill are not replayed")

    def deal_cap(self, t: int) -> float:
        return float(self._u("team_deal_cap", t, ()))


def provider(draws) -> GeneratorDraws | ReplayDraws:
    """A draw provider from ``draws``: itself, or a NumPy generator wrapped as the source of every draw."""
    if isinstance(draws, np.random.Generator):
        return GeneratorDraws(draws, draws)
    return draws
