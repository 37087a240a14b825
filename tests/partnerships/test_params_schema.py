"""Partnership schema, type defaults, sampling (fit, odds, lifetimes) and the docs' table."""

from pathlib import Path

import jax
import numpy as np
import pytest
from pydantic import ValidationError
from scipy.special import logit

from venturesim.partnerships import Partnerships, partner_type, partner_types, resolved_field, sample_partnerships
from venturesim.partnerships.catalog import type_sources_markdown, types_markdown
from venturesim.partnerships.schema import TYPE_FIELDS
from venturesim.spec.sampling import Sampler

N = 20_000
DOC = Path(__file__).resolve().parents[2] / "docs" / "model" / "partnerships.md"


def sample(partners, n=N, seed=0, **section):
    parsed = Partnerships.model_validate({"partners": partners, **section})
    return sample_partnerships(parsed, Sampler(jax.random.key(seed), np.arange(n)), ["smb", "ent"])


def test_every_type_has_every_figure_with_a_source():
    assert set(partner_types()) == {"strategic", "joint_rnd", "channel", "co_marketing", "cloud_credits", "data"}
    for name, kind in partner_types().items():
        assert set(TYPE_FIELDS) <= set(kind.source), name
    assert partner_type("cloud_credits").compute_credits == 100_000  # AWS Activate's top tier


def test_docs_list_the_types_with_defaults_and_sources():
    text = DOC.read_text(encoding="utf-8")
    assert types_markdown() in text and type_sources_markdown() in text


def test_fields_default_to_the_type():
    section = Partnerships.model_validate({"partners": [{"name": "r", "type": "channel", "revenue_share": 0.1}]})
    partner = section.partners[0]
    assert resolved_field(partner, "revenue_share") == 0.1
    assert resolved_field(partner, "adoption_multiplier") == 1.5
    with pytest.raises(ValueError, match="no type default"):
        resolved_field(partner, "segment")


def test_fit_score_and_base_log_odds():
    # fit (0.8, 0.6, 0.4, 1.0) with weights (0.3, 0.3, 0.25, 0.15): F = 0.24 + 0.18 + 0.10 + 0.15 = 0.67;
    # base = logit(0.4) + 4·(0.67 − 0.5)
    params = sample(
        [
            {
                "name": "p",
                "type": "strategic",
                "signing_probability": 0.4,
                "fit": {
                    "goal_alignment": 0.8,
                    "capability_match": 0.6,
                    "complementary_resources": 0.4,
                    "reputation": 1.0,
                },
            }
        ]
    )
    np.testing.assert_allclose(params.fit[:, 0], 0.67)
    np.testing.assert_allclose(params.base_logit[:, 0], logit(0.4) + 4 * 0.17)
    doubled = sample(
        [{"name": "p", "type": "strategic", "fit": {"reputation": 1.0}}],
        fit_weights={"goal_alignment": 0, "capability_match": 0, "complementary_resources": 0, "reputation": 2},
    )
    np.testing.assert_allclose(doubled.fit[:, 0], 1.0)  # weights are normalised


def test_signing_draws_and_lifetimes_have_the_stated_distribution():
    params = sample(
        [
            {
                "name": "a",
                "type": "strategic",
                "signing_probability": 0.4,
                "termination_annual": 0.3,
                "contract_months": "open",
            },
            {"name": "b", "type": "cloud_credits"},
        ]
    )
    signed = (params.sign_u[:, 0, 0] < 0.4).mean()  # at fit 0.5 and no reference ARR, p = p₀
    assert abs(signed - 0.4) < 3 * np.sqrt(0.24 / N)
    survives = (params.lifetime[:, 0] > 12).mean()  # constant hazard −ln(0.7)/12: P(life > 12) = 0.7
    assert abs(survives - 0.7) < 3 * np.sqrt(0.21 / N)
    assert not params.by_contract[:, 0].any()
    np.testing.assert_array_equal(params.lifetime[:, 1], 24.0)  # credits: the 24-month programme, never withdrawn
    assert params.by_contract[:, 1].all()
    np.testing.assert_allclose(params.compute_credits[:, 1], 100_000)
    search = params.search[:, 1, 0]  # {p5: 0.25, p95: 1}
    assert abs((search < 0.25).mean() - 0.05) < 3 * np.sqrt(0.0475 / N)


def test_segment_mask_and_attempt_padding():
    params = sample(
        [{"name": "r", "type": "channel", "segment": "ent", "max_attempts": 2}, {"name": "s", "type": "strategic"}]
    )
    np.testing.assert_array_equal(params.segment[0], [[0, 1], [1, 1]])
    assert params.has_segment[0].tolist() == [1.0, 0.0]
    assert params.search.shape == (N, 2, 2) and np.isinf(params.search[:, 1, 1]).all()


def test_no_partners_gives_empty_arrays():
    params = sample_partnerships(None, Sampler(jax.random.key(0), np.arange(N)), ["smb"])
    assert params.start.shape == (N, 0) and params.search.shape == (N, 0, 1) and params.segment.shape == (N, 0, 1)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"partners": [{"name": "a", "type": "reseller"}]}, "channel"),
        ({"partners": [{"name": "a", "type": "channel"}, {"name": "a", "type": "data"}]}, "used twice"),
        ({"partners": [{"name": "a", "type": "channel", "revenue_share": 1.5}]}, "1"),
        (
            {
                "fit_weights": {
                    "goal_alignment": 0,
                    "capability_match": 0,
                    "complementary_resources": 0,
                    "reputation": 0,
                }
            },
            "positive sum",
        ),
    ],
)
def test_invalid_sections_are_explained(data, message):
    with pytest.raises(ValidationError, match=message):
        Partnerships.model_validate(data)


def test_unknown_segment_is_reported():
    with pytest.raises(ValueError, match="segment 'mid'"):
        sample([{"name": "r", "type": "channel", "segment": "mid"}])
