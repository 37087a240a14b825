r"""One quality scale: losses carry their unit, and a calibration's law is transferred, not swapped.

The reference scale
-------------------
Every loss the engines compare — the frontier's, the served model's, a
run's, a catalogue entry's — is on one scale: **nats per token of the
reference tokeniser**, the scale of the published Chinchilla law
(:data:`~venturesim.model_costs.scaling_law.CHINCHILLA`, Hoffmann et al.
2022; MassiveText, SentencePiece). A loss may be written in another unit;
the engine converts it:

==================  ==========================================  =====================
unit                meaning                                     to the reference scale
==================  ==========================================  =====================
``nats/token``      nats per reference token                    × 1
``nats/byte``       nats per UTF-8 byte                         × b
``bits/byte``       bits per UTF-8 byte (bpb)                   × b · ln 2
==================  ==========================================  =====================

with b the bytes per reference token, :data:`BYTES_PER_TOKEN` = 1 / 0.29335
= 3.409 by default: the Pile's ratio of GPT-2 BPE tokens to UTF-8 bytes,
L_T/L_B = 0.29335 (Gao et al. 2020, "The Pile", §5, the bits-per-byte
conversion). Chinchilla's own tokeniser's ratio is not published, so that a
32 k–50 k-vocabulary English tokeniser has the Pile's ratio is an
**assumption** (``product.bytes_per_token`` changes it). A loss per token of
*another* tokeniser cannot be converted without its own bytes-per-token
figure; the schema accepts only the units above, and a calibration file in
an unknown unit is refused (:func:`check_unit`).

A calibration's law: the anchored transfer
------------------------------------------
``venturesim calibrate-product`` fits L_c(N, D) = E_c + A_c/N^{α_c} +
B_c/D^{β_c} to byte-level Transformers of 10⁴–10⁶ parameters on Python
source. Its **exponents** (α_c, β_c, with their posterior uncertainty) are
what those runs measure; its **absolute level** (E_c ≈ 0.8 nats/byte) is the
entropy of a different text at a scale 10⁴× smaller, and is not the
frontier's scale in any unit (× b gives ≈ 2.7 nats/token, a model far behind
every frontier: using it as is turned a failing company into a unicorn, issue
15). So the level is **anchored** to the published law at a reference point
(N_ref, D_ref), by default the Chinchilla model itself (70 B parameters,
1.4 T tokens; :data:`ANCHOR_PARAMETERS`, :data:`ANCHOR_TOKENS`):

.. math::

    E' = E_{pub},\quad \alpha' = \alpha_c,\quad \beta' = \beta_c,\quad
    A' = A_{pub} N_{ref}^{\alpha_c - \alpha_{pub}},\quad
    B' = B_{pub} D_{ref}^{\beta_c - \beta_{pub}},

so each term of the transferred law equals the published law's at the
anchor, A'/N_ref^{α_c} = A_pub/N_ref^{α_pub} (likewise B'), and moves away
from it at the measured rate. Consequences, each tested
(tests/model_costs/test_quality_scale.py):

* a calibration with the published exponents transfers to the published law
  exactly, whatever its level and unit (the legal-AI regression: outcomes
  unchanged);
* at the anchor every calibration gives the published loss; a run of N < N_ref
  parameters is *further behind* under steeper exponents, by
  A_pub/N_ref^{α_pub} · ((N_ref/N)^{α'} − (N_ref/N)^{α_pub}) nats/token in the model term;
* the transfer is unit-free (exponents have no unit), so it needs no
  bytes-per-token figure; ``transfer: none`` (use the law as fitted) is
  allowed only for a law already in nats per reference token.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from venturesim.model_costs.scaling_law import CHINCHILLA, LossLaw

__all__ = [
    "ANCHOR_PARAMETERS",
    "ANCHOR_TOKENS",
    "BYTES_PER_TOKEN",
    "LOSS_UNITS",
    "LossUnit",
    "check_unit",
    "to_reference",
    "transfer_law",
]

LossUnit = Literal["nats/token", "nats/byte", "bits/byte"]
LOSS_UNITS: tuple[str, ...] = ("nats/token", "nats/byte", "bits/byte")

PILE_TOKENS_PER_BYTE = 0.29335
"""GPT-2 BPE tokens per UTF-8 byte on the Pile, L_T/L_B (Gao et al. 2020, §5)."""
BYTES_PER_TOKEN = 1.0 / PILE_TOKENS_PER_BYTE
"""Bytes per reference token, ≈ 3.409 (assumption: the reference tokeniser has the Pile's GPT-2 ratio)."""

ANCHOR_PARAMETERS = 70e9
"""N_ref of the anchored transfer: the Chinchilla model's 70 B parameters (Hoffmann et al. 2022, Table 1)."""
ANCHOR_TOKENS = 1.4e12
"""D_ref of the anchored transfer: the Chinchilla model's 1.4 T training tokens."""


def check_unit(unit: object, where: str) -> str:
    """``unit`` if it is one of :data:`LOSS_UNITS`, else ``ValueError`` naming ``where`` and the units known."""
    if unit not in LOSS_UNITS:
        raise ValueError(
            f"{where}: loss unit {unit!r} cannot be converted to the reference scale; "
            f"expected one of {list(LOSS_UNITS)} (a loss per token of another tokeniser needs its bytes per token)"
        )
    return str(unit)


def to_reference(value, unit: str, bytes_per_token: float = BYTES_PER_TOKEN):
    """A loss (or loss difference) in ``unit`` on the reference scale, nats per reference token.

    nats/token × 1; nats/byte × b; bits/byte × b · ln 2 (module table).
    """
    check_unit(unit, "to_reference")
    if not bytes_per_token > 0:
        raise ValueError(f"bytes_per_token(={bytes_per_token}) must be > 0")
    factor = {"nats/token": 1.0, "nats/byte": bytes_per_token, "bits/byte": bytes_per_token * math.log(2.0)}[unit]
    return value * factor


def transfer_law(
    E,
    A,
    B,
    alpha,
    beta,
    *,
    published: LossLaw = CHINCHILLA,
    anchor_parameters: float = ANCHOR_PARAMETERS,
    anchor_tokens: float = ANCHOR_TOKENS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The anchored transfer of a measured law (arrays of draws) onto the published law's scale (module notes).

    ``E``, ``A``, ``B`` (the measured level, in any unit) do not enter the
    result; they are accepted so that a law's five parameters pass together.

    Returns
    -------
    (E', A', B', α', β') : arrays of the draws' shape, nats per reference token.
    """
    if not (anchor_parameters > 0 and anchor_tokens > 0):
        raise ValueError(f"anchor (N={anchor_parameters}, D={anchor_tokens}) must be positive")
    alpha = np.asarray(alpha, dtype=np.float64)
    beta = np.asarray(beta, dtype=np.float64)
    if np.any(alpha <= 0) or np.any(beta <= 0):
        raise ValueError("the measured exponents alpha and beta must be > 0")
    shape = np.broadcast_shapes(np.shape(E), alpha.shape, beta.shape)
    E2 = np.full(shape, published.E)
    A2 = published.A * anchor_parameters ** (alpha - published.alpha)
    B2 = published.B * anchor_tokens ** (beta - published.beta)
    return (
        E2,
        np.broadcast_to(A2, shape).copy(),
        np.broadcast_to(B2, shape).copy(),
        np.broadcast_to(alpha, shape).copy(),
        np.broadcast_to(beta, shape).copy(),
    )
