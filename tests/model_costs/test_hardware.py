"""The accelerator catalogue: published figures, price distributions, overrides, lookup."""

import itertools
import math

import pytest

from venturesim.model_costs.hardware import Accelerator, HardwareCatalog, accelerator, load_catalog, measure_peak_flops
from venturesim.spec.errors import ScenarioError, validate_text

# name: (peak FLOP/s, memory bytes, bandwidth bytes/s, power W) — REFERENCES.md table.
PUBLISHED = {
    "a100_80gb": (312e12, 80e9, 2.039e12, 400),
    "h100_sxm": (989e12, 80e9, 3.35e12, 700),
    "h200": (989e12, 141e9, 4.8e12, 700),
    "b200": (2250e12, 180e9, 8e12, 1000),
    "tpu_v5e": (197e12, 16e9, 0.819e12, None),
    "tpu_v5p": (459e12, 95e9, 2.765e12, None),
}
PRICE_RANGES = {"a100_80gb": (0.80, 3.00), "h100_sxm": (1.99, 5.00), "h200": (2.50, 7.00)}


def test_catalogue_names_and_published_figures():
    catalog = load_catalog()
    assert set(catalog) == set(PUBLISHED) | {"cpu"}
    for name, (peak, memory, bandwidth, power) in PUBLISHED.items():
        acc = catalog[name]
        assert (acc.peak_flops, acc.memory_bytes) == (peak, memory)
        assert acc.bandwidth_bytes_s == pytest.approx(bandwidth, rel=0.01)
        if power is not None:
            assert acc.power_w == power
        assert acc.source and not acc.peak_measured


def test_unpublished_figures_are_marked_as_assumptions():
    catalog = load_catalog()
    for name in ("b200", "tpu_v5e", "tpu_v5p", "cpu"):
        assert "ASSUMPTION" in catalog[name].source
    assert catalog["cpu"].peak_measured


def test_price_range_is_the_90_percent_interval():
    catalog = load_catalog()
    for name, (p5, p95) in PRICE_RANGES.items():
        low, high = catalog[name].price_quantile([0.05, 0.95])
        assert (low, high) == pytest.approx((p5, p95), rel=1e-9)
        # Lognormal median = geometric mean of p5 and p95: H100 √(1.99·5) = 3.1544.
        assert catalog[name].median_price_per_hour == pytest.approx(math.sqrt(p5 * p95), rel=1e-9)


def test_price_trend_and_ridge_point():
    h100 = accelerator("h100_sxm")
    # −24.2 %/yr for 30 months: 0.758^2.5 = 0.50022.
    assert h100.price_multiplier(30) == pytest.approx(0.758**2.5)
    assert h100.price_multiplier(30) == pytest.approx(0.5002, abs=1e-4)
    assert h100.ridge_point == pytest.approx(989e12 / 3.35e12)  # 295.2 FLOP/byte


def test_overrides_change_one_entry_and_leave_the_package_alone():
    changed = load_catalog({"h100_sxm": {"price_per_hour": 2.2}, "cpu": {"peak_flops": 3e11}})
    assert changed["h100_sxm"].price_per_hour == 2.2
    assert changed["h100_sxm"].median_price_per_hour == 2.2
    assert changed["h100_sxm"].peak_flops == 989e12  # other fields kept
    assert changed["cpu"].peak_flops == 3e11
    assert load_catalog()["h100_sxm"].median_price_per_hour == pytest.approx(math.sqrt(1.99 * 5.0))


def test_new_entry_needs_every_field():
    entry = {
        "label": "Test chip",
        "peak_flops": 1e15,
        "memory_bytes": 1e11,
        "bandwidth_bytes_s": 1e12,
        "power_w": 500,
        "price_per_hour": {"p5": 1, "p95": 4},
        "price_trend_annual": -0.2,
        "source": "test",
    }
    catalog = load_catalog({"mychip": entry})
    assert catalog["mychip"].median_price_per_hour == pytest.approx(2.0)  # √(1·4)
    with pytest.raises(ValueError, match="power_w"):
        load_catalog({"other": {k: v for k, v in entry.items() if k != "power_w"}})
    with pytest.raises(ValueError, match="peak_flops"):
        load_catalog({"h100_sxm": {"peak_flops": -1}})
    assert isinstance(load_catalog({"x": Accelerator(**entry)})["x"], Accelerator)


def test_lookup_suggests_a_name():
    with pytest.raises(KeyError, match="did you mean 'h100_sxm'"):
        accelerator("h100")
    with pytest.raises(KeyError, match="did you mean 'tpu_v5e'"):
        accelerator("tpu-v5e")
    with pytest.raises(KeyError, match="did you mean 'h200'"):
        accelerator("H200")
    assert accelerator("b200").peak_flops == 2250e12


def test_catalogue_file_errors_have_positions():
    text = "accelerators:\n  chip:\n    label: x\n    peak_flop: 1.0e12\n"
    with pytest.raises(ScenarioError) as info:
        validate_text(HardwareCatalog, text, "hw.yaml")
    assert "hw.yaml:4:5" in str(info.value)
    assert "did you mean 'peak_flops'" in str(info.value)


def test_measure_peak_flops_arithmetic_with_a_fake_clock():
    # Three timed products of 8×8 matrices take 2 s, 1 s and 4 s: best 1 s → 2·8³ = 1024 FLOP/s.
    ticks = iter([0.0, 2.0, 10.0, 11.0, 20.0, 24.0])
    assert measure_peak_flops(8, 3, timer=lambda: next(ticks)) == 1024.0
    frozen = itertools.repeat(5.0)
    with pytest.raises(ValueError, match="timer"):
        measure_peak_flops(8, 2, timer=lambda: next(frozen))
