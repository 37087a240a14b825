r"""Investor returns: proceeds, MOIC and IRR per holder, and the return distribution of a cheque.

Definitions
-----------
* **MOIC** (multiple on invested capital) = proceeds / invested.
* **IRR** r (annual) from dated cash flows (month m_i, amount a_i; invested
  cash negative): the root of

      NPV(r) = Σ_i a_i (1 + r)^{−(m_i − m_0)/12} = 0,

  found with :func:`scipy.optimize.brentq` in x = ln(1 + r) (so returns near
  −100 % stay bracketed), the bracket doubled until NPV changes sign. For one investment and one exit the root is closed
  form, r = MOIC^{12/Δm} − 1 (2x in 36 months: 2^{1/3} − 1 ≈ 26.0 %/year);
  :func:`cheque_at_exits` uses that form, vectorised over paths.

A cheque in a round (:func:`cheque_at_exits`)
---------------------------------------------
"What is my return distribution for a $X cheque in this round at these
terms?" The cheque buys X / amount of the round's class. At each simulated
exit (value E_i in month m_i) the class's proceeds come from
:func:`~venturesim.funding.shares.waterfall.waterfall_arrays` over the stack at the
exit, given in one of two forms an engine can produce:

* **simple** (what :mod:`venturesim.funding.rounds` tracks): per path the
  fraction of fully diluted shares the round's investors own at the exit
  (``round_ownership``, default amount / (pre + amount), i.e. no later
  dilution; the engine's ``FundingState.investor_ownership[:, r]``), the
  fraction owned by later rounds (``later_ownership``) and their total
  liquidation preference (``later_preference``, stacked senior by default);
  everyone else (founders, employees, earlier investors) is counted as common —
  so earlier preferred's preferences are ignored, which flatters this cheque a
  little at low exits;
* **stack**: a :class:`~venturesim.funding.shares.waterfall.ClassArrays` of the whole
  stack at the exit, (C,) or (paths, C), and the index of the round's class.

Outputs: MOIC and IRR per path, MOIC quantiles, P(MOIC < 1), P(MOIC ≥ 10x),
mean MOIC, each probability with its Monte Carlo standard error √(p(1−p)/n).
Compare with Correlation Ventures' 21,000 financings (2004–2013): ≈65 % returned
< 1x and ≈4 % ≥ 10x (REFERENCES.md, Funding).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from venturesim.funding.shares.cap_table import CapTable, Number, Participation
from venturesim.funding.shares.note import ConvertibleNote
from venturesim.funding.shares.safe import PostMoneySafe, PreMoneySafe
from venturesim.funding.shares.waterfall import FULL, NONE, PARTICIPATION_CODE, ClassArrays, waterfall_arrays

__all__ = [
    "ChequeReturns",
    "HolderReturn",
    "RoundTerms",
    "annualised",
    "cheque_at_exits",
    "holder_returns",
    "irr",
    "moic",
    "npv",
]


def npv(rate_annual: float, flows: Sequence[tuple[Number, Number]]) -> float:
    """Σ a_i (1 + r)^{−(m_i − m_0)/12}, m_0 the earliest month; flows are (month, USD)."""
    if rate_annual <= -1:
        raise ValueError(f"rate_annual(={rate_annual}) must be > -1")
    m0 = min(float(m) for m, _ in flows)
    return sum(float(a) * (1.0 + rate_annual) ** (-(float(m) - m0) / 12.0) for m, a in flows)


def irr(flows: Sequence[tuple[Number, Number]]) -> float:
    """Annual internal rate of return of dated cash flows (month, USD) via brentq on NPV.

    Needs at least one negative and one positive flow. With conventional flows
    (investments, then returns) NPV is monotone in r and the root unique.
    """
    flows = list(flows)
    amounts = [float(a) for _, a in flows]
    if not any(a < 0 for a in amounts) or not any(a > 0 for a in amounts):
        raise ValueError(f"flows(={flows}) need at least one negative and one positive amount")
    # solve in x = ln(1 + r), so that returns near −100 % (tiny multiples over short times) stay bracketed
    m0 = min(float(m) for m, _ in flows)
    times = np.array([(float(m) - m0) / 12.0 for m, _ in flows])
    values = np.array(amounts)

    def npv_log(x: float) -> float:
        return float(np.sum(values * np.exp(-x * times)))

    lo, hi = -1.0, 1.0
    while np.sign(npv_log(lo)) == np.sign(npv_log(hi)):
        lo, hi = 2.0 * lo, 2.0 * hi
        if hi > 1e4:
            raise ValueError(f"no IRR found for flows(={flows})")
    from scipy.optimize import brentq  # imported when used: checking a scenario needs no optimiser

    x = brentq(npv_log, lo, hi, xtol=1e-15, rtol=1e-14, maxiter=500)
    return float(np.expm1(x))


def moic(invested: Number, proceeds: Number) -> float:
    """proceeds / invested (exact when both are ints or Fractions)."""
    if float(invested) <= 0:
        raise ValueError(f"invested(={invested}) must be > 0")
    if isinstance(invested, float) or isinstance(proceeds, float):
        return float(proceeds) / float(invested)
    return float(Fraction(proceeds) / Fraction(invested))


def annualised(multiple, months):
    """IRR of one investment and one return ``months`` later: multiple^{12/months} − 1 (arrays broadcast).

    −1 when nothing comes back; NaN where ``months`` ≤ 0 (no time has passed).
    """
    multiple, months = np.asarray(multiple, dtype=float), np.asarray(months, dtype=float)
    years = np.where(months > 0, months, 12.0) / 12.0
    return np.where(months > 0, np.power(multiple, 1.0 / years) - 1.0, np.nan)


@dataclass(frozen=True)
class HolderReturn:
    """One holder's outcome; ``moic`` and ``irr`` are None for holders who paid nothing."""

    invested: Fraction
    proceeds: Fraction
    moic: float | None
    irr: float | None
    flows: tuple[tuple[int, Fraction], ...]


def holder_returns(
    cap_table: CapTable,
    proceeds: Mapping[str, Number],
    exit_month: int,
    *,
    safes: Sequence[PostMoneySafe | PreMoneySafe] = (),
    notes: Sequence[ConvertibleNote] = (),
) -> dict[str, HolderReturn]:
    """MOIC and IRR per holder: cash paid (the issuance history's ``invested`` at
    ``cash_month``, plus SAFEs and notes still outstanding) against ``proceeds``
    (e.g. from :func:`~venturesim.funding.shares.waterfall.proceeds_by_holder`) at ``exit_month``."""
    flows: dict[str, list[tuple[int, Fraction]]] = {}
    for i in cap_table.history:
        if i.invested:
            flows.setdefault(i.holder, []).append((i.month if i.cash_month is None else i.cash_month, -i.invested))
    for s in safes:
        flows.setdefault(s.investor, []).append((s.month, -s.purchase_amount))
    for n in notes:
        flows.setdefault(n.investor, []).append((n.month, -n.principal))
    out = {}
    for h in set(flows) | set(proceeds):
        paid = flows.get(h, [])
        got = Fraction(proceeds.get(h, 0))
        invested = -sum((a for _, a in paid), Fraction(0))
        series = tuple(sorted(paid)) + ((exit_month, got),)
        m: float | None = None
        r: float | None = None
        if invested > 0:
            m = float(got / invested)
            r = irr(series) if got > 0 else -1.0
        out[h] = HolderReturn(invested, got, m, r, series)
    return out


@dataclass(frozen=True)
class RoundTerms:
    """Terms of the round the cheque goes into (USD)."""

    pre_money: float
    amount: float
    liquidation_multiple: float = 1.0
    participation: Participation = "none"
    participation_cap: float | None = None  # total return cap, multiple of the amount

    def __post_init__(self):
        for name in ("pre_money", "amount"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name}(={getattr(self, name)}) must be > 0")
        if self.liquidation_multiple < 0:
            raise ValueError(f"liquidation_multiple(={self.liquidation_multiple}) must be >= 0")
        if self.participation not in PARTICIPATION_CODE:
            raise ValueError(f"participation(={self.participation!r}) must be 'none', 'full' or 'capped'")
        if (self.participation == "capped") != (self.participation_cap is not None):
            raise ValueError(
                f"participation_cap(={self.participation_cap}) must be given exactly when participation='capped'"
            )

    @property
    def post_money(self) -> float:
        return self.pre_money + self.amount


@dataclass(frozen=True)
class ChequeReturns:
    """Return distribution of one cheque over simulated exits."""

    invested: float
    proceeds: np.ndarray  # (paths,) USD
    moic: np.ndarray  # (paths,)
    irr: np.ndarray  # (paths,) annual; −1 when nothing comes back, nan when the exit is at entry
    quantiles: Mapping[float, float]  # of MOIC
    p_loss: float  # P(MOIC < 1)
    p_loss_se: float
    p_10x: float  # P(MOIC >= 10)
    p_10x_se: float
    mean_moic: float
    mean_moic_se: float

    def summary(self) -> dict[str, float]:
        """The headline figures as a flat dict (for tables and reports)."""
        out = {f"MOIC p{round(q * 100):02d}": v for q, v in self.quantiles.items()}
        out.update({"P(MOIC<1)": self.p_loss, "P(MOIC>=10x)": self.p_10x, "mean MOIC": self.mean_moic})
        return out


def cheque_at_exits(
    invested: float,
    terms: RoundTerms,
    exit_values,
    exit_months,
    *,
    entry_month: float = 0.0,
    round_ownership=None,
    later_ownership=None,
    later_preference=None,
    later_seniority: Literal["senior", "pari_passu"] = "senior",
    stack: ClassArrays | None = None,
    round_class: int | None = None,
    quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
) -> ChequeReturns:
    """MOIC/IRR distribution of a ``invested`` USD cheque in a round with ``terms``.

    Parameters
    ----------
    invested : USD, 0 < invested <= terms.amount (the cheque is part of the round).
    terms : the round's terms.
    exit_values : (paths,) exit equity value, USD (0 for a company that died).
    exit_months : (paths,) month of the exit (or of the death), >= entry_month.
    entry_month : month the cheque is paid.
    round_ownership, later_ownership, later_preference : (paths,) or scalars — the
        simple form (module docstring); ignored when ``stack`` is given.
    stack, round_class : the full stack at the exit and the round's class index.
    """
    if not 0 < invested <= terms.amount:
        raise ValueError(f"invested(={invested}) must be in (0, amount(={terms.amount})]")
    E = np.asarray(exit_values, dtype=float)
    if E.ndim != 1 or (E < 0).any():
        raise ValueError("exit_values must be a 1-d array of values >= 0")
    months = np.broadcast_to(np.asarray(exit_months, dtype=float), E.shape)
    if (months < entry_month).any():
        raise ValueError(f"exit_months must be >= entry_month(={entry_month})")
    P = E.shape[0]
    if stack is None:
        own = np.broadcast_to(
            np.asarray(terms.amount / terms.post_money if round_ownership is None else round_ownership, float), (P,)
        )
        later = np.broadcast_to(np.asarray(0.0 if later_ownership is None else later_ownership, float), (P,))
        later_pref = np.broadcast_to(np.asarray(0.0 if later_preference is None else later_preference, float), (P,))
        rest = 1.0 - own - later
        if (rest < -1e-12).any() or (own <= 0).any() or (later < 0).any():
            raise ValueError("round_ownership and later_ownership must be >= 0 with a sum <= 1")
        cap = np.inf if terms.participation_cap is None else terms.participation_cap * terms.amount
        prefs = np.stack([np.zeros(P), np.full(P, terms.liquidation_multiple * terms.amount), later_pref], axis=1)
        shares = np.stack([np.maximum(rest, 0.0), own, later], axis=1)
        seniority = np.array([0, 1, 2 if later_seniority == "senior" else 1])
        participation = np.array([FULL, PARTICIPATION_CODE[terms.participation], NONE])
        caps = np.array([np.inf, cap, np.inf])
        proceeds_class = waterfall_arrays(E, prefs, shares, seniority, participation, caps)[:, 1]
    else:
        if round_class is None:
            raise ValueError("round_class(=None) must index the round's class in stack")
        proceeds_class = waterfall_arrays(
            E, stack.preference, stack.shares, stack.seniority, stack.participation, stack.cap, stack.safe_fraction
        )[:, round_class]
    proceeds = proceeds_class * (invested / terms.amount)
    multiple = proceeds / invested
    rate = annualised(multiple, months - entry_month)
    n = float(P)
    p_loss = float(np.mean(multiple < 1.0))
    p_10x = float(np.mean(multiple >= 10.0))
    return ChequeReturns(
        invested=float(invested),
        proceeds=proceeds,
        moic=multiple,
        irr=rate,
        quantiles={float(q): float(np.quantile(multiple, q)) for q in quantiles},
        p_loss=p_loss,
        p_loss_se=math.sqrt(p_loss * (1 - p_loss) / n),
        p_10x=p_10x,
        p_10x_se=math.sqrt(p_10x * (1 - p_10x) / n),
        mean_moic=float(np.mean(multiple)),
        mean_moic_se=float(np.std(multiple, ddof=1) / math.sqrt(n)) if P > 1 else float("nan"),
    )
