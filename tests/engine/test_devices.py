"""Same numbers whatever the device count: 1 CPU device vs 4 (forced host devices)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "seed_stage_api.yaml"
SCRIPT = """
import json, sys, jax, numpy as np, venturesim as vs
r = vs.simulate(sys.argv[1], paths=1000, months=24, seed=3, chunk_size=500)
print(json.dumps({"devices": len(jax.devices()),
                  "cash": r.data["cash"].values.astype(float).round(2).tolist(),
                  "death": r.data["death_month"].values.tolist()}))
"""


def _run(device_count: int) -> dict:
    env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={device_count}", JAX_PLATFORMS="cpu")
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(SCENARIO)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_sharding_over_four_devices_gives_identical_paths():
    one, four = _run(1), _run(4)
    assert (one["devices"], four["devices"]) == (1, 4)
    assert one["death"] == four["death"]
    assert one["cash"] == four["cash"]
