"""Tests for venturesim.report.html: self-containment, escaping, formatting."""

from __future__ import annotations

import json
import re

import altair as alt
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from venturesim.report import format_number, render_report, report_from_dataset
from venturesim.report.html import SUMMARY_COLUMNS, format_value_se, vega_bundle

EVIL = "<script>alert('x')</script>"


@pytest.fixture
def summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "section": ["Outcome", "Outcome", "Finance"],
            "metric": ["survival", "founder ownership", f"cash {EVIL}"],
            "statistic": ["P(alive at 36m)", "median", "median"],
            "value": [0.125, 0.4567, 1234567.4],
            "se": [0.0031, np.nan, 8901.2],
            "unit": ["probability", "fraction", "USD"],
        }
    )


@pytest.fixture
def ds() -> xr.Dataset:
    rng = np.random.default_rng(7)
    n_paths, n_months = 200, 36
    shape = (n_paths, n_months)
    return xr.Dataset(
        {
            "cash": (("path", "month"), rng.normal(2e6, 1e6, shape).astype(np.float32)),
            "arr": (("path", "month"), rng.gamma(2.0, 5e5, shape).astype(np.float32)),
            "customers": (("path", "month"), rng.poisson(40, shape).astype(np.float32)),
            "alive": (("path", "month"), np.cumprod(rng.random(shape) > 0.01, axis=1).astype(bool)),
        },
        coords={"month": np.arange(1, n_months + 1)},
    )


def _chart(title: str) -> alt.Chart:
    data = pd.DataFrame({"month": [1, 2], "v": [1.0, 2.0]})
    return alt.Chart(data).mark_line().encode(x="month:Q", y="v:Q").properties(title=title)


def test_format_number() -> None:
    assert format_number(1234567.4, "USD") == "$1,234,567"
    assert format_number(-2500.0, "USD") == "-$2,500"
    assert format_number(0.125, "probability") == "12.5%"
    assert format_number(0.4567, "fraction") == "45.7%"
    assert format_number(1234.0, "customers") == "1,234"
    assert format_number(3.14159, "months") == "3.14"
    assert format_number(float("nan"), "USD") == "n/a"
    assert format_number(None, "USD") == "n/a"


def test_a_long_runway_reads_more_than_ten_years_and_a_multiple_has_two_decimals() -> None:
    """A runway above 120 months (or +∞: cash-flow positive) is "> 10 years", its SE "—"; other month figures and
    120 itself keep their digits. A multiple (MOIC, LTV/CAC: unit ×) always has two decimals, 1 as "1.00"."""
    runway = "runway at month 60 (operating paths still burning)"
    assert format_number(454.68, "months", runway) == "> 10 years"
    assert format_number(float("inf"), "months", "runway now: starting cash / month-1 net burn") == "> 10 years"
    assert format_number(120.0, "months", runway) == "120"
    assert format_number(120.01, "months", runway) == "> 10 years"
    assert format_number(454.68, "months", "month of cash-out (paths that die, n=9)") == "454.68"
    assert format_number(454.68, "months") == "454.68"
    assert format_value_se(328.79, 45.61, "months", runway) == ("> 10 years", "—")
    assert format_value_se(37.42, 1.92, "months", runway) == ("37.42", "1.92")
    assert format_number(float("nan"), "months", runway) == "n/a"
    assert [format_number(v, "×") for v in (1.0, 0.0, 0.594, 12.0)] == ["1.00", "0.00", "0.59", "12.00"]
    table = pd.DataFrame(
        [
            ("cash", runway, "p90", 454.68, 45.6, "months"),
            ("returns", "round 'seed' MOIC (realised: n=3 of 5 where it closed)", "p50", 1.0, 0.0, "×"),
        ],
        columns=list(SUMMARY_COLUMNS),
    )
    page = render_report("T", "S", table, {})
    assert "<td class='num'>&gt; 10 years</td><td class='num'>—</td>" in page
    assert "454.68" not in page and "<td class='num'>1.00</td>" in page


def test_bundle_inlined_once_and_no_remote_scripts(summary: pd.DataFrame) -> None:
    page = render_report("T", "S", summary, {"A": _chart("a"), "B": _chart("b")})
    assert page.count(vega_bundle()) == 1
    assert page.count("window.vegaEmbed=") == 1
    assert not re.search(r"<script[^>]*\bsrc=", page, flags=re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref=['\"]?https?://", page, flags=re.IGNORECASE)
    assert "id='chart-0'" in page and "id='chart-1'" in page
    assert page.count("vegaEmbed(target") == 1  # one boot script embeds every chart


def test_chart_specs_embedded_as_json(summary: pd.DataFrame) -> None:
    chart = _chart(f"title {EVIL}")
    page = render_report("T", "S", summary, {"Cash": chart})
    match = re.search(r"<script type='application/json' data-chart-for='chart-0'>(.*?)</script>", page, re.DOTALL)
    assert match is not None
    assert json.loads(match.group(1)) == chart.to_dict()  # </script> in a spec cannot break out


def test_user_text_is_escaped(summary: pd.DataFrame) -> None:
    page = render_report(EVIL, f"sub {EVIL}", summary, {EVIL: _chart("a")}, notes=[f"seed {EVIL}"])
    body = page.split("</head>", 1)[1]
    assert EVIL not in page
    assert "<script>" not in body
    assert "<title>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</title>" in page
    assert body.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") == 5


def test_summary_table_formatting(summary: pd.DataFrame) -> None:
    page = render_report("T", "S", summary, {})
    assert "<th colspan='5'>Outcome</th>" in page and "<th colspan='5'>Finance</th>" in page
    assert page.index("Outcome") < page.index("Finance")  # sections keep first-seen order
    for text in ("12.5%", "0.3%", "45.7%", "n/a", "$1,234,567", "$8,901"):
        assert f"<td class='num'>{text}</td>" in page
    assert "id='chart-0'" not in page


def test_summary_requires_columns(summary: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="unit"):
        render_report("T", "S", summary.drop(columns="unit"), {})


def test_notes_listed(summary: pd.DataFrame) -> None:
    page = render_report("T", "S", summary, {}, notes=["seed: 42", "paths: 10,000"])
    assert "<ul class='notes'>" in page
    assert "<li>seed: 42</li>" in page and "<li>paths: 10,000</li>" in page


def test_report_from_dataset_all_metrics(ds: xr.Dataset, summary: pd.DataFrame) -> None:
    page = report_from_dataset(ds, "Acme AI", "base case", summary, notes=["seed: 1"])
    for i, caption in enumerate(["Survival", "Cash balance", "Annual recurring revenue", "Customers"]):
        assert f"<figcaption>{caption}</figcaption><div id='chart-{i}'>" in page
    assert "id='chart-4'" not in page
    assert len(page.encode()) < 3_000_000


def test_report_from_dataset_subset(ds: xr.Dataset, summary: pd.DataFrame) -> None:
    page = report_from_dataset(ds[["arr", "alive"]], "Acme AI", "", summary)
    assert "<figcaption>Survival</figcaption><div id='chart-0'>" in page
    assert "<figcaption>Annual recurring revenue</figcaption><div id='chart-1'>" in page
    assert "Cash balance" not in page and "id='chart-2'" not in page


def test_the_report_opens_with_the_headline(summary: pd.DataFrame) -> None:
    page = render_report("T", "S", summary, {}, headline="In 5 of 10 <b>futures</b>")
    assert "<p class='headline' id='headline'>In 5 of 10 &lt;b&gt;futures&lt;/b&gt;</p>" in page
    assert page.index("class='headline'") < page.index("<h2>Summary</h2>")


def test_the_bundle_is_kept_between_processes(tmp_path, monkeypatch):
    """With ``BUNDLE_FOLDER`` set (``venturesim run`` sets it) the bundle is written once, under its versions' name,
    and read back by a later process (here: the in-process cache cleared, the builder made to fail); a folder that
    cannot be written is no error."""
    from venturesim.report import html

    built = vega_bundle()  # this process's, from the in-process cache or built now
    monkeypatch.setattr(html, "BUNDLE_FOLDER", tmp_path / "kept")
    vega_bundle.cache_clear()
    try:
        assert vega_bundle() == built
        (kept,) = (tmp_path / "kept").iterdir()
        assert kept.name.startswith("vega-v") and html.metadata.version("vl-convert-python") in kept.name
        vega_bundle.cache_clear()

        def no_build(**_kwargs):
            raise AssertionError("built again although it was kept")

        monkeypatch.setattr(html.vl_convert, "javascript_bundle", no_build)
        assert vega_bundle() == built  # read back
        monkeypatch.undo()  # the builder back
        blocked = tmp_path / "a file"
        blocked.write_text("")
        monkeypatch.setattr(html, "BUNDLE_FOLDER", blocked / "kept")  # under a file: cannot be created
        vega_bundle.cache_clear()
        assert vega_bundle() == built and not (blocked / "kept").exists()
    finally:
        vega_bundle.cache_clear()
