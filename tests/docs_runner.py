"""Executable tutorials: run every code block of a Markdown page and check (or rewrite) its printed output.

``python tests/docs_runner.py check docs/tutorial-founders.md`` runs the page's blocks in order and reports each
output that differs from a fresh run; ``python tests/docs_runner.py update ...`` (``make docs``) writes the fresh
outputs into the page. ``tests/test_docs.py`` runs the check on the three tutorials.

What runs
---------
* A ````` ```console ````` block is a shell session: a line starting with ``$ `` is a command (a line ending in
  ``\\`` continues it), and the lines up to the next command are its expected output: stdout, then stderr
  when the command fails (a successful command's stderr is progress, which a terminal shows and then clears).
  Each command runs in ``bash`` in the page's working folder with ``COLUMNS=120``, the Python interpreter's
  ``bin`` folder first on ``PATH`` (so ``venturesim`` is this checkout's) and ``PYTHONPATH`` set to the
  repository; ``$?`` is the previous command's exit status.
* A ````` ```python ````` block followed (after blank lines only) by a ````` ```text ````` block runs in the page's
  one Python namespace (a notebook: later blocks see earlier names); its printed output, and the ``repr`` of a
  bare expression on its last line (as in a REPL), is compared with the text block. A Python block with no text
  block after it runs only when ``<!-- docs: run -->`` precedes it (it sets up names for later blocks).
* Other blocks (``yaml``, ``json``, ``diff``, ``bash``) are shown, not run, unless a directive uses them.

Directives (HTML comments, invisible on the rendered page), each on its own line:

* ``<!-- docs: cwd scratch -->`` (the default) runs the page in a new empty temporary folder;
  ``<!-- docs: cwd repo -->`` in the repository root. Give it before the first block.
* ``<!-- docs: setup COMMAND -->`` runs a shell command there, unseen (``$REPO`` is the repository root), e.g.
  ``cp $REPO/scenarios/seed_stage_api.yaml pitch.yaml``.
* ``<!-- docs: skip -->`` before a block: do not run it (say why in the prose or the comment).
* ``<!-- docs: run -->`` before a Python block without a text block: run it.
* ``<!-- docs: patch FILE -->`` before a ``diff`` block: apply it to FILE (``patch``, normal diff format).
* ``<!-- docs: file FILE -->`` before any block: write its text to FILE.

Comparing
---------
Outputs are compared after masking what a run cannot reproduce (wall-clock seconds, versions: ``MASKS``), as
a skeleton (the text with every number replaced and runs of spaces and box-drawing rules collapsed, so a wider
number that widens a table's columns still matches) plus the numbers themselves, each of which may differ from
the page's by at most one unit of its last printed digit (``78.0%`` against ``78.1%`` passes, ``78.2%`` does not):
a rounding flip between machines is tolerated, a changed result is not. An expected line ``…`` (or ``(…
anything …)``) stands for any number of lines, so a page may show part of a long output; ``update`` keeps such
a line and refreshes the lines around it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

MASKS: tuple[tuple[str, str], ...] = (
    (r"\bin \d+(?:\.\d+)? s\b", "in <seconds> s"),
    (r'"seconds": [0-9.eE+-]+', '"seconds": <seconds>'),
    (r'"venturesim_version": "[^"]*"', '"venturesim_version": <version>'),
    (r'"python": "[^"]*"', '"python": <version>'),
)
"""(pattern, replacement) applied to both outputs before comparing: what differs between two honest runs."""

_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?")
_RULE = re.compile(r"([─━═┄┈-])\1+")
_DIRECTIVE = re.compile(r"^<!--\s*docs:\s*(\w+)\s*(.*?)\s*-->\s*$")
_FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass
class Block:
    """A fenced block: its info string, its lines (without the fences) and where they sit in the page."""

    lang: str
    start: int  # index of the first content line in the page's lines
    end: int  # index of the closing fence
    directives: list[tuple[str, str]] = field(default_factory=list)

    def text(self, lines: list[str]) -> list[str]:
        return lines[self.start : self.end]


def commands(lines: list[str], block: Block) -> list[tuple[int, str]]:
    """A console block's commands: (1-based page line, the command with its ``\\`` continuations joined)."""
    text = block.text(lines)
    found = []
    for k, line in enumerate(text):
        if line.startswith("$ "):
            parts, j = [line[2:]], k
            while parts[-1].endswith("\\") and j + 1 < len(text):
                j += 1
                parts.append(text[j])
            found.append((block.start + k + 1, " ".join(part.rstrip("\\").strip() for part in parts)))
    return found


def parse(lines: list[str]) -> tuple[list[Block], list[tuple[int, str, str]]]:
    """The page's fenced blocks (each with the directives just above it) and its page-level directives."""
    blocks: list[Block] = []
    page: list[tuple[int, str, str]] = []
    pending: list[tuple[str, str]] = []
    i = 0
    while i < len(lines):
        directive = _DIRECTIVE.match(lines[i])
        fence = _FENCE.match(lines[i])
        if directive:
            name, arg = directive.group(1), directive.group(2)
            if name in ("cwd", "setup"):
                page.append((i, name, arg))
            else:
                pending.append((name, arg))
        elif fence:
            j = i + 1
            while j < len(lines) and lines[j].rstrip() != "```":
                j += 1
            if j == len(lines):
                raise ValueError(f"line {i + 1}: a ``` block is not closed")
            blocks.append(Block(fence.group(1), i + 1, j, pending))
            pending = []
            i = j
        elif lines[i].strip():
            pending = []
        i += 1
    return blocks, page


# ---- comparing ---------------------------------------------------------------------------------------------------


def _mask(text: str) -> str:
    for pattern, replacement in MASKS:
        text = re.sub(pattern, replacement, text)
    return text


def _skeleton(line: str) -> tuple[str, list[str]]:
    line = _mask(line)
    numbers = _NUMBER.findall(line)
    skeleton = _NUMBER.sub("#", line)
    skeleton = _RULE.sub(r"\1", skeleton)
    return " ".join(skeleton.split()), numbers


def _close(expected: str, actual: str) -> bool:
    """Equal within one unit of the expected number's last printed digit."""
    if expected == actual:
        return True
    try:
        e, a = float(expected.replace(",", "")), float(actual.replace(",", ""))
    except ValueError:
        return False
    mantissa = expected.replace(",", "").lower().split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    unit = 10.0**-decimals
    if "e" in expected.lower():
        unit *= 10.0 ** int(expected.lower().split("e")[1])
    return abs(e - a) <= unit * (1 + 1e-9)


def lines_match(expected: str, actual: str) -> bool:
    """One line of expected output against one line of a fresh run (module docstring, "Comparing")."""
    (s1, n1), (s2, n2) = _skeleton(expected), _skeleton(actual)
    return s1 == s2 and len(n1) == len(n2) and all(_close(a, b) for a, b in zip(n1, n2, strict=True))


def _is_elision(line: str) -> bool:
    s = line.strip()
    return s == "…" or (s.startswith("(…") and s.endswith("…)"))


def align(expected: list[str], actual: list[str]) -> list[str] | None:
    """The refreshed output: ``actual``, with the expected elision lines kept; None when they do not match.

    Dynamic programming over (expected line, actual line); an elision absorbs any number of actual lines.
    """
    expected = [e.rstrip() for e in expected]
    actual = [a.rstrip() for a in actual]
    while expected and not expected[-1]:
        expected.pop()
    while actual and not actual[-1]:
        actual.pop()
    n, m = len(expected), len(actual)
    memo: dict[tuple[int, int], list[str] | None] = {}

    def go(i: int, j: int) -> list[str] | None:
        if (i, j) in memo:
            return memo[i, j]
        out: list[str] | None = None
        if i == n:
            out = [] if j == m else None
        elif _is_elision(expected[i]):
            for k in range(j, m + 1):  # shortest elision first
                rest = go(i + 1, k)
                if rest is not None:
                    out = [expected[i], *rest]
                    break
        elif j < m and lines_match(expected[i], actual[j]):
            rest = go(i + 1, j + 1)
            out = None if rest is None else [actual[j], *rest]
        memo[i, j] = out
        return out

    sys.setrecursionlimit(max(10_000, 4 * (n + m) + 100))
    return go(0, 0)


def diff_text(expected: list[str], actual: list[str]) -> str:
    """A unified diff of the two outputs, for the failure message."""
    import difflib

    return "\n".join(difflib.unified_diff(expected, actual, "page", "fresh run", lineterm="", n=1))


# ---- running -----------------------------------------------------------------------------------------------------


@dataclass
class Mismatch:
    """One output that differs from a fresh run."""

    line: int  # 1-based line of the page where the expected output starts
    source: str
    expected: list[str]
    actual: list[str]

    def __str__(self) -> str:
        return f"line {self.line}: {self.source}\n{diff_text(self.expected, self.actual)}"


class Page:
    """One Markdown page being run: its lines, working folder, Python namespace and the outputs found."""

    def __init__(self, path: Path, workdir: Path | None = None) -> None:
        self.path = Path(path)
        self.lines = self.path.read_text().split("\n")
        self.blocks, self.page_directives = parse(self.lines)
        self.workdir = workdir
        self.namespace: dict = {"__name__": "__main__"}
        self.mismatches: list[Mismatch] = []
        self.replacements: list[tuple[int, int, list[str]]] = []  # (start, end, new lines)
        self.status = 0  # exit status of the last shell command

    # -- environment
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONPATH"] = f"{REPO}{os.pathsep}{env['PYTHONPATH']}" if env.get("PYTHONPATH") else str(REPO)
        env["COLUMNS"] = "120"
        env["REPO"] = str(REPO)
        env.pop("FORCE_COLOR", None)
        env["NO_COLOR"] = "1"
        env["TERM"] = "dumb"
        return env

    def shell(self, command: str) -> str:
        """Run one command in bash; ``$?`` is the previous command's exit status, as in one session."""
        done = subprocess.run(
            ["bash", "-c", f"(exit {self.status}); {command}"],
            cwd=self.workdir,
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=1800,
        )
        self.status = done.returncode
        return done.stdout + (done.stderr if done.returncode else "")

    def python(self, source: str, first_line: int) -> str:
        """Run a block in the page's namespace; return what it printed and the values of its bare expressions.

        As in a notebook, every top-level expression statement whose value is not None is shown: a pandas
        DataFrame by ``to_string(index=False)``, anything else with a ``to_string`` by it, else by ``repr``;
        two shown values are separated by a blank line.
        """
        import ast

        tree = ast.parse(source, filename=f"{self.path}:{first_line}")
        ast.increment_lineno(tree, first_line - 1)
        buffer = io.StringIO()
        cwd = os.getcwd()
        os.chdir(self.workdir or cwd)
        shown = False
        try:
            with contextlib.redirect_stdout(buffer):
                for statement in tree.body:
                    if isinstance(statement, ast.Expr):
                        code = compile(ast.Expression(statement.value), str(self.path), "eval")
                        value = eval(code, self.namespace)  # the tutorial's own code, as a reader runs it
                        if value is not None:
                            if shown:
                                print()
                            print(_display(value))
                            shown = True
                    else:
                        module = ast.Module(body=[statement], type_ignores=[])
                        exec(compile(module, str(self.path), "exec"), self.namespace)  # the tutorial's own code
        finally:
            os.chdir(cwd)
        return buffer.getvalue()

    # -- blocks
    def _expect(self, start: int, end: int, expected: list[str], actual: str, source: str) -> None:
        fresh = [line.rstrip() for line in actual.rstrip("\n").split("\n")] if actual.strip() else []
        merged = align(expected, fresh)
        if merged is None:
            self.mismatches.append(Mismatch(start + 1, source, expected, fresh))
            merged = fresh
        self.replacements.append((start, end, merged))

    def _console(self, block: Block) -> None:
        lines = block.text(self.lines)
        k = 0
        while k < len(lines):
            if not lines[k].startswith("$ "):
                raise ValueError(f"{self.path}:{block.start + k + 1}: console output before a command")
            command_lines = [lines[k][2:]]
            while command_lines[-1].endswith("\\") and k + 1 < len(lines):
                k += 1
                command_lines.append(lines[k])
            command = "\n".join(command_lines)
            k += 1
            out_start = k
            while k < len(lines) and not lines[k].startswith("$ "):
                k += 1
            actual = self.shell(command)
            self._expect(block.start + out_start, block.start + k, lines[out_start:k], actual, "$ " + command_lines[0])

    def run(self) -> list[Mismatch]:
        """Run every block in order; return the outputs that differ (also kept in ``mismatches``)."""
        with contextlib.ExitStack() as stack:
            if self.workdir is None:
                where = next((arg for _, name, arg in self.page_directives if name == "cwd"), "scratch")
                if where == "repo":
                    self.workdir = REPO
                else:
                    self.workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="venturesim-docs-")))
            setups = [(i, arg) for i, name, arg in self.page_directives if name == "setup"]
            blocks = list(self.blocks)
            for index, block in enumerate(blocks):
                while setups and setups[0][0] < block.start:
                    self.shell(setups.pop(0)[1])
                kinds = dict(block.directives)
                body = "\n".join(block.text(self.lines)) + "\n"
                if "file" in kinds:
                    (self.workdir / kinds["file"]).write_text(body)
                if "patch" in kinds:
                    self._patch(kinds["patch"], body)
                if "skip" in kinds:
                    continue
                if block.lang == "console":
                    self._console(block)
                elif block.lang == "python":
                    after = blocks[index + 1] if index + 1 < len(blocks) else None
                    has_output = (
                        after is not None
                        and after.lang == "text"
                        and all(not line.strip() for line in self.lines[block.end + 1 : after.start - 1])
                    )
                    if has_output or "run" in kinds:
                        actual = self.python(body, block.start + 1)
                        if has_output:
                            assert after is not None
                            self._expect(after.start, after.end, after.text(self.lines), actual, "python block")
                            after.directives.append(("skip", "output of the block above"))
            for _, arg in setups:
                self.shell(arg)
        return self.mismatches

    def _patch(self, target: str, diff: str) -> None:
        done = subprocess.run(
            ["patch", "--quiet", target], cwd=self.workdir, input=diff, text=True, capture_output=True, check=False
        )
        if done.returncode:
            raise RuntimeError(f"{self.path}: patch {target} failed: {done.stdout}{done.stderr}")

    def updated(self) -> str:
        """The page with every output replaced by the fresh run's (elision lines kept)."""
        lines = list(self.lines)
        for start, end, new in sorted(self.replacements, reverse=True):
            lines[start:end] = new
        return "\n".join(lines)


def _display(value: object) -> str:
    """How a notebook cell shows a value (see :meth:`Page.python`)."""
    try:
        import pandas as pd

        if isinstance(value, pd.DataFrame):
            return value.to_string(index=False)
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    to_string = getattr(value, "to_string", None)
    return to_string() if callable(to_string) else repr(value)


def main(argv: list[str] | None = None) -> int:
    """``check`` (exit 1 on a difference) or ``update`` (rewrite the outputs) the given pages."""
    parser = argparse.ArgumentParser(prog="python tests/docs_runner.py", description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("check", "update"))
    parser.add_argument("pages", nargs="+", type=Path)
    args = parser.parse_args(argv)
    status = 0
    for path in args.pages:
        page = Page(path)
        mismatches = page.run()
        if args.mode == "update":
            path.write_text(page.updated())
            print(f"{path}: {len(page.replacements)} output(s) refreshed, {len(mismatches)} changed")
        else:
            for mismatch in mismatches:
                print(f"{path}:{mismatch}\n")
            print(f"{path}: {len(page.replacements)} output(s) checked, {len(mismatches)} differ")
            status = status or (1 if mismatches else 0)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
