"""Every random stream of venturesim, in one registry shared by both engines.

A stream number is what a key is ``fold_in``-ed with (JAX) or what a NumPy ``SeedSequence`` is
extended with (DES). Two draws that share a number under the same parent key are the same numbers,
so the numbers must be unique among siblings, and a key is either drawn from or used as a parent,
never both (JAX's key-reuse rule). The tree, for seed s and path i:

* ``key(s)`` → ``fold_in(·, PARAMS)``: the uncertain inputs (``venturesim.spec.sampling``: per
  path ``fold_in(·, i)``, per input ``fold_in(·, crc32(name))``);
* ``key(s)`` → ``fold_in(·, PROCESS)``: process noise. The JAX engine folds in the block index b and
  **splits the block key once** into an init key and a months key (:func:`block_keys`):

  - init key → ``fold_in(·, PRODUCT)`` (runs that fail), ``fold_in(·, PRODUCT_INTERRUPTIONS)``;
  - months key → ``fold_in(·, t)`` for month t → ``fold_in(·, DOMAIN)`` for each domain below →
    ``fold_in(·, SUB)`` for that domain's sub-streams.

* The DES draws its process noise from NumPy generators seeded by ``SeedSequence([s, PROCESS, i])``
  (the path's main generator) and ``SeedSequence([s, PROCESS, i, DES_TEAM])`` (the team's), so a path's
  story does not depend on which worker runs it.
"""

from __future__ import annotations

import jax

PARAMS, PROCESS = 0, 1
"""Children of the seed's key: input draws and process noise."""

MARKET, FUNDING, TEAM, EXITS = 1, 2, 5, 6
"""Children of a month's key (JAX), one per domain that draws in its monthly step. The partnerships
draw nothing per month (their signing draws are inputs) and the risks' events are inputs too."""

PRODUCT, PRODUCT_INTERRUPTIONS = 3, 4
"""Children of a block's init key: the training queue's failed runs and interruption counts."""

MARKET_TOTALS, MARKET_AGES, MARKET_CHANNELS, MARKET_DEALS, MARKET_WINS = 0, 1, 2, 3, 4
"""Children of the market's stream: churn on totals and Bass adoption; churn by age; the channels'
funnels; deals resolving by age; deals won."""

FUNDING_ATTEMPTS, FUNDING_BRIDGES = 0, 1
"""Children of the funding stream: attempts resolving; insiders' bridges."""

TEAM_DEPARTURES, TEAM_CYCLES, TEAM_WORK, TEAM_DEAL_CAP = 0, 2, 3, 6
"""Children of the team's stream: departures; offer cycles until acceptance; the pipeline's work time;
the random rounding of the sales deal cap."""

DES_TEAM = 5
"""The DES team generator's extension of the path's seed sequence."""

SIBLINGS = {
    "seed": {"PARAMS": PARAMS, "PROCESS": PROCESS},
    "month": {"MARKET": MARKET, "FUNDING": FUNDING, "TEAM": TEAM, "EXITS": EXITS},
    "init": {"PRODUCT": PRODUCT, "PRODUCT_INTERRUPTIONS": PRODUCT_INTERRUPTIONS},
    "market": {
        "MARKET_TOTALS": MARKET_TOTALS,
        "MARKET_AGES": MARKET_AGES,
        "MARKET_CHANNELS": MARKET_CHANNELS,
        "MARKET_DEALS": MARKET_DEALS,
        "MARKET_WINS": MARKET_WINS,
    },
    "funding": {"FUNDING_ATTEMPTS": FUNDING_ATTEMPTS, "FUNDING_BRIDGES": FUNDING_BRIDGES},
    "team": {
        "TEAM_DEPARTURES": TEAM_DEPARTURES,
        "TEAM_CYCLES": TEAM_CYCLES,
        "TEAM_WORK": TEAM_WORK,
        "TEAM_DEAL_CAP": TEAM_DEAL_CAP,
    },
}
"""Each parent key's children by name (their numbers must differ; a test checks)."""


def block_keys(block_key: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(init key, months key) of a block: the block's key split once, so no key is both drawn from and
    the parent of the month keys."""
    init_key, months_key = jax.random.split(block_key)
    return init_key, months_key
