"""The command line: run, validate, new; outputs, --force, --set and errors."""

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from venturesim.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "startup.yaml"
    result = runner.invoke(app, ["new", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def run_once(template):
    out = template.parent / "out"
    result = runner.invoke(
        app,
        [
            "run",
            str(template),
            "--paths",
            "300",
            "--months",
            "24",
            "--out",
            str(out),
            "--set",
            "market.segments.smb.price*=0.5",
        ],
    )
    return result, out


def test_run_prints_summary_and_writes_outputs(run_once):
    result, out = run_once
    assert result.exit_code == 0, result.output
    assert "alive at month 12" in result.output and "± s.e." in result.output
    doc = json.loads((out / "summary.json").read_text())
    assert doc["paths"] == 300 and doc["months"] == 24
    assert doc["overrides"] == ["market.segments.smb.price*=0.5"]
    survival = {r["metric"]: r for r in doc["summary"] if r["section"] == "survival"}
    p = survival["alive at month 12"]["value"]
    assert 0 <= p <= 1
    assert survival["alive at month 12"]["se"] == pytest.approx((p * (1 - p) / 300) ** 0.5)
    html = (out / "report.html").read_text()
    assert "My AI startup" in html and '<script src="http' not in html
    assert "simulated futures the company is still operating after 2 years" in result.output  # the headline
    assert "<p class='headline' id='headline'>In " in html and "p10/p50/p90" in result.output


def test_run_refuses_to_overwrite_without_force(run_once, template):
    _, out = run_once
    before = (out / "summary.json").read_text()
    result = runner.invoke(app, ["run", str(template), "--paths", "50", "--out", str(out)])
    assert result.exit_code == 5  # output refused (was 1 before exit codes per error class)
    assert "--force" in result.output
    assert (out / "summary.json").read_text() == before
    forced = runner.invoke(
        app, ["run", str(template), "--paths", "50", "--months", "24", "--out", str(out), "--force", "--no-report"]
    )
    assert forced.exit_code == 0, forced.output
    assert json.loads((out / "summary.json").read_text())["paths"] == 50
    assert sorted(p.name for p in out.iterdir()) == ["run.json", "summary.json"]  # the old report went with its folder


def test_validate_reports_line_and_suggestion(tmp_path, template):
    broken = tmp_path / "broken.yaml"
    broken.write_text(template.read_text().replace("initial_cash:", "intial_cash:"))
    line = next(i for i, text in enumerate(broken.read_text().splitlines(), 1) if "intial_cash" in text)
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 3
    assert f"broken.yaml:{line}:" in result.output
    assert "did you mean 'initial_cash'" in result.output


def test_unknown_override_path_is_an_error(template, tmp_path):
    result = runner.invoke(
        app,
        ["run", str(template), "--paths", "10", "--out", str(tmp_path / "o"), "--set", "market.segments.smb.pirce=3"],
    )
    assert result.exit_code == 3
    assert "did you mean 'price'" in result.output


def test_new_refuses_to_overwrite(template):
    result = runner.invoke(app, ["new", str(template)])
    assert result.exit_code == 5 and "--force" in result.output  # output refused (was 1)
    blocked = runner.invoke(app, ["new", str(template / "x.yaml")])  # under a regular file: no traceback
    assert blocked.exit_code == 5 and "is a file, not a folder" in " ".join(blocked.output.split())


def test_des_engine_prints_causes_and_a_timeline(template, tmp_path, monkeypatch):
    from venturesim import cli

    kept: list = []  # the DES samples its inputs with JAX too: its programs are kept, as the JAX engine's
    monkeypatch.setattr(cli, "use_compile_cache", lambda enabled=True: kept.append(enabled))
    result = runner.invoke(
        app,
        [
            "run",
            str(template),
            "--engine",
            "des",
            "--paths",
            "60",
            "--workers",
            "1",
            "--months",
            "24",
            "--out",
            str(tmp_path / "des"),
            "--no-report",
            "--timeline",
            "0",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Path 0:" in result.output and "hired 2 founders" in result.output
    doc = json.loads((tmp_path / "des" / "summary.json").read_text())
    assert doc["engine"] == "des" and doc["paths"] == 60
    assert kept == [True]


def test_same_seed_summaries_are_byte_identical_and_timing_is_in_run_json(template):
    folders = [template.parent / "same1", template.parent / "same2"]
    for folder in folders:  # the shapes of run_once: no new compilation
        result = runner.invoke(
            app,
            [
                "run",
                str(template),
                "--paths",
                "300",
                "--months",
                "24",
                "--out",
                str(folder),
                "--no-report",
                "--set",
                "market.segments.smb.price*=0.5",
            ],
        )
        assert result.exit_code == 0, result.output
    assert (folders[0] / "summary.json").read_bytes() == (folders[1] / "summary.json").read_bytes()
    assert "seconds" not in json.loads((folders[0] / "summary.json").read_text())
    assert json.loads((folders[1] / "run.json").read_text())["seconds"] > 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--paths", "0"], "paths (--paths) must be between 1"),
        (["--months", "1200"], "months (--months) must be between 1 and 600, found 1,200"),
        (["--chunk-size", "-1"], "chunk_size (--chunk-size) must be >= 1, found -1"),
        (["--seed", str(2**63)], "seed (--seed) must be between 0 and 4,294,967,295"),
        (["--metrics", "cash,cahs"], "--metrics: unknown metric"),
    ],
)
def test_bad_run_arguments_exit_2_before_any_work(template, tmp_path, args, message):
    out = tmp_path / "o"
    result = runner.invoke(app, ["run", str(template), "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output and not out.exists()


def test_out_under_a_regular_file_exits_5(template, tmp_path):
    (tmp_path / "file").write_text("")
    result = runner.invoke(app, ["run", str(template), "--paths", "10", "--out", str(tmp_path / "file" / "o")])
    assert result.exit_code == 5 and "is a file, not a folder" in " ".join(result.output.split())


def test_help_lists_the_exit_codes():
    from venturesim.spec.errors import EXIT_CODES

    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert all(f"{code}:" in text for code in EXIT_CODES) and "--debug" in text


def test_unexpected_errors_are_one_line_unless_debug(template, tmp_path, monkeypatch):
    import venturesim as vs

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(vs, "simulate", broken)
    args = ["run", str(template), "--paths", "10", "--out", str(tmp_path / "o")]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "internal error: RuntimeError: a bug" in result.output and "--debug" in result.output
    assert "Traceback" not in result.output
    debug = runner.invoke(app, ["--debug", *args])
    assert isinstance(debug.exception, RuntimeError)  # raised: the traceback is shown


def test_ctrl_c_stops_within_a_second_and_writes_nothing(template, tmp_path, monkeypatch):
    import _thread
    import signal
    import threading
    import time

    import venturesim as vs

    # Python's own Ctrl-C handler, as in a terminal: a process started in the background by a shell without job
    # control (`make test &`) inherits SIGINT ignored, and then interrupt_main() does nothing
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    pressed: list[float] = []

    def ctrl_c():  # what Ctrl-C does: KeyboardInterrupt in the main thread
        pressed.append(time.perf_counter())
        _thread.interrupt_main()

    def slow(scenario, progress, **kwargs):  # a long run (30 s) that reports progress, like simulate
        threading.Timer(0.3, ctrl_c).start()  # pressed while simulating (loading time varies with the machine's load)
        for done in range(600):
            time.sleep(0.05)
            progress(done, 600)

    monkeypatch.setattr(vs, "simulate", slow)
    out = tmp_path / "o"
    try:
        result = runner.invoke(app, ["run", str(template), "--paths", "10", "--out", str(out)])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert pressed and time.perf_counter() - pressed[0] < 1.0  # stopped within a second of the key
    assert result.exit_code == 130
    assert "interrupted" in result.output and "nothing was written" in result.output
    assert not out.exists()


def test_validate_checks_every_file_and_exits_with_the_worst_code(template, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(template.read_text().replace("initial_cash:", "intial_cash:"))
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.yaml"), str(broken), str(template)])
    assert result.exit_code == 4  # missing file (4) beats invalid scenario (3)
    assert "missing.yaml" in result.output and "intial_cash" in result.output and f"ok {template}" in result.output


def test_checking_a_scenario_never_imports_jax(template, tmp_path):
    """`--help`, `new`, `validate` and a bad `--set` answer without importing JAX, xarray, pandas, scipy.stats or
    scipy.optimize (seconds of import on a loaded 2-core machine), and a run's modules import no scipy.stats:
    checked in a fresh interpreter, as a user's command runs (the distributions' quantiles come from
    scipy.special, see test_distributions.py). (A scenario with a ``product:`` section is the exception for
    ``validate``: its "your model starts … behind the frontier" line runs the product's month rule, which is JAX
    code; ``seed_stage_api`` has none.)"""
    import subprocess
    import sys

    no_product = Path(__file__).parent.parent / "scenarios" / "seed_stage_api.yaml"

    code = f"""
import sys
from typer.testing import CliRunner
from venturesim.cli import app
runner = CliRunner()
codes = [
    runner.invoke(app, ["--help"]).exit_code,
    runner.invoke(app, ["new", {str(tmp_path / "new.yaml")!r}]).exit_code,
    runner.invoke(app, ["validate", {str(no_product)!r}]).exit_code,
    runner.invoke(app, ["run", {str(template)!r}, "--set", "market.segments.smb.pirce=3"]).exit_code,
]
heavy = ("jax", "xarray", "pandas", "scipy.stats", "scipy.optimize")
print(codes, sorted(m for m in heavy if m in sys.modules))
import venturesim.analysis.sampling, venturesim.analysis.streaming, venturesim.engine.des_engine
import venturesim.engine.simulate, venturesim.engine.stream, venturesim.report.outputs
print("scipy.stats" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split("\n")[-3] == "[0, 0, 0, 3] []", done.stdout + done.stderr
    # nor does a run's code (the engines, the Result, the report): scipy.stats (≈ 1 s of import) only where a Latin
    # hypercube or Sobol' design or a risk-pair correlation asks for it
    assert done.stdout.split("\n")[-2] == "False", done.stdout + done.stderr


def test_changing_a_number_never_recompiles(run_once, template, tmp_path):
    """Numbers are leaves of the compiled program, only shapes are static: a run of run_once's shapes with other
    numbers (a price, the initial cash, a churn) lowers no JAX program at all (no trace, no compile)."""
    import jax.monitoring

    lowering = "/jax/core/compile/jaxpr_to_mlir_module_duration"  # jax._src.dispatch.JAXPR_TO_MLIR_MODULE_EVENT

    lowered = []

    def count(event, duration, **kwargs):
        if event == lowering:
            lowered.append(duration)

    jax.monitoring.register_event_duration_secs_listener(count)
    try:
        numbers = ["market.segments.smb.price*=0.7", "company.initial_cash=2500000", "market.segments.smb.churn*=1.3"]
        args = ["run", str(template), "--paths", "300", "--months", "24", "--out", str(tmp_path / "o"), "--no-report"]
        result = runner.invoke(app, [*args, *(f"--set={n}" for n in numbers)])
        assert result.exit_code == 0, result.output
        assert "loading" in result.output and "writing" in result.output  # the progress lines (stderr)
    finally:
        jax.monitoring.unregister_event_duration_listener(count)
    assert lowered == []


def test_the_compile_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    from venturesim.cli import compile_cache_folder

    monkeypatch.setenv("VENTURESIM_COMPILE_CACHE", str(tmp_path / "c"))
    assert compile_cache_folder() == tmp_path / "c"
    monkeypatch.setenv("VENTURESIM_COMPILE_CACHE", "off")
    assert compile_cache_folder() is None
    monkeypatch.delenv("VENTURESIM_COMPILE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # platformdirs' user cache folder on Linux
    if sys.platform.startswith("linux"):
        assert compile_cache_folder() == tmp_path / "xdg" / "venturesim" / "jax"


def test_the_summary_table_caps_long_runways_and_gives_multiples_two_decimals():
    """What `venturesim run` prints for a runway of 454.68 months and a MOIC of exactly 1 (format_value_se)."""
    import pandas as pd
    from rich.console import Console

    from venturesim.cli import summary_table

    rows = pd.DataFrame(
        [
            ("cash", "runway at month 60 (operating paths still burning)", "p90", 454.68, 45.61, "months"),
            ("cash", "runway at month 60 (operating paths still burning)", "p50", 37.42, 1.92, "months"),
            ("returns", "round 'seed' MOIC (realised)", "p50", 1.0, 0.0, "×"),
        ],
        columns=["section", "metric", "statistic", "value", "se", "unit"],
    )
    console = Console(width=200, record=True)
    console.print(summary_table(rows, "T"))
    lines = console.export_text().splitlines()[4:]  # title, rule, header, rule
    assert "> 10 years" in lines[0] and "—" in lines[0] and "454" not in lines[0]
    assert "37.42" in lines[1] and "1.92" in lines[1]
    assert [cell.strip() for cell in lines[2].split("│")[-3:-1]] == ["1.00", "0.00"]


def test_run_keeps_the_report_bundle_beside_its_compile_cache(template, tmp_path, monkeypatch):
    """``venturesim run`` writes the report's Vega bundle into ``<compile cache>-report`` (read back by later runs,
    tests/report/test_html.py) and keeps none with ``--no-compile-cache``."""
    from venturesim import cli
    from venturesim.report import html

    monkeypatch.setattr(cli, "compile_cache_folder", lambda: tmp_path / "jax")
    monkeypatch.setattr(cli, "use_compile_cache", lambda enabled=True: None)  # the tests' JAX cache stays as it is
    monkeypatch.setattr(html, "BUNDLE_FOLDER", None)
    html.vega_bundle.cache_clear()
    try:  # the horizon of ``run_once``: its compiled program serves these runs too
        off = runner.invoke(
            app,
            [
                "run",
                str(template),
                "--paths",
                "10",
                "--months",
                "24",
                "--out",
                str(tmp_path / "a"),
                "--no-compile-cache",
            ],
        )
        assert off.exit_code == 0, off.output
        assert not (tmp_path / "jax-report").exists()
        html.vega_bundle.cache_clear()
        on = runner.invoke(app, ["run", str(template), "--paths", "10", "--months", "24", "--out", str(tmp_path / "b")])
        assert on.exit_code == 0, on.output
        (kept,) = (tmp_path / "jax-report").iterdir()
        assert kept.name.startswith("vega-v") and kept.read_text(encoding="utf-8") == html.vega_bundle()
    finally:
        html.vega_bundle.cache_clear()


@pytest.mark.parametrize("value", ["off", "OFF", " no ", "0", "false"])
def test_every_off_word_turns_both_kept_folders_off(monkeypatch, tmp_path, value):
    """The compile cache and the kept programs read one list of words for "off" (venturesim._env)."""
    from venturesim.cli import compile_cache_folder
    from venturesim.engine import programs

    monkeypatch.setenv("VENTURESIM_COMPILE_CACHE", value)
    monkeypatch.setenv(programs.KEEP_ENV, value)
    assert compile_cache_folder() is None and programs.program_folder() is None
    monkeypatch.setenv("VENTURESIM_COMPILE_CACHE", str(tmp_path / "jax"))
    assert compile_cache_folder() == tmp_path / "jax"


def _cache_folders(root):
    """Kept folders beside ``root/jax`` holding files of every kept kind (sizes in bytes) and files of the user's."""
    files = {
        "jax/jit_run_block-1a2b-cache": 100,
        "jax/jit_run_block-1a2b-atime": 8,
        "jax/.lockfile": 0,
        "jax/notes.txt": 5,  # the user's own: VENTURESIM_COMPILE_CACHE may name any folder
        "jax/sub/deeper-cache": 7,  # in a subfolder: not venturesim's either
        "jax-programs/0f1e.jaxexport": 1000,
        "jax-programs/.0f1e.jaxexport.a1b2c3.tmp": 10,  # an atomic write in progress
        "jax-report/vega-v6_4-vl-convert-1.9.js": 500,
    }
    for name, size in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x" * size)
    return root / "jax"


def test_cache_shows_the_kept_folders_and_clears_only_venturesims_files(monkeypatch, tmp_path):
    """`venturesim cache` counts 3 + 2 + 1 kept files (108, 1,010 and 500 bytes); `--clear` removes exactly those,
    leaves the user's two files and the folder holding them, and removes the two folders left empty."""
    from rich.console import Console

    from venturesim import cli

    folder = _cache_folders(tmp_path)
    monkeypatch.setenv("VENTURESIM_COMPILE_CACHE", str(folder))
    monkeypatch.setattr(cli, "console", Console(width=400, soft_wrap=False))  # one line per folder, however long
    shown = runner.invoke(app, ["cache"])
    assert shown.exit_code == 0, shown.output
    rows = {line.split("│")[1].strip(): line for line in shown.output.splitlines() if line.count("│") == 5}
    assert rows.keys() == {"compiled programs (JAX)", "traced kernels", "report's JavaScript bundle"}
    assert "│     3 │ 0.0 MB" in rows["compiled programs (JAX)"] and "│     2 │ 0.0 MB" in rows["traced kernels"]
    assert f"{folder}: 1 other file(s), not venturesim's, left alone" in shown.output
    assert sum(p.is_file() for p in tmp_path.rglob("*")) == 8  # nothing removed by looking
    cleared = runner.invoke(app, ["cache", "--clear"])
    assert cleared.exit_code == 0, cleared.output
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["jax/notes.txt", "jax/sub/deeper-cache"]
    assert not (tmp_path / "jax-programs").exists() and not (tmp_path / "jax-report").exists()
    again = runner.invoke(app, ["cache"])
    assert again.exit_code == 0 and "│     0 │ 0.0 MB" in again.output


def test_cache_usage_and_clear_count_bytes(tmp_path):
    """The library side: the kept files' bytes (100 + 8 + 0), the other files counted apart, and a clear that
    returns what it removed."""
    from venturesim import _cache

    compiled, programs, report = _cache.kept_folders(_cache_folders(tmp_path))
    assert _cache.usage(compiled) == _cache.Usage(3, 108, 1) and _cache.usage(programs) == _cache.Usage(2, 1010, 0)
    assert _cache.clear(report) == _cache.Usage(1, 500, 0) and _cache.usage(report) == _cache.Usage(0, 0, 0)
    assert _cache.clear(report) == _cache.Usage(0, 0, 0)  # the folder is gone: nothing to do


def test_cache_with_the_cache_off(monkeypatch):
    monkeypatch.setenv("VENTURESIM_COMPILE_CACHE", "off")
    result = runner.invoke(app, ["cache", "--clear"])
    assert result.exit_code == 0 and "the compile cache is off" in result.output


def test_use_compile_cache_for_analysts_is_the_commands_cache(monkeypatch):
    """``vs.use_compile_cache()`` turns on the folder the commands use ($VENTURESIM_COMPILE_CACHE, here the test
    session's) and returns it; with the cache off it returns None and leaves JAX's settings alone."""
    import jax

    import venturesim as vs
    from venturesim import cli

    assert vs.use_compile_cache is cli.use_compile_cache
    before = jax.config.jax_compilation_cache_dir
    min_time = jax.config.jax_persistent_cache_min_compile_time_secs
    monkeypatch.setenv("VENTURESIM_COMPILE_CACHE", "off")
    assert vs.use_compile_cache() is None and jax.config.jax_compilation_cache_dir == before
    if not before:
        pytest.skip("this test session keeps no compile cache (VENTURESIM_TEST_COMPILE_CACHE=off)")
    monkeypatch.setenv("VENTURESIM_COMPILE_CACHE", before)
    try:
        assert vs.use_compile_cache() == Path(before) and jax.config.jax_compilation_cache_dir == before
        assert jax.config.jax_persistent_cache_min_compile_time_secs == 0.0  # every program kept, as the commands
    finally:
        jax.config.update("jax_persistent_cache_min_compile_time_secs", min_time)
