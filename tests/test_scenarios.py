"""Every shipped scenario in scenarios/*.yaml validates, runs, gives sane results, and lies inside published bands.

One JAX run per scenario (:data:`PATHS` paths, seed 1, the scenario's horizon) serves every test here: the
kernel runs whole blocks of 4,096 paths, so a plausibility check at 1,000 paths costs no more than a smoke run.

Plausibility (issue 14). The bands and their sources:

* **graduation** to the next round, of the companies that closed a round: 25–85 %. CB Insights, "venture
  capital funnel": 46 % of the 2008–10 US seed cohort raised a follow-on; Carta's 2018 US cohort: 36 % of the
  56 % that raised a seed reached an A (64 %) — wide, because the horizons (36–60 months) are shorter than
  those cohorts' windows.
* **dilution** of each priced round (median amount / post-money): 10–30 %. Carta 2023: seed ≈ 20 %, A ≈ 20 %,
  B ≈ 17 %, C ≈ 13 %.
* **gross margin** (median over the operating paths, the last 12 months): 45–85 %. a16z, "The New Business of
  AI" (2020): AI companies 50–60 %, SaaS 60–80 %.
* **CAC payback** (median over the operating paths where defined, the last 12 months): 2–48 months.
  Benchmarkit 2025: median ≈ 18 months for B2B SaaS; self-serve products whose customers mostly come by word
  of mouth (Bass adoption, no spend) pay back faster, hence the low bound.
* **failure timing**: with a horizon beyond 36 months, some deaths come after month 36 (≥ 2 % of deaths).
  Carta's 2018 cohort: 62 % had closed by 2025 — companies keep closing for years.
* **profitable survivors** at the horizon: at most 85 % of the operating paths (the issue found 91–100 %;
  most venture-backed companies still burn five years in — an assumption, the band is loose on purpose).
* **thriving deaths**: at most a third of deaths are of companies with ≥ $1M ARR in the month before death that
  grew ≥ 2× over the year before — Series A material (Blossom Street Ventures: ≈ 100 % growth is the median at a
  Series A; $1M ARR the usual bar), which raises, bridges or sells far more often than it runs out. An assumption,
  loose on purpose: no published series gives ARR at shutdown (issue 14 found 76–90 % in four scenarios).
* **the template** (``venturesim new``, a new founder's starting point; its header states these bands): alive
  at month 48 in 35–65 % (Carta's 2018 US cohort: 62 % had closed by 2025; CB Insights: 46 % of seeded companies
  raise a follow-on) and the seed closing in 35–75 % of paths (Carta's 2018 cohort: 56 % raised a seed).

A scenario outside a band is fixed, or listed in OPEN with the reason: an outlier on purpose (its header
says why) or a known gap still open in issue 14 (strict xfail, so fixing it shows); a figure inside its band by
less than 2 standard errors is in MARGINAL (non-strict xfail).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import venturesim
from venturesim.engine.metrics import DEFAULT_METRICS, MONTHLY_METRICS
from venturesim.funding.rounds import CLOSED

from plausibility import NEEDED_METRICS, figures  # isort: skip

TEMPLATE = Path(venturesim.__file__).resolve().parent / "scenario" / "templates" / "template.yaml"  # venturesim new
SCENARIOS = [*sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml")), TEMPLATE]
PATHS, SEED = 1000, 1
CHECK_MONTHS = (12, 24, 36)

pytestmark = pytest.mark.slow  # every shipped scenario runs: a compile each (make test-fast skips it)


def test_scenarios_are_found():
    names = {path.name for path in SCENARIOS}
    assert {
        "seed_stage_api.yaml",
        "bootstrapped_vertical_ai.yaml",
        "capital_heavy_foundation_model.yaml",
        "funding_winter.yaml",
        "burn_before_fit.yaml",
        # the scenario library (issue 18): the seed's strategy and case chapters, three compiled shapes in all
        "vertical_saas_on_vendor_api.yaml",
        "consumer_ai_app_viral.yaml",
        "fine_tuning_boutique.yaml",
        "china_company_expanding_abroad.yaml",
        "ai_drug_discovery_partnerships.yaml",
        "open_weights_model_company.yaml",
        "frontier_lab_mega_rounds.yaml",
    } <= names


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda path: path.stem)
def run(request):
    scenario = venturesim.load(request.param)
    assert {*DEFAULT_METRICS, *NEEDED_METRICS, "founder_ownership"} <= set(MONTHLY_METRICS)
    # every metric at the horizon in one block: the program tests/engine/test_same_uniforms.py (and the sales-led
    # scenario's own test) run too, so the session's compile cache compiles it once for all three
    return scenario, venturesim.simulate(scenario, paths=PATHS, seed=SEED, metrics="all")


def test_scenario_is_modest_and_described(run):
    scenario, _ = run
    assert scenario.name.strip()
    assert scenario.simulation.paths <= 20_000
    assert scenario.simulation.months >= max(CHECK_MONTHS)


def test_result_shape(run):
    scenario, result = run
    assert result.paths == PATHS
    assert result.months == scenario.simulation.months


def test_survival_is_a_non_increasing_probability(run):
    _scenario, result = run
    survival = result.survival()["survival"]
    assert survival.between(0, 1).all()
    assert survival.loc[0] == 1.0  # nobody is dead before the first month
    at = [survival.loc[m] for m in CHECK_MONTHS]
    assert at == sorted(at, reverse=True), at
    assert np.all(np.diff(survival.to_numpy()) <= 0)


def test_summary_survival_rows(run):
    _scenario, result = run
    summary = result.summary()
    rows = summary[summary["section"] == "survival"]
    probabilities = rows[rows["statistic"] == "probability"]
    wanted = {f"alive at month {m}" for m in CHECK_MONTHS}
    assert wanted <= set(probabilities["metric"])
    assert not rows[["value", "se"]].isna().any().any(), rows
    assert probabilities["value"].between(0, 1).all()
    survival = result.survival()["survival"]
    for m in CHECK_MONTHS:
        value = probabilities.loc[probabilities["metric"] == f"alive at month {m}", "value"].item()
        assert value == pytest.approx(survival.loc[m])


def test_founders_are_never_anti_diluted(run):
    scenario, result = run
    initial = scenario.company.founder_ownership
    final = np.asarray(result.data["final_founder_ownership"].values, np.float64)
    assert np.isfinite(final).all()
    assert (final > 0).all()
    assert (final <= initial + 1e-6).all(), final.max()
    summary = result.summary()
    ownership = summary.loc[summary["section"] == "ownership", "value"]
    assert len(ownership) > 0 and (ownership <= initial + 1e-6).all()
    if not scenario.funding.rounds:  # no round, no dilution
        np.testing.assert_allclose(final, initial, rtol=1e-6)


# ---- plausibility: published bands (module docstring) ----------------------------------------------------------

BANDS = {
    "graduation": (0.25, 0.85),
    "dilution": (0.10, 0.30),
    "gross_margin": (0.45, 0.85),
    "cac_payback": (2.0, 48.0),
    "deaths_after_36": (0.02, 1.0),
    "profitable_survivors": (0.0, 0.85),
    "thriving_deaths": (0.0, 1 / 3),
}

OPEN = {
    # Outliers on purpose (their headers say why):
    ("bootstrapped_vertical_ai.yaml", "profitable_survivors"): "bootstrapped: no outside money, so every survivor "
    "is profitable by construction",
    ("bootstrapped_vertical_ai.yaml", "deaths_after_36"): "bootstrapped: a company that reaches profit early stays "
    "alive; the ones that do not run out in the first three years",
    ("burn_before_fit.yaml", "deaths_after_36"): "the cautionary tale: 97 % die before month 36",
    ("frontier_lab_mega_rounds.yaml", "thriving_deaths"): "a frontier lab has $10M+ ARR from its first year: "
    "every death is at >= $1M ARR; it dies of a mega-round that does not come (its header)",
    ("capital_heavy_foundation_model.yaml", "thriving_deaths"): "95 % pass $1M ARR within a year, and its Series A "
    "prices $37-150M of ARR: $1M is no Series A bar for this lab (its header)",
    ("sales_led_enterprise_ai.yaml", "thriving_deaths"): "88 % pass $1M ARR by month 24, and its companies at the "
    "bar burn a median $2.9 per $ of net new ARR (Sacks: 'suspect' to 'bad'): a failed A is no surprise (its header)",
    ("funding_winter.yaml", "thriving_deaths"): "the winter kills companies at the bar while they raise their "
    "seed (12 % of paths, 6 % in calm weather): the scenario's point; the levers that bring it inside the band bring "
    "its deaths down to calm weather's (its header)",
    # Closed (issue 14): companies at the Series A bar ran out. seed_stage_api's went 49 -> 23 % (slower
    # awareness, cut while raising short of the close: its header), open_weights_model_company's 47 -> 28 % and
    # sales_led_enterprise_ai's 78 -> 53 % (the cuts while raising and while waiting to raise, the sale and the
    # retry on traction; an insider bridge of a failed A: their headers; the rest is on purpose, above),
    # china_company_expanding_abroad's 41 -> 18 % (it goes abroad once its seed is in, open_after_round),
    # ai_copilot_series_a's 54 -> 28 % (one tool's Bass p, not a category's, and the cuts while raising and
    # waiting to raise: its header), funding_winter's 61 -> 34 % (the same p, the cuts; the rest is on purpose).
    # Closed (issue 14): deaths after month 36 in sales_led_enterprise_ai 1.4 -> 6.2 % of deaths and in the template
    # 1.2 -> 6.3 % (PATHS paths, seed SEED; both 4.2 SE above 2 %): their plans hire through year 4 and insiders
    # bridge half of the failed next round (B; A in the template), so a bridged company whose retry fails runs out
    # in years 4-5 (their headers).
}

MARGINAL: dict[tuple[str, str], str] = {
    # Inside the band at PATHS paths and seed SEED, but by less than 2 standard errors, or outside it by less than
    # that where the scenario's mean lies at the band's edge: a non-strict xfail until the margin is there.
    ("vertical_saas_on_vendor_api.yaml", "deaths_after_36"): "7 of 538 deaths (1.3 %, 0.9 SE below 2 %); about "
    "1.8 % of deaths at 16,000 paths before and after the uniforms' change (1.58 and 2.06 % at 8,000 paths, seeds "
    "1 and 2; 1.93 and 1.68 % before): at the band's edge. Its horizon sees one year after month 36, and its "
    "Series A, the last round, lasts beyond it",
    ("sales_led_enterprise_ai.yaml", "deaths_after_36"): "12 of 386 deaths (3.1 %, 1.3 SE above 2 %) since the cut "
    "while raising short of the close (its header): the companies that ran out raising the B in years 4-5 now cut "
    "and live (they were 39 of 507, 7.7 %)",
    ("open_weights_model_company.yaml", "thriving_deaths"): "57 of 201 deaths (28.4 %, 1.5 SE below a third) with "
    "the policies of its header (47 % without them)",
    ("open_weights_model_company.yaml", "deaths_after_36"): "10 of 201 deaths (5.0 %, 1.9 SE above 2 %): fewer "
    "deaths since the policies of its header (without them 4.6 % of 29.4 % of paths at 2,000 paths)",
    # Closed (issue 14): funding_winter's deaths after month 36 were 12 of 312
    # (3.8 %, 1.7 SE above 2 %); with its failure policy's traction retry (an abandoned round tried again, its
    # earliest month waived, for a company with >= $1M ARR growing >= 2x) 42 of 284 (14.8 %, SE 2.1 %: 6.1 SE).
}


@pytest.fixture(scope="module")
def plausibility_figures(run):
    return figures(run[1])


@pytest.mark.parametrize("band", list(BANDS))
def test_scenario_inside_published_band(run, plausibility_figures, band, request):
    scenario, _ = run
    name = request.node.callspec.params["run"].name
    if (name, band) in OPEN:
        request.applymarker(pytest.mark.xfail(reason=OPEN[name, band], strict=True))
    if (name, band) in MARGINAL:
        request.applymarker(pytest.mark.xfail(reason=MARGINAL[name, band], strict=False))
    lo, hi = BANDS[band]
    if band == "deaths_after_36" and scenario.simulation.months <= 36:
        pytest.skip("horizon of 36 months or less")
    value = plausibility_figures.get(band, float("nan"))
    values = {k: v for k, v in (value if isinstance(value, dict) else {band: value}).items() if np.isfinite(v)}
    if not values:
        pytest.skip(f"{band} undefined for {name} (too few paths)")
    outside = {k: round(v, 3) for k, v in values.items() if not lo <= v <= hi}
    assert not outside, f"{name}: {band} outside [{lo}, {hi}]: {outside}"


TEMPLATE_BANDS = {"alive": (0.35, 0.65), "seed_closed": (0.35, 0.75)}


@pytest.mark.parametrize("run", [TEMPLATE], indirect=True, ids=[TEMPLATE.stem])  # the template's own run, shared
def test_template_is_a_realistic_starting_point(run):
    """The template's run at these paths and seed lies in the bands its header states (module docstring)."""
    _scenario, result = run
    seed = result.scenario.funding.class_names().index("seed")
    values = {
        "alive": float((result.data["death_month"].values < 0).mean()),
        "seed_closed": float((result.data["round_status"].values[:, seed] == CLOSED).mean()),
    }
    outside = {k: round(v, 3) for k, v in values.items() if not TEMPLATE_BANDS[k][0] <= v <= TEMPLATE_BANDS[k][1]}
    assert not outside, outside


# ---- money buys growth (issue 14): use of funds, on common random numbers -------------------------------------


@pytest.mark.slow
def test_a_seed_twice_as_large_buys_growth():
    """seed_stage_api with a seed twice as large at twice the price (the same dilution) against the shipped one,
    on common random numbers (:mod:`venturesim.analysis.compare`, 4,000 paths — one kernel block, no dearer than
    PATHS — seed SEED): mean ARR at month 60 rises by more than 4 paired standard errors (measured: $7.63M →
    $8.27M, +8.3 %, z = 6.4; deaths 26.0 → 25.7 %). The money is spent — use of funds scales the plan's hires and
    channel budgets while runway exceeds 24 months, and reinvestment while the burn multiple is below 1.5 — so
    customers rise, not only survival."""
    from venturesim.analysis.compare import paired_difference

    path = next(p for p in SCENARIOS if p.name == "seed_stage_api.yaml")
    base = venturesim.load(path)
    x2 = base.override({"funding.rounds.seed.amount*=": 2, "funding.rounds.seed.pre_money*=": 2})
    big, small = (venturesim.simulate(s, paths=4000, seed=SEED, metrics="all") for s in (x2, base))  # one compile
    d, se = paired_difference(big.data["arr"].values[:, -1], small.data["arr"].values[:, -1])
    assert d > 4 * se, (d, se)
    spent, se_spent = paired_difference(
        big.data["acquisition_spend"].values[:, 12:36].sum(axis=1),
        small.data["acquisition_spend"].values[:, 12:36].sum(axis=1),
    )
    assert spent > 3 * se_spent, (spent, se_spent)  # the channels got more of the money
