"""The three model strategies side by side on one scenario (docs/model/product.md, the founders' tutorial).

The legal copilot of ``scenarios/ai_copilot_series_a.yaml`` (its market, team and funding unchanged) with
three product sections:

* **vendor API**: the frontier API model throughout (GPT-4o class, $4.375 per 1M blended tokens);
* **fine-tune open weights**: the shipped plan (fine-tuned Llama 3.1 8B, then a LoRA fine-tune of 70B);
* **pre-train your own**: serve Llama 3.1 8B as released while pre-training an own 8B on 15T tokens
  (1,024 H100s at month 6), then fine-tune it (loss reduction 0.08).

Prints a markdown table: the share operating (alive, not sold) at month 48 and the share sold or listed by
then, the median gross margin (operating paths), the founders' median ownership at month 48 (operating or
exited paths), the median training spend and the serving cost per 1M tokens. Run from the repository root:
``python benchmarks/strategies.py [paths]`` (2,000 paths: about 3 minutes on 2 CPU cores, three compiles).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import yaml

import venturesim as vs

ROOT = Path(__file__).resolve().parents[1]
SERVING = {"accelerator": "h100_sxm", "utilisation": {"p5": 0.3, "p95": 0.6}}
STRATEGIES = {
    "vendor API": {"initial_model": "frontier API"},
    "fine-tune open weights": None,  # the shipped product section
    "pre-train your own": {
        "initial_model": "open 8B",
        "training_runs": [
            {"name": "own_8b", "month": 6, "parameters": 8e9, "tokens": 15e12, "accelerators": 1024},
            {"name": "own_8b_chat", "month": 8, "base": "own_8b", "tokens": 1e8, "loss_reduction": 0.08},
        ],
        "serving": SERVING,
    },
}


def variants(paths: int) -> dict[str, dict]:
    base = yaml.safe_load((ROOT / "scenarios" / "ai_copilot_series_a.yaml").read_text())
    base["simulation"] |= {"months": 48, "paths": paths}
    out = {}
    for name, product in STRATEGIES.items():
        doc = copy.deepcopy(base)
        if product is not None:
            doc["product"] = product
        out[name] = doc
    return out


HEADER = (
    "| strategy | operating at month 48 | sold or listed by month 48 | gross margin (p50, operating paths) "
    "| founder ownership at month 48 (p50, operating or exited paths) | training spend (p50) "
    "| serving cost per 1M tokens (month 48, p50) |"
)


def summary_figures(summary, months: int) -> dict[str, float]:
    """The table's figures from ``result.summary()``, each by its exact row (a missing row raises KeyError):
    P(operating at the horizon), P(sold or listed by then; 0 when the run had no exit), the median gross margin
    over the operating paths and the founders' median ownership over the operating and exited paths (the dead
    are left out: a company that dies before a round would otherwise lift the figure with its founders' 100 %).
    """
    rows = summary.set_index(["metric", "statistic"])["value"]
    exited = ("exited (sold or listed) by month " + str(months), "probability")
    return {
        "operating": float(rows[(f"alive at month {months}", "probability")]),
        "exited": float(rows[exited]) if exited in rows.index else 0.0,
        "gross_margin": float(rows[(f"gross margin at month {months} (operating paths)", "p50")]),
        "founder_ownership": float(rows[(f"founder ownership at month {months} (operating or exited paths)", "p50")]),
    }


def row(name: str, result) -> str:
    f = summary_figures(result.summary(), result.months)
    training = np.asarray(result.data["training_compute"].values, np.float64).sum(axis=1)
    per_million = np.nanmedian(np.asarray(result.data["serving_cost_per_million"].values, np.float64)[:, -1])
    return (
        f"| {name} | {f['operating']:.1%} | {f['exited']:.1%} | {f['gross_margin']:.1%} | "
        f"{f['founder_ownership']:.1%} | ${np.median(training):,.0f} | ${per_million:,.2f} |"
    )


def main() -> None:
    paths = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(HEADER)
    print("|---|---|---|---|---|---|---|")
    for name, doc in variants(paths).items():
        result = vs.simulate(doc, paths=paths, seed=1, metrics="all")
        print(row(name, result), flush=True)


if __name__ == "__main__":
    main()
