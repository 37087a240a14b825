"""DES statistics on a hand-made event log."""

import numpy as np
import pandas as pd
import pytest

from venturesim.analysis.des_stats import event_counts, share_of_time_raising, time_weighted_mean

COLUMNS = ["time", "path", "process", "kind", "details", "cash", "arr", "headcount"]
LOG = pd.DataFrame(
    [
        (0.0, 0, "staffing", "hire", "", 100.0, 0.0, 2.0),
        (3.0, 0, "fundraising", "start", "", 70.0, 0.0, 2.0),
        (5.0, 0, "fundraising", "closed", "", 1050.0, 0.0, 2.0),
        (6.0, 0, "staffing", "hire", "", 1040.0, 0.0, 4.0),
        (0.0, 1, "staffing", "hire", "", 50.0, 0.0, 1.0),
        (2.0, 1, "fundraising", "start", "", 30.0, 0.0, 1.0),
        (4.0, 1, "company", "death", "", -5.0, 0.0, 0.0),
    ],
    columns=COLUMNS,
)


def test_time_weighted_mean_by_hand():
    # path 0 headcount: 2 on [0, 6), 4 on [6, 10) → (12 + 16) / 10 = 2.8
    # path 1 headcount: 1 on [0, 4), 0 on [4, 10) → 0.4
    headcount = time_weighted_mean(LOG, "headcount", 10.0, 3)
    assert headcount[0] == pytest.approx(2.8)
    assert headcount[1] == pytest.approx(0.4)
    assert np.isnan(headcount[2])  # no events
    # path 0 cash: 100·3 + 70·2 + 1050·1 + 1040·4 = 5650 → 565
    assert time_weighted_mean(LOG, "cash", 10.0, 3)[0] == pytest.approx(565.0)


def test_share_of_time_raising_by_hand():
    share = share_of_time_raising(LOG, 10.0, 3)
    assert share.tolist() == pytest.approx([0.2, 0.2, 0.0])  # [3, 5) and [2, 4) until death


def test_event_counts():
    counts = event_counts(LOG, 2).set_index(["process", "kind"])
    assert counts.loc[("staffing", "hire"), "events"] == 3
    assert counts.loc[("staffing", "hire"), "per_path"] == 1.5
    assert counts["events"].sum() == len(LOG)
