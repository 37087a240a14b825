"""Same numbers whatever the device count: 1 CPU device vs 2 and 4 (forced host devices), the paths sharded over
a 1-D mesh (``jax.sharding``; venturesim.engine.simulate.placement)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "seed_stage_api.yaml"
SCRIPT = """
import json, sys, jax, numpy as np, venturesim as vs
from venturesim.engine.simulate import blocks_per_call, placement
r = vs.simulate(sys.argv[1], paths=9000, months=24, seed=3, chunk_size=4096)
print(json.dumps({"devices": len(jax.devices()), "mesh": type(placement()).__name__, "width": blocks_per_call(),
                  "data": {k: r.data[k].values.astype(float).tolist() for k in ("cash", "arr", "customers")},
                  "death": r.data["death_month"].values.tolist()}))
"""


def _run(device_count: int) -> dict:
    env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={device_count}", JAX_PLATFORMS="cpu")
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(SCENARIO)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_sharding_over_two_and_four_devices_gives_identical_paths():
    one = _run(1)
    assert (one["devices"], one["mesh"], one["width"]) == (1, "Device", 1)
    for count in (2, 4):
        many = _run(count)
        assert (many["devices"], many["mesh"], many["width"]) == (count, "Mesh", count)
        assert many["death"] == one["death"]
        for name, values in one["data"].items():
            np.testing.assert_array_equal(np.array(many["data"][name]), np.array(values), err_msg=name)
