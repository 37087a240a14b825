"""Venture debt ends with the path (issue 13's defect): a dead path pays no more interest or principal, and an
exit repays the loan once, from its value (both engines, numbers worked by hand)."""

from __future__ import annotations

import numpy as np
import pytest
from funding.test_engine_financing import company

import venturesim as vs
from venturesim.funding.terms import IPO

ENGINES = [("jax", {}), ("des", {"workers": 1})]
LOAN = {"name": "loan", "amount": 200_000, "draw_month": 0, "interest_only_months": 0, "amortization_months": 24}
I = 0.12 / 12  # the default 12 % a year
PAYMENT = 200_000 * I / (1 - (1 + I) ** -24)  # the level payment, $9,414.69 a month from month 1


def spec(revenue: bool, cash: float, burn: float) -> dict:
    """One loan drawn in month 0; $``burn`` a month of other costs; with ``revenue``, 1,000 customers pay
    $1,000 a month from month 3 (ARR $12M) and an IPO at ARR ≥ $10M (10 × ARR)."""
    exits = {"exits": {"ipo": {"arr_threshold": 10e6, "arr_multiple": 10}}} if revenue else {}
    return company(revenue=revenue, cash=cash, burn=burn, venture_debt=[LOAN], **exits)


def schedule(months: int):
    """(interest, principal, balance after) of the loan in months 0 … months − 1 (drawn in month 0)."""
    interest, principal, balance = np.zeros(months), np.zeros(months), np.zeros(months)
    b = 200_000.0
    balance[0] = b
    for k in range(1, months):
        interest[k] = b * I
        principal[k] = PAYMENT - interest[k]
        b -= principal[k]
        balance[k] = b
    return interest, principal, balance


@pytest.fixture(scope="module")
def both():
    """{engine: (the path that dies, the path that lists)}."""
    return {
        engine: tuple(
            vs.simulate(vs.load(spec(*s)), paths=2, seed=0, engine=engine, metrics="all", **options).data
            for s in ((False, 300_000, 100_000), (True, 300_000, 10_000))
        )
        for engine, options in ENGINES
    }


@pytest.fixture(params=[e for e, _ in ENGINES])
def runs(both, request):
    return both[request.param]


def test_both_engines_record_the_same_months(both):
    """Every monthly record and final result of the two paths (no randomness: the same numbers in both engines,
    to float32 precision: the JAX engine computes the annuity in float32)."""
    for jax_ds, des_ds in zip(both["jax"], both["des"], strict=True):
        assert set(jax_ds.data_vars) | {"cause_of_death"} == set(des_ds.data_vars)  # the DES's death causes
        for name in jax_ds.data_vars:
            np.testing.assert_allclose(
                des_ds[name].values, jax_ds[name].values, rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=name
            )


def test_a_dead_path_pays_no_more_debt_and_its_cash_is_frozen(runs):
    """$300k + $200k drawn − $100k a month, and from month 1 the loan's $9,414.69: cash 400,000; 290,585;
    181,171; 71,756; −37,659 in month 4: dead, and the cash stays at −37,659 (no interest, no principal)."""
    ds, _ = runs
    interest, principal, _balance = schedule(5)
    cash = 300_000 + 200_000 + np.cumsum(-100_000 - interest - principal)
    np.testing.assert_allclose(cash[[0, 4]], [400_000, -37_659.2], atol=0.5)
    assert ds["death_month"].values.tolist() == [4, 4]
    expected = np.concatenate([cash, np.full(7, cash[4])])
    np.testing.assert_allclose(ds["cash"].values, np.broadcast_to(expected, (2, 12)), rtol=1e-6)
    np.testing.assert_allclose(ds["interest"].values[:, :5], np.broadcast_to(interest, (2, 5)), rtol=1e-5)
    np.testing.assert_allclose(ds["debt_repaid"].values[:, :5], np.broadcast_to(principal, (2, 5)), rtol=1e-5)
    for name in ("interest", "debt_repaid", "debt_balance", "costs", "financing"):
        assert (ds[name].values[:, 5:] == 0).all(), name
    assert not ds["alive"].values[:, 4:].any()


def test_an_ipo_repays_the_loan_once(runs):
    """Revenue $1M a month from month 3: IPO in month 3 at 10 × $12M. Month 3's payment is made (the path
    is alive at its start); the balance left, B₃, is repaid from the IPO's value — founders (90 % of the
    common) get 0.9 · ($120M − B₃) — and never again from the cash: the balance reads 0 from month 3, no
    interest or principal is paid after it, the cash stays where month 3 left it."""
    _, ds = runs
    interest, principal, balance = schedule(4)
    assert ds["exit_kind"].values.tolist() == [IPO, IPO]
    assert ds["exit_month"].values.tolist() == [3, 3]
    np.testing.assert_allclose(ds["interest"].values[:, :4], np.broadcast_to(interest, (2, 4)), rtol=1e-5)
    np.testing.assert_allclose(ds["debt_repaid"].values[:, :4], np.broadcast_to(principal, (2, 4)), rtol=1e-5)
    assert (ds["debt_balance"].values[:, 3:] == 0).all()
    for name in ("interest", "debt_repaid", "costs", "revenue"):
        assert (ds[name].values[:, 4:] == 0).all(), name
    cash = ds["cash"].values
    np.testing.assert_array_equal(cash[:, 4:], np.broadcast_to(cash[:, 3:4], (2, 8)))
    np.testing.assert_allclose(ds["founder_proceeds"].values, 0.9 * (120e6 - balance[3]), rtol=1e-6)
