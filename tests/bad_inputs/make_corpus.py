"""Write the bad-input corpus: cases/*.yaml, each base.yaml with one mistake, and cases.json.

Run from the repository root: ``python tests/bad_inputs/make_corpus.py``. Each case
replaces one line of base.yaml (found by a unique substring; indentation kept)
or writes file-level garbage, and records what the error must say: the exit
code, the line (the replaced line unless ``line_of`` names another), a field
path and a fix (an expected value or a did-you-mean), all as substrings of the
error output. Cases with ``args`` pass them to the command (``{file}`` is the
case's path); ``command`` is ``validate`` unless given.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
BASE = (HERE / "base.yaml").read_text()

# name, line to find, its replacement, exit code, field, fix, extra
EDITS = [
    # --- simulation
    ("sim_months_zero", "months: 24", "months: 0", 3, "simulation.months", "expected a number >= 1"),
    ("sim_months_above_cap", "months: 24", "months: 601", 3, "simulation.months", "<= 600"),
    ("sim_months_fraction", "months: 24", "months: 1.5", 3, "simulation.months", "expected a whole number"),
    ("sim_paths_zero", "paths: 1000", "paths: 0", 3, "simulation.paths", ">= 1"),
    ("sim_paths_negative", "paths: 1000", "paths: -5", 3, "simulation.paths", ">= 1"),
    ("sim_seed_negative", "seed: 7", "seed: -1", 3, "simulation.seed", ">= 0"),
    ("sim_seed_too_big", "seed: 7", "seed: 9223372036854775808", 3, "simulation.seed", "float32"),
    ("sim_seed_2_32", "seed: 7", "seed: 4294967296", 3, "simulation.seed", "<= 4294967295"),
    ("sim_seed_text", "seed: 7", "seed: lucky", 3, "simulation.seed", "expected an integer"),
    ("sim_unknown_key", "seed: 7", "sead: 7", 3, "simulation.sead", "did you mean 'seed'"),
    # --- company
    (
        "cash_nan",
        "initial_cash: 1_500_000",
        "initial_cash: .nan",
        3,
        "company.initial_cash",
        "expected a finite number",
    ),
    (
        "cash_inf",
        "initial_cash: 1_500_000",
        "initial_cash: .inf",
        3,
        "company.initial_cash",
        "expected a finite number",
    ),
    ("cash_minus_inf", "initial_cash: 1_500_000", "initial_cash: -.Inf", 3, "company.initial_cash", "finite number"),
    ("cash_nan_string", "initial_cash: 1_500_000", "initial_cash: 'nan'", 3, "company.initial_cash", "finite number"),
    ("cash_float32_overflow", "initial_cash: 1_500_000", "initial_cash: 1e39", 3, "company.initial_cash", "float32"),
    ("cash_1e400", "initial_cash: 1_500_000", "initial_cash: 1e400", 3, "company.initial_cash", "finite number"),
    ("cash_huge_string", "initial_cash: 1_500_000", "initial_cash: '1e30'", 3, "company.initial_cash", "float32"),
    ("cash_negative", "initial_cash: 1_500_000", "initial_cash: -5", 3, "company.initial_cash", ">= 0"),
    ("cash_text", "initial_cash: 1_500_000", "initial_cash: lots", 3, "company.initial_cash", "expected a number"),
    (
        "cash_heavy_tail",
        "initial_cash: 1_500_000",
        "initial_cash: {p5: 1, p95: 1e17}",
        3,
        "company.initial_cash",
        "one-in-a-billion tail",
    ),
    (
        "cash_lognormal_overflow",
        "initial_cash: 1_500_000",
        "initial_cash: {dist: lognormal, mu: 1, sigma: 30}",
        3,
        "company.initial_cash",
        "narrow it",
    ),
    (
        "cash_dist_typo",
        "initial_cash: 1_500_000",
        "initial_cash: {dist: nromal, mean: 1e6, sd: 1e5}",
        3,
        "company.initial_cash",
        "did you mean 'normal'",
    ),
    (
        "cash_range_reversed",
        "initial_cash: 1_500_000",
        "initial_cash: {p5: 2e6, p95: 1e6}",
        3,
        "company.initial_cash",
        "must be greater than p5",
    ),
    (
        "cash_normal_missing_sd",
        "initial_cash: 1_500_000",
        "initial_cash: {dist: normal, mean: 1e6}",
        3,
        "company.initial_cash",
        "missing required field",
    ),
    (
        "cash_typo",
        "initial_cash: 1_500_000",
        "intial_cash: 1_500_000",
        3,
        "company.intial_cash",
        "did you mean 'initial_cash'",
    ),
    (
        "ownership_above_one",
        "founder_ownership: 0.85",
        "founder_ownership: 1.2",
        3,
        "company.founder_ownership",
        "<= 1",
    ),
    (
        "ownership_plus_pool",
        "founder_ownership: 0.85",
        "founder_ownership: 0.95",
        3,
        "company",
        "must be <= 1",
        {"line_of": "company:"},
    ),
    (
        "other_costs_negative",
        "other_monthly_costs: 8_000",
        "other_monthly_costs: -1",
        3,
        "company.other_monthly_costs",
        ">= 0",
    ),
    (
        "other_costs_trend_overflow",
        "other_monthly_costs: 8_000",
        "other_monthly_costs: {start: 1000, growth: 5}",
        3,
        "company.other_monthly_costs",
        "lower its growth",
        {"line_of": "name: Corpus base"},
    ),
    (
        "other_costs_growth_below_minus_one",
        "other_monthly_costs: 8_000",
        "other_monthly_costs: {start: 1000, growth: -2}",
        3,
        "company.other_monthly_costs",
        "> -1",
    ),
    # --- market
    (
        "cost_of_revenue_above_one",
        "cost_of_revenue: {p5: 0.3, p95: 0.5}",
        "cost_of_revenue: 1.5",
        3,
        "market.cost_of_revenue",
        "<= 1",
    ),
    ("segment_name_invalid", "- name: smb", "- name: 1smb", 3, "market.segments[0].name", "must start with a letter"),
    (
        "segment_name_twice",
        "- name: enterprise",
        "- name: smb",
        3,
        "market.segments",
        "used twice",
        {"line_of": "segments:"},
    ),
    (
        "market_size_zero",
        "market_size: {p5: 5_000, p95: 20_000}",
        "market_size: 0",
        3,
        "market.segments[0].market_size",
        "> 0",
    ),
    ("bass_p_above_one", "bass_p_annual: 0.03", "bass_p_annual: 2", 3, "market.segments[0].bass_p_annual", "<= 1"),
    ("price_text", "price: 199", "price: free", 3, "market.segments[0].price", "expected"),
    ("price_overflow", "price: 199", "price: 1e36", 3, "market.segments[0].price", "float32"),
    (
        "price_schedule_month_negative",
        "price: {schedule: {0: 2_000, 12: 1_800}}",
        "price: {schedule: {-3: 2_000, 12: 1_800}}",
        3,
        "market.segments[1].price",
        "months must be >= 0",
    ),
    (
        "price_schedule_nan_knot",
        "price: {schedule: {0: 2_000, 12: 1_800}}",
        "price: {schedule: {0: .nan, 12: 1_800}}",
        3,
        "market.segments[1].price.schedule",
        "finite number",
    ),
    ("churn_above_one", "churn: 0.01", "churn: 1.5", 3, "market.segments[1].churn", "<= 1"),
    (
        "churn_normal_outside",
        "churn: 0.01",
        "churn: {dist: normal, mean: 0.01, sd: 0.5}",
        3,
        "market.segments[1].churn",
        "lies outside",
    ),
    (
        "churn_rising_trend",
        "churn: 0.01",
        "churn: {start: 0.01, growth: 0.1}",
        3,
        "market.segments[1].churn",
        "growth < 0" if False else "use a schedule instead",
    ),
    (
        "churn_pert_unordered",
        "churn: {dist: pert, low: 0.02, mode: 0.035, high: 0.06}",
        "churn: {dist: pert, low: 0.02, mode: 0.09, high: 0.06}",
        3,
        "market.segments[0].churn",
        "low <= mode <= high",
    ),
    ("segment_unknown_key", "churn: 0.01", "chrun: 0.01", 3, "market.segments[1].chrun", "did you mean 'churn'"),
    ("win_rate_above_one", "win_rate: 0.25", "win_rate: 1.5", 3, "market.segments[1].sales.win_rate", "<= 1"),
    (
        "sales_missing_cycle",
        "cycle_months: 4",
        "cycle_cv: 0.5",
        3,
        "market.segments[1].sales.cycle_months",
        "missing required field",
        {"line_of": "sales:"},
    ),
    (
        "channel_unknown_segment",
        "segment: smb\n      budget",
        "segment: smbb\n      budget: 10_000",
        3,
        "market.channels",
        "smbb",
    ),
    ("channel_kind_typo", "kind: paid", "kind: payed", 3, "market.channels[0].kind", "did you mean 'paid'"),
    (
        "funnel_rate_above_one",
        "lead_to_trial: 0.25",
        "lead_to_trial: 2",
        3,
        "market.channels[0].funnel.lead_to_trial",
        "<= 1",
    ),
    ("channel_budget_nan", "budget: 10_000", "budget: .nan", 3, "market.channels[0].budget", "finite number"),
    ("segments_empty", "  segments:", "segments: []\n  segments_were:", 3, "market.segments", "at least 1"),
    # --- team
    ("headcount_negative", "headcount: 2", "headcount: -1", 3, "team.roles[0].headcount", ">= 0"),
    ("headcount_fraction", "headcount: 2", "headcount: 1.5", 3, "team.roles[0].headcount", "expected an integer"),
    ("headcount_huge", "headcount: 2", "headcount: 1e30", 3, "team.roles[0].headcount", "float32"),
    ("role_cost_nan", "monthly_cost: 8_000", "monthly_cost: .nan", 3, "team.roles[0].monthly_cost", "finite number"),
    ("role_name_twice", "- name: engineer", "- name: founders", 3, "team.roles", "used twice", {"line_of": "roles:"}),
    ("role_unknown_key", "headcount: 2", "hedcount: 2", 3, "team.roles[0].hedcount", "did you mean 'headcount'"),
    (
        "headcount_plan_text",
        "headcount: {0: 1, 6: 3}",
        "headcount: {0: 1, 6: many}",
        3,
        "team.roles[1].headcount",
        "expected",
    ),
    # --- compute
    (
        "compute_negative",
        "monthly_spend: {start: 10_000, growth: {p5: -0.03, p95: 0.0}}",
        "monthly_spend: -10",
        3,
        "compute.monthly_spend",
        ">= 0",
    ),
    (
        "compute_unknown_key",
        "monthly_spend: {start: 10_000, growth: {p5: -0.03, p95: 0.0}}",
        "monthly_spnd: 10",
        3,
        "compute.monthly_spnd",
        "did you mean 'monthly_spend'",
    ),
    # --- funding
    (
        "success_probability_above_one",
        "success_probability: {dist: beta, a: 9, b: 11}",
        "success_probability: 1.2",
        3,
        "funding.rounds[0].success_probability",
        "<= 1",
    ),
    (
        "pre_money_negative",
        "pre_money: {p5: 8_000_000, p95: 20_000_000}",
        "pre_money: -1",
        3,
        "funding.rounds[0].pre_money",
        "> 0",
    ),
    ("max_attempts_zero", "max_attempts: 2", "max_attempts: 0", 3, "funding.rounds[0].max_attempts", ">= 1"),
    (
        "round_unknown_key",
        "max_attempts: 2",
        "max_atempts: 2",
        3,
        "funding.rounds[0].max_atempts",
        "did you mean 'max_attempts'",
    ),
    (
        "beta_negative_shape",
        "success_probability: {dist: beta, a: 9, b: 11}",
        "success_probability: {dist: beta, a: -9, b: 11}",
        3,
        "funding.rounds[0].success_probability",
        "> 0",
    ),
    (
        "gamma_zero_shape",
        "time_to_close_months: {dist: gamma, shape: 4, scale_param: 0.75}",
        "time_to_close_months: {dist: gamma, shape: 0, scale_param: 0.75}",
        3,
        "funding.rounds[0].time_to_close_months",
        "> 0",
    ),
    ("debt_round_unknown", "with_round: seed", "with_round: sead", 3, "funding", "sead"),
    (
        "debt_interest_negative",
        "interest_annual: 0.12",
        "interest_annual: -0.1",
        3,
        "funding.venture_debt[0].interest_annual",
        ">= 0",
    ),
    ("grant_probability_above_one", "probability: 0.2", "probability: 2", 3, "funding.grants[0].probability", "<= 1"),
    ("grant_month_negative", "month: 8", "month: -1", 3, "funding.grants[0].month", ">= 0"),
    ("grant_amount_inf", "amount: 275_000", "amount: .inf", 3, "funding.grants[0].amount", "finite number"),
    (
        "exit_hazard_reversed",
        "hazard_annual: {p5: 0.03, p95: 0.12}",
        "hazard_annual: {p5: 0.5, p95: 0.1}",
        3,
        "funding.exits.acquisition.hazard_annual",
        "must be greater than p5",
    ),
    (
        "exits_unknown_key",
        "    acquisition:",
        "acquisiton:",
        3,
        "funding.exits.acquisiton",
        "did you mean 'acquisition'",
    ),
    # --- product
    (
        "initial_parameters_zero",
        "initial_parameters: 7e9",
        "initial_parameters: 0",
        3,
        "product.initial_parameters",
        "> 0",
    ),
    (
        "initial_parameters_overflow",
        "initial_parameters: 7e9",
        "initial_parameters: 7e30",
        3,
        "product.initial_parameters",
        "float32",
    ),
    ("run_base_unknown", "base: base_v1", "base: base_v2", 3, "product.training_runs", "base_v2"),
    (
        "run_name_twice",
        "- name: chat_v1",
        "- name: base_v1",
        3,
        "product.training_runs",
        "used twice",
        {"line_of": "training_runs:"},
    ),
    (
        "run_failure_above_one",
        "failure_probability: 0.1",
        "failure_probability: 1.5",
        3,
        "product.training_runs[0].failure_probability",
        "<= 1",
    ),
    ("run_tokens_nan", "tokens: 2e11", "tokens: .nan", 3, "product.training_runs[0].tokens", "finite number"),
    (
        "run_loss_reduction_on_pretraining",
        "failure_probability: 0.1",
        "failure_probability: 0.1\n      loss_reduction: 0.05",
        3,
        "product.training_runs[0].loss_reduction",
        "applies only to a fine-tune",
        {"line_of": "loss_reduction: 0.05"},
    ),
    (
        "product_loss_unit_unknown",
        "initial_parameters: 7e9",
        "initial_parameters: 7e9\n  loss_unit: nats/llama3_token",
        3,
        "product.loss_unit",
        "'nats/byte'",
        {"line_offset": 1},
    ),
    (
        "run_accelerators_zero",
        "accelerators: 64",
        "accelerators: 0",
        3,
        "product.training_runs[0].accelerators",
        ">= 1",
    ),
    (
        "calibration_missing",
        "initial_parameters: 7e9",
        "initial_parameters: 7e9\n  calibration: data/nowhere.yaml",
        3,
        "product.calibration",
        "calibration file not found",
        {"line_offset": 1},
    ),
    (
        "calibration_garbage",
        "initial_parameters: 7e9",
        "initial_parameters: 7e9\n  calibration: data/garbage_calibration.yaml",
        3,
        "product.calibration",
        "not a calibration written by",
        {"line_offset": 1},
    ),
    (
        "calibration_escapes",
        "initial_parameters: 7e9",
        "initial_parameters: 7e9\n  calibration: ../../../../../../../../etc/hostname",
        3,
        "product.calibration",
        "--allow-outside-files",
        {"line_offset": 1},
    ),
    (
        "calibration_absolute",
        "initial_parameters: 7e9",
        "initial_parameters: 7e9\n  calibration: /etc/passwd",
        3,
        "product.calibration",
        "lies outside the scenario's folder",
        {"line_offset": 1},
    ),
    # --- draws files
    (
        "draws_missing",
        "churn: 0.01",
        "churn: {file: data/nowhere.csv, column: churn}",
        3,
        "market.segments[1].churn",
        "draws file not found",
    ),
    (
        "draws_column_typo",
        "churn: 0.01",
        "churn: {file: data/draws.csv, column: chrun}",
        3,
        "market.segments[1].churn",
        "column 'chrun' not in draws.csv",
    ),
    (
        "draws_escape",
        "churn: 0.01",
        "churn: {file: ../../../../../../../../etc/hostname, column: x}",
        3,
        "market.segments[1].churn",
        "--allow-outside-files",
    ),
    (
        "draws_absolute",
        "churn: 0.01",
        "churn: {file: /etc/passwd, column: root}",
        3,
        "market.segments[1].churn",
        "lies outside the scenario's folder",
    ),
    (
        "draws_binary",
        "churn: 0.01",
        "churn: {file: data/binary.csv, column: churn}",
        3,
        "market.segments[1].churn",
        "cannot read binary.csv",
    ),
    # --- risks
    (
        "risk_include_typo",
        "include: [outage, price_war]",
        "include: [outge, price_war]",
        3,
        "risks",
        "did you mean 'outage'",
    ),
    (
        "risk_impact_segment_unknown",
        "{target: market.churn, segment: enterprise,",
        "- {target: market.churn, segment: enterprize, value: 2.0, duration_months: 1}",
        3,
        "risks.custom[0].impacts[0].segment",
        "did you mean 'enterprise'",
        {"keep_indent_of_dash": True},
    ),
    (
        "risk_impact_round_unknown",
        "{target: market.churn, segment: enterprise,",
        "- {target: funding.success_probability, round: sed, value: 0.5, duration_months: 1}",
        3,
        "risks.custom[0].impacts[0].round",
        "did you mean 'seed'",
        {"keep_indent_of_dash": True},
    ),
    (
        "risk_impact_run_unknown",
        "{target: market.churn, segment: enterprise,",
        "- {target: product.failure_probability, run: base_v9, value: 0.5, duration_months: 1}",
        3,
        "risks.custom[0].impacts[0].run",
        "which the scenario does not have",
        {"keep_indent_of_dash": True},
    ),
    (
        "risk_impact_target_unknown",
        "{target: market.churn, segment: enterprise,",
        "- {target: market.chrun, value: 2.0, duration_months: 1}",
        3,
        "risks.custom[0].impacts[0].target",
        "did you mean 'market.churn'",
        {"keep_indent_of_dash": True},
    ),
    (
        "risk_probability_one",
        "annual_probability: 0.1",
        "annual_probability: 1.0",
        3,
        "risks.custom[0].annual_probability",
        "< 1",
    ),
    (
        "risk_probability_nan",
        "annual_probability: 0.1",
        "annual_probability: .nan",
        3,
        "risks.custom[0].annual_probability",
        "finite number",
    ),
    (
        "risk_two_hazards",
        "annual_probability: 0.1",
        "annual_probability: 0.1\n      hazard_monthly: 0.01",
        3,
        "risks.custom[0]",
        "hazard",
        {"line_of": "- name: key_customer_loss"},
    ),
    ("risk_no_impacts", "impacts:", "impacts: []\n      impacts_were:", 3, "risks.custom[0].impacts", "at least 1"),
    (
        "risk_unknown_key",
        "annual_probability: 0.1",
        "anual_probability: 0.1",
        3,
        "risks.custom[0].anual_probability",
        "did you mean 'annual_probability'",
    ),
    # --- partnerships
    (
        "partner_segment_unknown",
        "segment: smb\n      start_month: 3",
        "segment: smbb\n      start_month: 3",
        3,
        "partnerships.partners[1].segment",
        "did you mean 'smb'",
    ),
    (
        "partner_type_typo",
        "type: channel",
        "type: chanel",
        3,
        "partnerships.partners[1].type",
        "did you mean 'channel'",
    ),
    ("partner_start_negative", "start_month: 0", "start_month: -1", 3, "partnerships.partners[0].start_month", ">= 0"),
    (
        "partner_name_twice",
        "- name: reseller",
        "- name: cloud_programme",
        3,
        "partnerships.partners",
        "used twice",
        {"line_of": "partners:"},
    ),
    # --- correlations
    (
        "correlation_unknown_input",
        "- between: [market.segments.smb.market_size,",
        "- between: [market.segments.smb.market_sise, market.segments.smb.bass_q_annual]",
        3,
        "correlations",
        "did you mean 'market.segments.smb.market_size'",
        {"keep_indent_of_dash": True},
    ),
    (
        "correlation_self",
        "- between: [market.segments.smb.market_size,",
        "- between: [market.segments.smb.market_size, market.segments.smb.market_size]",
        3,
        "correlations",
        "cannot be correlated with itself",
        {"keep_indent_of_dash": True, "line_of": "correlations:"},
    ),
    ("correlation_one", "rank_correlation: 0.4", "rank_correlation: 1", 3, "correlations[0].rank_correlation", "< 1"),
    (
        "correlation_three_names",
        "- between: [market.segments.smb.market_size,",
        "- between: [a, b, c]",
        3,
        "correlations[0].between",
        "at most 2",
        {"keep_indent_of_dash": True},
    ),
    # --- top level
    ("top_unknown_key", "market:", "markets:", 3, "markets", "did you mean 'market'"),
    ("top_name_typo", "name: Corpus base", "nme: Corpus base", 3, "nme", "did you mean 'name'"),
    # --- YAML-level
    (
        "yaml_tab_indent",
        "initial_cash: 1_500_000",
        "\tinitial_cash: 1_500_000",
        3,
        "",
        "YAML needs spaces",
        {"no_indent": True},
    ),
    (
        "yaml_unclosed_bracket",
        "include: [outage, price_war]",
        "include: [outage, price_war",
        3,
        "",
        "expected ',' or ']'",
        {"line_of": "custom:"},
    ),
    (
        "yaml_duplicate_key",
        "founder_ownership: 0.85",
        "founder_ownership: 0.85\n  initial_cash: 2",
        3,
        "company.initial_cash",
        "duplicate key 'initial_cash'",
        {"line_offset": 1},
    ),
    (
        "yaml_python_tag",
        "initial_cash: 1_500_000",
        "initial_cash: !!python/object:os.system ls",
        3,
        "company.initial_cash",
        "unsupported YAML tag",
    ),
    ("yaml_custom_tag", "price: 199", "price: !money 199", 3, "market.segments[0].price", "unsupported YAML tag"),
    ("yaml_undefined_alias", "price: 199", "price: *price", 3, "", "found undefined alias"),
    (
        "yaml_bad_merge",
        "price: 199",
        "price: 199\n      <<: 5",
        3,
        "market.segments[0]",
        "merge key '<<' needs a mapping",
        {"line_offset": 1},
    ),
    ("yaml_control_character", "price: 199", "price: 1\x079", 3, "", "control character"),
    (
        "yaml_bad_indentation",
        "price: 199",
        "price: 199\n     churn: 0.02",
        3,
        "",
        "expected <block end>",
        {"line_offset": 1},
    ),
]

# Whole-file cases: name → (content bytes, exit, line, field, fix)
SCENARIO_UTF8 = BASE.encode()
WHOLE = {
    "file_latin1": (BASE.replace("Corpus base", "Corpus café").encode("latin-1"), 4, 1, "", "save it as UTF-8"),
    "file_utf16": (BASE.encode("utf-16"), 4, 1, "", "the file is UTF-16 text; save it as UTF-8"),
    "file_utf16_no_bom": (BASE.encode("utf-16-le"), 4, 1, "", "save it as UTF-8"),
    "file_utf32": (BASE.encode("utf-32"), 4, 1, "", "UTF-32"),
    "file_empty": (b"", 3, 1, "", "scenario file is empty"),
    "file_only_comments": (b"# nothing here\n# at all\n", 3, 1, "", "scenario file is empty"),
    "file_top_level_list": (b"- name: x\n- name: y\n", 3, 1, "", "must be a mapping of keys to values"),
    "file_top_level_scalar": (b"just some words\n", 3, 1, "", "must be a mapping of keys to values"),
    "file_two_documents": (SCENARIO_UTF8 + b"---\nname: again\n", 3, None, "", "expected a single document"),
    "file_binary_garbage": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 4, None, "", "save it as UTF-8"),
    "file_billion_laughs": (
        (
            "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
        ).encode(),
        3,
        1,
        "",
        "write the values out instead of nesting aliases",
    ),
    "file_nested_1500_deep": (
        b"name: x\nmarket: " + b"[" * 1500 + b"]" * 1500 + b"\n",
        3,
        2,
        "",
        "nested more than 64 deep",
    ),
    "file_nested_mappings": (
        b"name: x\nmarket: " + b"{a: " * 200 + b"1" + b"}" * 200 + b"\n",
        3,
        2,
        "",
        "nested more than 64 deep",
    ),
}

# Command-line cases on the valid base: name → (command, args, exit, field, fix)
ARGS = {
    "args_divide_by_zero": ("validate", ["--set", "x/=0"], 3, "x", "/= 0 divides by zero"),
    "args_set_nan": (
        "validate",
        ["--set", "company.initial_cash=nan"],
        3,
        "company.initial_cash",
        "expected a finite number",
    ),
    "args_headcount_overflow": (
        "validate",
        ["--set", "team.roles.founders.headcount*=1e400"],
        3,
        "team.roles.founders.headcount",
        "expected a finite number",
    ),
    "args_cash_times_huge": ("validate", ["--set", "company.initial_cash*=1e30"], 3, "company.initial_cash", "float32"),
    "args_set_typo": (
        "validate",
        ["--set", "market.segments.smb.pirce=3"],
        3,
        "market.segments.smb.pirce",
        "did you mean 'price'",
    ),
    "args_set_no_equals": ("validate", ["--set", "company.initial_cash"], 3, "", "expected PATH=VALUE"),
    "args_set_text_times": (
        "validate",
        ["--set", "company.initial_cash*=lots"],
        3,
        "company.initial_cash",
        "needs a number",
    ),
    "args_set_unknown_item": (
        "validate",
        ["--set", "market.segments.smbb.price=3"],
        3,
        "market.segments.smbb.price",
        "did you mean 'smb'",
    ),
    "args_paths_zero": ("run", ["--paths", "0"], 2, "--paths", "must be between 1"),
    "args_months_above_cap": ("run", ["--months", "1200"], 2, "--months", "must be between 1 and 600"),
    "args_chunk_negative": ("run", ["--chunk-size", "-1"], 2, "--chunk-size", "must be >= 1"),
    "args_seed_2_63": ("run", ["--seed", str(2**63)], 2, "--seed", "must be between 0 and 4,294,967,295"),
    "args_bad_metric": ("run", ["--metrics", "cash,csh"], 2, "--metrics", "choose from"),
    "args_engine_unknown": ("run", ["--engine", "gpu"], 2, "engine", "must be one of"),
    "args_out_under_file": ("run", ["--out", "{file}/out"], 5, "--out", "is a file, not a folder"),
}


def _edit(name, find, replacement, extra):
    lines = BASE.split("\n")
    wanted = [part.lstrip(" -") for part in find.split("\n")]
    matches = [
        i
        for i in range(len(lines) - len(wanted) + 1)
        if all(lines[i + k].lstrip(" -").startswith(part) for k, part in enumerate(wanted))
    ]
    assert len(matches) == 1, (name, find, matches)
    index = matches[0]
    first = lines[index]
    indent = "" if extra.get("no_indent") else first[: len(first) - len(first.lstrip(" "))]
    if extra.get("keep_indent_of_dash"):
        indent = first[: first.index("-")] if "-" in first.split("{")[0] else first[: first.index("{")]
    count = len(find.split("\n"))
    new = [indent + part if k == 0 else part for k, part in enumerate(replacement.split("\n"))]
    if count > 1:  # multi-line find: the following lines are given in full
        new = [indent + replacement.split("\n")[0]] + replacement.split("\n")[1:]
    else:
        new = [new[0]] + [
            indent + part.lstrip(" ") if not part.startswith(" ") else part for part in replacement.split("\n")[1:]
        ]
    text = "\n".join(lines[:index] + new + lines[index + count :])
    line = index + 1 + extra.get("line_offset", 0)
    if "line_of" in extra:
        found = [i for i, row in enumerate(text.split("\n"), 1) if extra["line_of"] in row]
        line = found[0]
    return text, line


def main() -> None:
    cases = HERE / "cases"
    for old in cases.glob("*.yaml"):
        old.unlink()
    manifest = {}
    for name, find, replacement, code, field, fix, *rest in EDITS:
        extra = rest[0] if rest else {}
        text, line = _edit(name, find, replacement, extra)
        (cases / f"{name}.yaml").write_text(text)
        manifest[name] = {"command": "validate", "args": [], "exit": code, "line": line, "field": field, "fix": fix}
    for name, (content, code, line, field, fix) in WHOLE.items():
        (cases / f"{name}.yaml").write_bytes(content)
        manifest[name] = {"command": "validate", "args": [], "exit": code, "line": line, "field": field, "fix": fix}
    for name, (command, args, code, field, fix) in ARGS.items():
        (cases / f"{name}.yaml").write_text(BASE)
        manifest[name] = {"command": command, "args": args, "exit": code, "line": None, "field": field, "fix": fix}
    (HERE / "cases.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(manifest)} cases")


if __name__ == "__main__":
    main()
