"""The month written once (:func:`venturesim.engine.month.close_month`): the order in which it asks a driver for
each domain's month, the same for both engines (whose records are compared bit for bit in test_des_traces)."""

from __future__ import annotations

import numpy as np
import pytest

import venturesim as vs
from venturesim.engine import des_engine

ORDER = ["product", "partners", "team", "market", "rounds", "debt", "settle", "concentration"]


@pytest.fixture
def calls(monkeypatch):
    """Record the domain calls of the DES's driver while the real one runs."""
    seen: list[tuple[int, str]] = []
    real = des_engine.PathMonth

    class Recording(real):
        pass

    for name in ORDER:

        def method(self, t, *args, _name=name, **kwargs):
            seen.append((int(t), _name))
            return getattr(real, _name)(self, t, *args, **kwargs)

        setattr(Recording, name, method)
    monkeypatch.setattr(des_engine, "PathMonth", Recording)
    return seen


def test_each_month_asks_every_domain_once_in_order(calls):
    """Product and partners first, the team before the market (its capacity acts on this month's market), the
    rounds and debt before the close, the exits (settle) after it, the concentration last."""
    months = 4
    result = vs.simulate("scenarios/seed_stage_api.yaml", engine="des", paths=1, months=months, seed=3, workers=1)
    alive = int(result.data["alive"].values[0].sum())  # a path no longer alive is frozen: no domain is asked
    assert alive >= 1
    assert calls == [(t, name) for t in range(alive) for name in ORDER]
    assert np.isfinite(result.data["cash"].values).all()
