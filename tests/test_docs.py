"""The tutorials cannot go stale: every code block runs, and its printed output matches the page.

The runner (tests/docs_runner.py: a development tool, outside the package, since it executes the tutorials'
own code) runs each page's console and Python blocks in order, in a scratch folder or the repository root,
and compares each printed output with the page's within one unit of the last printed digit (timings and
versions masked). A page that differs fails here under `make docs-check`; `make docs` rewrites its outputs from
a fresh run. The runner's own comparison rules are checked first on hand-made cases.

Inside `make test` (the runs are too dear for it: a CLI run's import and compile, not its paths, is the cost, so
even at 256 paths the three pages take ~300 CPU s), a cheap check runs instead, in about a second: every
`venturesim` command on a page (console and bash blocks, README included) names a command, subcommand and options
the CLI has, every Python block parses, and every `vs.…` name and `from venturesim… import …` it uses exists.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from docs_runner import Page, align, commands, lines_match, parse

DOCS = Path(__file__).resolve().parents[1] / "docs"
ROOT = DOCS.parent
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


# ---- the cheap check, inside make test: every command and name the pages use exists --------------------------------
# Running the tutorials costs ~390 CPU s at the pages' path counts and still ~300 at 256 paths (a CLI run's import
# and compile, not its paths, is the cost), over make test's budget; `make docs-check` runs them. What make test
# checks in a second instead: every `venturesim` command on a page names a command and options the CLI has, every
# Python block parses, and every `vs.…` name and `from venturesim… import …` it uses exists — a renamed option or
# function fails here at once, a changed figure in `make docs-check`.

PYTHON_PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def _blocks(page: Path, lang: str):
    lines = page.read_text(encoding="utf-8").split("\n")
    blocks, _ = parse(lines)
    return lines, [b for b in blocks if b.lang == lang]


def _shell_commands(page: Path) -> list[tuple[int, str]]:
    """(line, command) of a page's console blocks (``$ `` prompts) and bash blocks (every line not a comment)."""
    lines, consoles = _blocks(page, "console")
    found = [c for b in consoles for c in commands(lines, b)]
    for block in _blocks(page, "bash")[1]:
        text, k = block.text(lines), 0
        while k < len(text):
            start, parts = k, [text[k]]
            while parts[-1].rstrip().endswith("\\") and k + 1 < len(text):
                k += 1
                parts.append(text[k])
            k += 1
            command = " ".join(part.rstrip().rstrip("\\").strip() for part in parts).strip()
            if command and not command.startswith("#"):
                found.append((block.start + start + 1, command))
    return found


def command_problems(command: str) -> list[str] | None:
    """What is wrong with a shell command of a page, if it runs ``venturesim`` (None when it does not): a command
    or an option the CLI does not have."""
    import itertools
    import shlex

    import typer.main

    from venturesim.cli import app

    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = list(itertools.takewhile(lambda w: w not in ("|", ";", "&&", "||", ">", "2>"), lexer))
    if not words or Path(words[0]).name != "venturesim":  # `venturesim` or `.venv/bin/venturesim`
        return None
    command, k = typer.main.get_command(app), 1
    while hasattr(command, "commands"):  # a group (the app, `calibrate`): its subcommand comes next
        if words[k : k + 1] in (["--help"], ["--version"]):
            return []
        if k >= len(words) or words[k] not in command.commands:
            return [f"no command {' '.join(words[1 : k + 1])!r}"]
        command, k = command.commands[words[k]], k + 1
    options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}
    name = " ".join(words[1:k])
    return [
        f"`venturesim {name}` has no option {word.split('=')[0]}"
        for word in words[k:]
        if word.startswith("-") and word.split("=")[0] not in options and not word.lstrip("-")[:1].isdigit()
    ]


def test_the_command_check_by_hand():
    assert command_problems("ls -l") is None
    assert command_problems(".venv/bin/venturesim validate x.yaml --strict") == [
        "`venturesim validate` has no option --strict"
    ]
    assert command_problems("venturesim run x.yaml --paths 10 --no-report --set 'a.b*=-1'") == []
    assert command_problems("venturesim run x.yaml --pathz 10 | head") == ["`venturesim run` has no option --pathz"]
    assert command_problems("venturesim simulate x.yaml") == ["no command 'simulate'"]
    assert command_problems("venturesim calibrate market a.csv --out m.parquet") == []
    assert command_problems("venturesim calibrate churn a.csv") == ["no command 'calibrate churn'"]
    assert command_problems("venturesim compare x.yaml --variant 'a: b*=2; c*=3' --paths 5") == []


def test_every_command_on_a_page_is_one_the_cli_has():
    wrong, seen = [], 0
    for page in PYTHON_PAGES:
        for line, command in _shell_commands(page):
            problems = command_problems(command)
            seen += problems is not None
            wrong += [f"{page.relative_to(ROOT)}:{line}: {problem}" for problem in problems or []]
    assert seen >= 20 and wrong == []


def _venturesim_names(tree) -> list[tuple[int, str]]:
    """(line, dotted name) of every ``vs.a.b`` attribute chain and every name imported from venturesim."""
    import ast

    aliases = {
        a.asname or a.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for a in node.names
        if a.name == "venturesim"
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "venturesim":
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Attribute):
            chain, base = [], node
            while isinstance(base, ast.Attribute):
                chain.append(base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id in aliases:
                found.append((node.lineno, ".".join(["venturesim", *reversed(chain)])))
    return found


def _resolves(dotted: str) -> bool:
    import importlib

    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for k, part in enumerate(parts[1:], start=2):
        if hasattr(obj, part):
            obj = getattr(obj, part)
            continue
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            return False
    return True


def test_the_name_check_by_hand():
    import ast

    source = (
        "import venturesim as vs\nfrom venturesim.report import result_charts, plot_nothing\n"
        "vs.simulate(vs.load('x'))\nvs.sensitivity.tornado\nvs.sensitivity.tornadoes\nother.simulate"
    )
    names = {name for _, name in _venturesim_names(ast.parse(source))}
    assert names == {
        "venturesim.report.result_charts",
        "venturesim.report.plot_nothing",
        "venturesim.simulate",
        "venturesim.load",
        "venturesim.sensitivity",
        "venturesim.sensitivity.tornado",
        "venturesim.sensitivity.tornadoes",
    }
    assert {n for n in names if not _resolves(n)} == {
        "venturesim.report.plot_nothing",
        "venturesim.sensitivity.tornadoes",
    }


def test_every_python_block_parses_and_its_venturesim_names_exist():
    import ast

    wrong, names = [], 0
    for page in PYTHON_PAGES:
        lines, blocks = _blocks(page, "python")
        for block in blocks:
            where = f"{page.relative_to(ROOT)}:{block.start + 1}"
            try:
                tree = ast.parse("\n".join(block.text(lines)))
            except SyntaxError as exc:
                wrong.append(f"{where}: {exc}")
                continue
            for line, dotted in _venturesim_names(tree):
                names += 1
                if not _resolves(dotted):
                    wrong.append(f"{where}+{line - 1}: {dotted} does not exist")
    assert names >= 30 and wrong == []


# ---- the pages agree with the code and with a clone ------------------------------------------------------------

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


def test_the_funding_page_says_returns_mark_the_still_private_companies():
    """docs/model/funding.md said returns() counted the still-private companies without valuing them; it marks them
    (at the last post-money and at the ARR multiple), and so may cheque_returns."""
    import inspect

    from venturesim.analysis.exits import MARKS, cheque_returns, round_returns

    text = " ".join((DOCS / "model" / "funding.md").read_text(encoding="utf-8").split())
    assert "counted, not valued" not in text
    assert "marked_post_money_*" in text and "marked_arr_multiple_*" in text and "conditioning" in text
    assert MARKS == ("post_money", "arr_multiple") and "mark" in inspect.signature(cheque_returns).parameters
    assert "marked_post_money_" in inspect.getsource(round_returns)
