r"""Ownership fractions through rounds, SAFEs and warrants: the engines' cap table (``xp``: numpy or jax.numpy).

The engines keep each path's cap table as fractions of the fully diluted
company: founders f, other early holders o, the option pool q (granted and
unissued) and each round's investors I_r, summing to 1. A post-money SAFE
that has closed but not converted is *outstanding* (mask U); its I_r is
P/Cap, its holder's fraction of the Company Capitalization. The share-level
exact versions are :func:`venturesim.funding.shares.priced.apply_round` and
:class:`venturesim.funding.shares.cap_table.CapTable`; tests check these
fractions against them.

**Issuing to a new holder** a fraction w (a post-money SAFE, w = P/Cap; or
venture-debt warrants, w = coverage × loan / post-money): the outstanding
SAFEs keep their fractions (the post-money SAFE's defining property: "the
Safe … is not diluted by other Safes", YC post-money SAFE user guide), and
every other holder is scaled by (1 − S − w)/(1 − S), S = Σ outstanding
fractions. Ownership still sums to 1.

**A priced round** with pre-money V, amount A and pool target π (a fraction
of the post-money, so q' = π(V + A)/V of the pre-money fully diluted
capitalization F; no top-up without a target) converts every outstanding
SAFE. In fractions of F (:mod:`venturesim.funding.shares.priced` for the
definitions):

* a SAFE converting at its cap holds s·y, y = CC/F the Company
  Capitalization (which excludes the round's pool increase T) over F;
* one converting at its discount d holds σ = P/((1 − d)V) (shares
  P/((1 − d)p) at the round price p = V/F); d = 0 is the round price;
* the other holders (e = 1 − q − Σ s: founders, others and priced
  investors; and the pool q) are scaled by a common z.

Without a top-up (T = 0, y = 1): z = (1 − Σ_cap s − Σ_disc σ)/(e + q), and a
top-up is needed iff z q < q'. With it (pool = q', T/F = q' − z q,
y = 1 − q' + z q), Σ F-fractions = 1 gives

.. math:: z = \frac{(1 - q')(1 - Σ_{cap} s) - Σ_{disc} σ}{e + q\,Σ_{cap} s}.

Each SAFE takes the price that gives it more shares: discount iff σ > s·y
(YC "Conversion Price"). :func:`close_priced` computes this post-money-SAFE
case with the general rule of :mod:`venturesim.funding.instruments`
(pre-money SAFEs, notes, pro rata, MFN and granted options), which solves the
same equation in units of the pre-round shares. Then the new money: every fraction × V/(V + A) and the round's
investors A/(V + A). With no outstanding SAFE this is the option pool
shuffle of a plain priced round: existing holders × (1 − q')/(1 − q) when
q' > q.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

__all__ = ["Holders", "close_priced", "issue_safes", "issue_to_new_holder"]


class Holders(NamedTuple):
    """The engines' cap table as fractions summing to 1: founders, others, pool (…,); investors (…, R), an
    outstanding SAFE's being P/Cap; outstanding (…, R) bool, SAFEs closed and not yet converted."""

    founders: Any
    others: Any
    pool: Any
    investors: Any
    outstanding: Any

    @classmethod
    def of(cls, state) -> Holders:
        """The fractions of any object with the funding state's fields (a block's state or a DES company)."""
        return cls(
            state.founder_ownership,
            state.other_ownership,
            state.pool_ownership,
            state.investor_ownership,
            state.outstanding,
        )

    def fields(self) -> dict:
        """The same fractions under the funding state's field names (for ``_replace`` or ``setattr``)."""
        return {
            "founder_ownership": self.founders,
            "other_ownership": self.others,
            "pool_ownership": self.pool,
            "investor_ownership": self.investors,
            "outstanding": self.outstanding,
        }


def _sum(x, xp):
    return xp.sum(x, axis=-1)


def issue_to_new_holder(holders: Holders, fraction, xp=np) -> Holders:
    """Dilute every holder but the outstanding SAFEs to make room for ``fraction`` (…,) of the company.

    Returns the holders scaled by (1 − S − w)/(1 − S); the caller credits the fraction w to its new holder.
    """
    h = holders
    held = _sum(xp.where(h.outstanding, h.investors, 0.0), xp)
    scale = xp.maximum(1.0 - held - fraction, 0.0) / xp.maximum(1.0 - held, 1e-12)
    kept = xp.where(h.outstanding, h.investors, h.investors * scale[..., None])
    return Holders(h.founders * scale, h.others * scale, h.pool * scale, kept, h.outstanding)


def issue_safes(holders: Holders, issued, fraction, xp=np) -> Holders:
    """Ownership after the post-money SAFEs in ``issued`` (…, R; at most one per path) close for ``fraction``
    (P/Cap)."""
    w = _sum(xp.where(issued, fraction, 0.0), xp)
    h = issue_to_new_holder(holders, w, xp=xp)
    return h._replace(investors=xp.where(issued, fraction, h.investors), outstanding=h.outstanding | issued)


def close_priced(holders: Holders, success, pre_money, terms, xp=np) -> Holders:
    """Ownership after the priced round in ``success`` (…, R; at most one per path) closes, every outstanding
    SAFE being a post-money SAFE whose fraction is P/Cap (its cap: amount / fraction).

    Parameters
    ----------
    holders : the cap table before the round.
    success : (…, R) bool, the priced round closing now (none: nothing changes).
    pre_money : (…, R) USD.
    terms : the rounds' terms (:class:`venturesim.funding.params.FundingParams`, a block's or one path's):
        ``amount`` (…, R) USD (a SAFE's purchase amount too), ``pool_target`` (…, R) the round's post-money pool
        fraction (< 0: none), ``discount`` (…, R) each SAFE's discount.

    The general rule (pre-money SAFEs, notes, pro rata, MFN, granted options) is
    :func:`venturesim.funding.instruments.convert_at_round`; this is its post-money-SAFE case.
    """
    from venturesim.funding.instruments import Instruments, convert_at_round

    s = xp.where(holders.outstanding, holders.investors, 0.0)
    caps = xp.where(s > 0, terms.amount / xp.where(s > 0, s, 1.0), 1.0)
    book = Instruments.post_money(terms.amount, caps, terms.discount, xp=xp)
    new, _ = convert_at_round(holders, 0.0, success, pre_money, terms.amount, terms.pool_target, book, xp=xp)
    return new
