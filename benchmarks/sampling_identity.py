"""Bit-identity of the sampled inputs and of a run's results across a change of the host sampling.

``python benchmarks/sampling_identity.py save DIR`` writes, at one commit, every Params leaf and input draw of
``sample_with_draws`` (the call ``run_chunk`` makes) for several scenarios and path sets, and every array of a
9,000-path, 24-month ``venturesim.simulate`` of three scenarios; ``… compare DIR`` recomputes them at another
commit and checks each one is bit-identical (same dtype, shape and bytes). Uses ``numpy.savez``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jax
import numpy as np

import venturesim as vs
from venturesim.engine.params import sample_with_draws
from venturesim.engine.simulate import run_keys

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SAMPLED = [
    "seed_stage_api",
    "sales_led_enterprise_ai",
    "pre_seed_safe_to_series_a",
    "frontier_lab_mega_rounds",
    "ai_drug_discovery_partnerships",
    "capital_heavy_foundation_model",
    "open_weights_model_company",
    "funding_winter",
    "vertical_saas_on_vendor_api",
    "consumer_ai_app_viral",
]
RUN = ["seed_stage_api", "sales_led_enterprise_ai", "pre_seed_safe_to_series_a"]


def arrays() -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name in SAMPLED:
        scenario = vs.load(SCENARIOS / f"{name}.yaml")
        params_key, _ = run_keys(3)
        # run_chunk's call: global path indices, the last padded with the last path.
        for label, index, months in (("a", np.arange(2000), 60), ("b", np.minimum(np.arange(4096, 8192), 5000), 24)):
            params, draws = sample_with_draws(scenario, params_key, months=months, path_index=index)
            for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]:
                out[f"{name}/{label}/params{jax.tree_util.keystr(path)}"] = np.asarray(leaf)
            for k, v in draws.items():
                out[f"{name}/{label}/draws/{k}"] = np.asarray(v)
    for name in RUN:
        result = vs.simulate(vs.load(SCENARIOS / f"{name}.yaml"), paths=9000, seed=3, months=24)
        for var in result.data.data_vars:
            out[f"{name}/run/{var}"] = np.asarray(result.data[var].values)
        for col in result.inputs.columns:
            out[f"{name}/run/inputs/{col}"] = result.inputs[col].to_numpy()
    return out


def main() -> None:
    mode, folder = sys.argv[1], Path(sys.argv[2])
    now = arrays()
    if mode == "save":
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / "reference.npz", **{k.replace("/", "|"): v for k, v in now.items()})
        print(f"saved {len(now)} arrays")
        return
    ref = np.load(folder / "reference.npz")
    reference = {k.replace("|", "/"): ref[k] for k in ref.files}
    bad = [k for k in reference if k not in now]
    bad += [k for k in now if k not in reference]
    for k, v in reference.items():
        if k in now:
            w = np.ascontiguousarray(now[k])
            same = w.dtype == v.dtype and w.shape == v.shape and w.tobytes() == np.ascontiguousarray(v).tobytes()
            if not same:
                bad.append(k)
    print(f"{len(reference)} arrays compared, {len(bad)} differ")
    for k in bad[:50]:
        print("  DIFFERS:", k)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
