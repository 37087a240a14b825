"""Training runs in the discrete-event engine: jobs queueing for a cluster.

The cluster is a ``simpy.Resource`` with one unit per slot
(``product.cluster_slots``). Each run on the roadmap is a process
(:func:`training_job`) that

1. waits for its submit month, then for the previous run to be decided
   (runs take slots in roadmap order) and, for a fine-tune, for its base to be
   released — or skips itself if the base failed;
2. queues for a slot (logged: ``queued``, then ``started``);
3. trains for ``work`` months of compute; interruptions arrive as a Poisson
   process at rate λ during the work, each costing ``restart`` months of wall
   time on the slot (logged: ``interrupted``);
4. frees the slot (``finished``), and is either wasted (``failed``) with the
   run's failure probability or ``released`` after the release delay.

This is the process whose monthly summary the JAX engine computes in closed
form (:mod:`venturesim.model_costs.step`); the month's figures are one rule
for both (:func:`venturesim.model_costs.step.month_figures`). The ``company``
argument is the engine's per-path state (:class:`venturesim._simpy.Path`): this module
writes its own state, ``company.training`` (a :class:`TrainingBook`, set by
:func:`start_training`), and reads across domains only ``alive`` and ``ended``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import simpy

from venturesim._draws import provider
from venturesim._simpy import stops_when_ended
from venturesim.model_costs.roadmap import ProductParams
from venturesim.model_costs.training_cost import HOURS_PER_MONTH


@dataclass
class TrainingBook:
    """One path's runs in the DES: when each (R,) started, finished and was released (months; +inf: not
    yet), and the cluster's queue and busy slots (the event log's ``training_queue``, ``accelerators_busy``)."""

    start: np.ndarray
    end: np.ndarray
    release: np.ndarray
    queued: int = 0
    busy: int = 0


def start_training(env: simpy.Environment, company, product: ProductParams, names: list[str], rng) -> simpy.Resource:
    """Set ``company.training`` and start one process per run, sharing a cluster of ``product.slots`` slots
    (returned). ``rng``: a NumPy generator or a draw provider (:mod:`venturesim._draws`)."""
    company.training = TrainingBook(
        np.full(len(names), np.inf), np.full(len(names), np.inf), np.full(len(names), np.inf)
    )
    rng = provider(rng)
    if rng.replay:  # the kernel's interruption counts K_r ~ Poisson(λ_r · work_r)
        rng.start_training()
    cluster = simpy.Resource(env, capacity=max(len(product.slots), 1))
    decided = [env.event() for _ in names]
    outcome = [env.event() for _ in names]  # value: released (True) or failed (False)
    for r in range(len(names)):
        env.process(training_job(env, company, product, names, r, cluster, decided, outcome, rng))
    return cluster


@stops_when_ended
def training_job(env, company, product: ProductParams, names, r, cluster, decided, outcome, rng):
    """One run on the roadmap (a SimPy process generator); it stops, logging nothing more, when the company ends
    (a slot it holds or waits for is given back on the way out of the ``with`` block)."""
    name = names[r]
    yield env.timeout(float(product.submit[r]))
    if r:
        yield decided[r - 1]
    base = int(product.base[r])
    if base >= 0:
        released = yield outcome[base]
        if not released:
            decided[r].succeed()
            outcome[r].succeed(False)
            company.log("training", "skipped", f"{name}: skipped — its base {names[base]} failed")
            return
    if not company.alive:
        return
    with cluster.request() as slot:
        company.training.queued += 1
        company.log("training", "queued", f"{name}: waiting for a cluster slot")
        yield slot
        if not company.alive:
            return
        company.training.queued -= 1
        company.training.busy += 1
        decided[r].succeed()
        company.training.start[r] = env.now
        company.log(
            "training",
            "started",
            f"{name}: training started ({product.work[r]:.2f} months of compute, ${product.cost_rate[r]:,.0f}/month)",
        )
        remaining, rate = float(product.work[r]), float(product.interrupt_rate[r])
        while True:
            gap = rng.interruption_gap(r, remaining, rate) if rate > 0 else math.inf
            if gap >= remaining:
                yield env.timeout(remaining)
                break
            yield env.timeout(gap)
            remaining -= gap
            if not company.alive:
                return
            company.log(
                "training",
                "interrupted",
                f"{name}: interrupted; restarting from the last checkpoint "
                f"({product.restart[r] * HOURS_PER_MONTH:.1f} h lost)",
            )
            yield env.timeout(float(product.restart[r]))
        if not company.alive:
            return
        company.training.end[r] = env.now
        company.training.busy -= 1
    if rng.training_fails(r) < product.failure_probability[r]:
        outcome[r].succeed(False)
        company.log("training", "failed", f"{name}: run wasted (diverged or under-performed)")
        return
    company.log("training", "finished", f"{name}: training finished; loss {product.loss[r]:.3f} nats/token")
    yield env.timeout(float(product.release_delay[r]))
    if not company.alive:
        return
    company.training.release[r] = env.now
    outcome[r].succeed(True)
    company.log(
        "training",
        "released",
        f"{name}: released (loss {product.loss[r]:.3f}, {product.parameters[r] / 1e9:.1f}B parameters)",
    )
