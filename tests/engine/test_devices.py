"""Same numbers whatever the device count: this process's one CPU device vs 4 forced host devices in a subprocess,
the paths sharded over a 1-D mesh (``jax.sharding``; venturesim.engine.simulate.placement). 9,000 paths are three
blocks of 4,096, so one call of four blocks carries a padding block on the fourth device."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "seed_stage_api.yaml"
RUN = {"paths": 9000, "months": 24, "seed": 3, "chunk_size": 4096}
SCRIPT = f"""
import json, sys, jax, numpy as np, venturesim as vs
from venturesim.engine.simulate import blocks_per_call, placement
r = vs.simulate(sys.argv[1], **{RUN!r})
print(json.dumps({{"devices": len(jax.devices()), "mesh": type(placement()).__name__, "width": blocks_per_call(),
                  "data": {{k: r.data[k].values.astype(float).tolist() for k in ("cash", "arr", "customers")}},
                  "death": r.data["death_month"].values.tolist()}}))
"""


def _run(device_count: int) -> dict:
    env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={device_count}", JAX_PLATFORMS="cpu")
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(SCENARIO)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_sharding_over_four_devices_gives_identical_paths():
    import jax

    import venturesim as vs
    from venturesim.engine.simulate import blocks_per_call, placement

    assert (len(jax.devices()), type(placement()).__name__, blocks_per_call()) == (1, "Device", 1)
    one = vs.simulate(SCENARIO, **RUN)  # the subprocess's very run, here on one device
    many = _run(4)
    assert (many["devices"], many["mesh"], many["width"]) == (4, "Mesh", 4)
    assert many["death"] == one.data["death_month"].values.tolist()
    for name, values in many["data"].items():
        np.testing.assert_array_equal(np.array(values), one.data[name].values.astype(float), err_msg=name)
