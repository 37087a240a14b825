"""The three model strategies side by side on one scenario (docs/model/product.md, the founders' tutorial).

The legal copilot of ``scenarios/ai_copilot_series_a.yaml`` (its market, team and funding unchanged) with
three product sections:

* **vendor API**: the frontier API model throughout (GPT-4o class, $4.375 per 1M blended tokens);
* **fine-tune open weights**: the shipped plan (fine-tuned Llama 3.1 8B, then a LoRA fine-tune of 70B);
* **pre-train your own**: serve Llama 3.1 8B as released while pre-training an own 8B on 15T tokens
  (1,024 H100s at month 6), then fine-tune it (loss reduction 0.08).

Prints a markdown table: survival, median gross margin (operating paths), median founder ownership, all
at month 48, and the median training spend and serving cost per 1M tokens. Run from the repository root:
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


def row(name: str, result) -> str:
    summary = result.summary()

    def value(metric_start: str, stat: str) -> float:
        hit = summary[summary["metric"].str.startswith(metric_start) & (summary["statistic"] == stat)]
        return float(hit["value"].iloc[0]) if len(hit) else float("nan")

    survival = float(result.survival()["survival"].iloc[-1])
    training = np.asarray(result.data["training_compute"].values, np.float64).sum(axis=1)
    per_million = np.nanmedian(np.asarray(result.data["serving_cost_per_million"].values, np.float64)[:, -1])
    return (
        f"| {name} | {survival:.1%} | {value('gross margin', 'p50'):.1%} | "
        f"{value('founder ownership', 'p50'):.1%} | ${np.median(training):,.0f} | ${per_million:,.2f} |"
    )


def main() -> None:
    paths = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(
        "| strategy | survival at 48 months | gross margin (p50) | founder ownership (p50) "
        "| training spend (p50) | serving cost per 1M tokens (month 48, p50) |"
    )
    print("|---|---|---|---|---|---|")
    for name, doc in variants(paths).items():
        result = vs.simulate(doc, paths=paths, seed=1, metrics="all")
        print(row(name, result), flush=True)


if __name__ == "__main__":
    main()
