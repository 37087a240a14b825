"""Calibration data errors name the file, the row (file line), the column, what was expected and what was found."""

from __future__ import annotations

import pytest

from venturesim.calibrate import DataError
from venturesim.calibrate.bgnbd import read_rfm
from venturesim.calibrate.diffusion import read_signups
from venturesim.calibrate.retention import read_cohorts


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def _lines(exc: pytest.ExceptionInfo) -> list[str]:
    return str(exc.value).splitlines()


def test_signups_text_negative_fraction_and_missing_months(tmp_path):
    path = _write(
        tmp_path,
        "signups.csv",
        "month,new_customers\n2024-01,10\n2024-02,twelve\n2024-03,-3\n2024-04,2.5\n2024-07,4\n2024-07,5\n",
    )
    with pytest.raises(DataError) as exc:
        read_signups(path)
    assert _lines(exc)[:3] == [
        "signups.csv:3: column 'new_customers': expected a whole number >= 0, found text 'twelve'",
        "signups.csv:4: column 'new_customers': expected a whole number >= 0, found -3",
        "signups.csv:5: column 'new_customers': expected a whole number >= 0, found 2.5",
    ]
    # once the counts are fixed the months are checked: a gap and a repeat
    path.write_text("month,new_customers\n2024-01,10\n2024-02,12\n2024-05,4\n2024-05,5\n")
    with pytest.raises(DataError) as exc:
        read_signups(path)
    assert _lines(exc) == [
        (
            "signups.csv:4: column 'month': missing month(s) 2024-03 to 2024-04 between rows 3 and 4; add them "
            "(with 0 if nothing happened)"
        ),
        "signups.csv:5: column 'month': repeats month 2024-05 (row 4 has 2024-05); sort by month, one row per month",
    ]


def test_missing_column_suggests_the_nearest(tmp_path):
    path = _write(tmp_path, "s.csv", "month,new_customer\n0,1\n")
    with pytest.raises(DataError, match=r"s.csv: missing column 'new_customers'; did you mean 'new_customer'\?"):
        read_signups(path)
    with pytest.raises(DataError, match="file not found"):
        read_signups(tmp_path / "nope.csv")


def test_months_per_segment_and_integer_months(tmp_path):
    path = _write(tmp_path, "s.csv", "segment,month,new_customers\na,0,1\na,1,2\nb,0,3\nb,1,4\nb,2,5\n")
    s = read_signups(path)
    assert {k: v.tolist() for k, v in s.segments.items()} == {"a": [1, 2], "b": [3, 4, 5]}
    path.write_text("segment,month,new_customers\na,0,1\na,2,2\n")
    with pytest.raises(DataError, match=r"s\.csv:3: column 'month': missing month\(s\) 1 between rows 2 and 3"):
        read_signups(path)


def test_cohorts_must_not_grow_and_blank_only_at_the_end(tmp_path):
    path = _write(tmp_path, "c.csv", "cohort,0,1,2,3\nJan,100,80,85,70\nFeb,100,,60,\nMar,-5,1,1,1\n")
    with pytest.raises(DataError) as exc:
        read_cohorts(path)
    assert _lines(exc) == ["c.csv:4: column '0': expected a whole number >= 0, found -5"]
    path.write_text("cohort,0,1,2,3\nJan,100,80,85,70\nFeb,100,,60,\nMar,90,50,,\n")
    with pytest.raises(DataError) as exc:
        read_cohorts(path)
    assert _lines(exc) == [
        "c.csv:2: column '2': expected at most the previous period's 80 (a cohort cannot grow), found 85",
        (
            "c.csv:3: column '2': a value after the blank period 1; only a cohort's last periods may be blank "
            "(not yet observed)"
        ),
    ]
    path.write_text("cohort,1,2\nJan,100,80\n")
    with pytest.raises(DataError, match=r"expected period columns 0, 1, 2, … .* found \[1, 2\]"):
        read_cohorts(path)


def test_rfm_recency_beyond_age(tmp_path):
    path = _write(tmp_path, "r.csv", "x,t_x,T,zbar\n2,30,38,20\n1,40,38,5\n0,0,38,0\n3,0,38,10\n1,5,38,0\n")
    with pytest.raises(DataError) as exc:
        read_rfm(path)
    assert _lines(exc) == [
        "r.csv:3: column 't_x': expected at most T (=38), found 40",
        "r.csv:5: column 't_x': expected > 0 for a customer with x=3 repeat transactions, found 0",
        "r.csv:6: column 'zbar': expected the mean spend (> 0) of a customer with repeat transactions, found 0",
    ]
