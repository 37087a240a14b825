"""The tutorials cannot go stale: every code block runs, and its printed output matches the page.

The runner (tests/docs_runner.py: a development tool, outside the package, since it executes the tutorials'
own code) runs each page's console and Python blocks in order, in a scratch folder or the repository root,
and compares each printed output with the page's within one unit of the last printed digit (timings and
versions masked). A page that differs fails here; `make docs` rewrites its outputs from a fresh run. The
runner's own comparison rules are checked first on hand-made cases.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from docs_runner import Page, align, lines_match, parse

DOCS = Path(__file__).resolve().parents[1] / "docs"
TUTORIALS = sorted(DOCS.glob("tutorial-*.md"))


def test_the_three_tutorials_are_found():
    assert {p.name for p in TUTORIALS} >= {"tutorial-founders.md", "tutorial-investors.md", "tutorial-analysts.md"}


# ---- the comparison rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "actual", "same"),
    [
        ("alive 78.0%", "alive 78.1%", True),  # one unit of the last printed digit: a rounding flip
        ("alive 78.0%", "alive 77.9%", True),
        ("alive 78.0%", "alive 78.2%", False),  # two units: a changed result
        ("cash $2,918,882", "cash $2,918,883", True),
        ("cash $2,918,882", "cash $2,918,890", False),
        ("median 17", "median 18", True),
        ("median 17", "median 19", False),
        ("se 2.8e-04", "se 2.9e-04", True),  # a unit of the mantissa's last digit, at its exponent
        ("se 2.8e-04", "se 3.0e-04", False),
        ("│ a │   9.9% │", "│ a │  10.0% │", True),  # a wider number widens the column: spaces collapse
        ("┏━━━━┓", "┏━━━━━━┓", True),  # a wider table's rules
        ("alive at month 12", "alive at month 24", False),  # a number in a label is a number too
        ("ARR at month 60", "runway at month 60", False),  # the words must agree
        ("simulated in 5.7 s; wrote x", "simulated in 31.2 s; wrote x", True),  # timings are masked
        ("n = 5000", "n = 5000 paths", False),
    ],
)
def test_lines_match(expected, actual, same):
    assert lines_match(expected, actual) is same


def test_an_elision_stands_for_any_lines_and_is_kept():
    expected = ["head", "…", "tail 1.0"]
    assert align(expected, ["head", "a", "b", "tail 1.1"]) == ["head", "…", "tail 1.1"]
    assert align(expected, ["head", "tail 1.0"]) == ["head", "…", "tail 1.0"]
    assert align(expected, ["head", "a"]) is None
    assert align(["x", "(… the rest …)"], ["x", "y", "z"]) == ["x", "(… the rest …)"]
    assert align(["one"], ["one", "two"]) is None  # an extra line is a difference


def test_a_page_runs_and_is_rewritten(tmp_path):
    """A hand-made page: a console block, a Python block with its output, a hidden setup and a skipped block."""
    page = tmp_path / "page.md"
    page.write_text(
        "\n".join(
            [
                "# A page",
                "<!-- docs: setup printf 'a\\nb\\n' > letters.txt -->",
                "```console",
                "$ wc -l letters.txt",
                "5 letters.txt",  # stale: the file has 2 lines
                "$ echo same",
                "same",
                "```",
                "",
                "```python",
                "x = 6 * 7",
                "print(x)",
                "x / 4",
                "```",
                "",
                "```text",
                "42",
                "10.5",
                "```",
                "",
                "<!-- docs: skip -->",
                "```console",
                "$ exit 3",
                "never run",
                "```",
            ]
        )
    )
    run = Page(page)
    mismatches = run.run()
    assert [m.source for m in mismatches] == ["$ wc -l letters.txt"]
    assert mismatches[0].actual == ["2 letters.txt"]
    text = run.updated()
    assert "2 letters.txt" in text and "5 letters.txt" not in text
    assert "never run" in text  # a skipped block is left as it is
    blocks, directives = parse(text.split("\n"))
    assert [b.lang for b in blocks] == ["console", "python", "text", "console"]
    assert [name for _, name, _ in directives] == ["setup"]


# ---- the tutorials ----------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("VENTURESIM_DOCS_CHECK") != "1",
    reason="the tutorials' runs cost ~390 CPU s, over make test's budget: `make docs-check` runs them",
)
@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.stem)
def test_tutorial_output_is_current(path):
    mismatches = Page(path).run()
    assert not mismatches, (
        f"{path.name}: {len(mismatches)} output(s) differ from a fresh run; `make docs` rewrites them "
        "(then reread the prose around them)\n\n" + "\n\n".join(str(m) for m in mismatches)
    )


# ---- the pages agree with the code and with a clone ------------------------------------------------------------

ROOT = DOCS.parent
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md")), *sorted((ROOT / "benchmarks").glob("*.md"))]


def test_every_relative_link_resolves_inside_the_repository():
    """A link such as ``../shared/DESIGN.md`` worked in the development tree but not in a clone."""
    import re

    broken = []
    for page in PAGES:
        for match in re.finditer(r"\]\(<?([^)\s>]+)>?\)", page.read_text(encoding="utf-8")):
            target = match.group(1)
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor on the page
            path = (page.parent / target.split("#")[0]).resolve()
            if not path.exists() or ROOT.resolve() not in path.parents:
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []
    assert "shared/DESIGN.md" not in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_model_page_names_every_instrument_the_engines_simulate():
    """docs/model.md §5 once said a round is priced equity or a post-money SAFE, and §10 that pre-money SAFEs
    and notes were not in the engines; both run in both engines (funding.instruments.KINDS)."""
    from venturesim.funding.instruments import KINDS

    text = (DOCS / "model.md").read_text(encoding="utf-8")
    rounds = text[text.index("## 5. Funding rounds") : text.index("## 6.")].replace("\n", " ")
    named = {"priced": "**priced equity**", "safe": "**post-money SAFE**", "pre_money_safe": "**pre-money SAFE**"}
    named["note"] = "**convertible note**"
    assert set(named) == set(KINDS) and all(words in rounds for words in named.values())
    domains = text[text.index("## 10. The domain models") : text.index("## Sources")].replace("\n", " ")
    assert "Not modelled yet: pre-money SAFEs" not in domains
    assert "pre-money SAFEs, convertible notes" in domains


def test_the_pages_describe_the_fans_the_report_draws():
    """The founders' tutorial once said the fans drew 5–95 % bands (the tooltip's old P05–P95) while the table used
    p10/p90: one quantile convention, p10–p90 and p25–p75 around the median, and no page names another."""
    import re

    from venturesim.analysis.summary import QUANTILES
    from venturesim.report.charts import FAN_QUANTILES

    assert FAN_QUANTILES == (0.1, 0.25, 0.5, 0.75, 0.9) and set(QUANTILES) <= set(FAN_QUANTILES)
    stale = [page.name for page in PAGES if re.search(r"(?<![\d.])5 ?[–-] ?95 ?%|P05|P95", page.read_text("utf-8"))]
    assert stale == []
    founders = (DOCS / "tutorial-founders.md").read_text(encoding="utf-8")
    report = founders[founders.index("## 6. The report") : founders.index("## 7.")].replace("\n", " ")
    assert "p10–p90 and p25–p75 bands" in report and "four interactive charts" not in report

