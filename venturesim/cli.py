"""Command line: ``venturesim run | validate | new | calibrate-product``. Parses, calls the library, prints."""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table


def _exit_code_help() -> str:
    from venturesim.spec.errors import EXIT_CODES

    return "\n\n".join(f"{code}: {meaning}" for code, meaning in EXIT_CODES.items())


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Simulate the life of an AI-model startup.\n\nExit codes:\n\n" + _exit_code_help(),
)
console = Console(soft_wrap=False)
errors = Console(stderr=True, soft_wrap=True)

PROGRESS_AFTER_SECONDS = 1.0
_settings = {"debug": False}


@app.callback()
def main(debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks of unexpected errors.")) -> None:
    """Simulate the life of an AI-model startup."""
    _settings["debug"] = debug


@contextmanager
def clean_errors():
    """Turn every error into one screen of text and the exit code of its class (see ``venturesim --help``).

    Known errors (:class:`~venturesim.spec.errors.VentureSimError`) print
    their message; Ctrl-C exits with 130; anything else is a bug: one line and
    exit 1, with the traceback only under ``--debug``.
    """
    from venturesim.spec.errors import ScenarioError, VentureSimError

    try:
        yield
    except typer.Exit:
        raise
    except ScenarioError as exc:
        errors.print(f"[bold red]{len(exc.problems)} problem(s) in the scenario:[/]")
        for problem in exc.problems:
            errors.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(exc.exit_code) from None
    except VentureSimError as exc:
        errors.print("[bold red]error:[/] ", end="")
        errors.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        errors.print("[bold red]interrupted[/]: stopped; nothing was written (existing results are unchanged)")
        _leave_now(130)
        raise typer.Exit(130) from None
    except Exception as exc:
        if _settings["debug"]:
            raise
        errors.print("[bold red]internal error:[/] ", end="")
        errors.print(f"{type(exc).__name__}: {exc}", markup=False, highlight=False)
        errors.print("this is a bug in venturesim; rerun with --debug for the traceback and report it")
        raise typer.Exit(1) from None


def _leave_now(code: int) -> None:
    """In the ``venturesim`` command, end the process at once with ``code``.

    A chunk already running on a worker thread cannot be cancelled, and the
    interpreter would wait for it at exit (seconds to minutes); nothing is
    left to save, as outputs are only written at the end, as one folder. Under
    a test runner (or any other caller of the app) this returns, and the
    caller gets ``typer.Exit(code)``.
    """
    main_module = sys.modules.get("__main__")
    spec = getattr(main_module, "__spec__", None)
    if Path(sys.argv[0]).stem == "venturesim" or getattr(spec, "name", None) == "venturesim.cli":
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


COMPILE_CACHE_ENV = "VENTURESIM_COMPILE_CACHE"
COMPILE_CACHE_MAX_BYTES = 2 * 1024**3


def compile_cache_folder() -> Path | None:
    """Where compiled JAX programs are kept between runs, or None when the cache is off.

    ``$VENTURESIM_COMPILE_CACHE`` names the folder (``off`` turns the cache off); by default it is
    ``jax`` in the user's cache folder (platformdirs: ``~/.cache/venturesim/jax`` on Linux,
    ``~/Library/Caches/venturesim/jax`` on macOS, ``%LOCALAPPDATA%\\venturesim\\Cache\\jax`` on Windows).
    """
    folder = os.environ.get(COMPILE_CACHE_ENV, "").strip()
    if folder.lower() in ("off", "0", "false", "no"):
        return None
    if folder:
        return Path(folder).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("venturesim", appauthor=False)) / "jax"


def use_compile_cache(enabled: bool = True) -> Path | None:
    """Turn on JAX's persistent compilation cache in :func:`compile_cache_folder` (unless ``enabled`` is False).

    A scenario's engine program depends only on its shapes (segments, rounds, roles, ..., the horizon and
    the chunk), never on its numbers, so a second run of a scenario of the same shape reads the compiled
    program back (≈ 1 s) instead of compiling it again (10-40 s on 2 cores). XLA keys each entry by the
    program, the compile options and the jax/jaxlib version, so an entry is never used for another
    program. Entries compiled in under 0.2 s are not kept; the folder is kept under 2 GiB, least recently
    used entries first (when the ``filelock`` package is present, as jax requires for that).
    """
    folder = compile_cache_folder() if enabled else None
    if folder is None:
        return None
    import importlib.util

    import jax

    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.2)
    if importlib.util.find_spec("filelock") is not None:
        jax.config.update("jax_compilation_cache_max_size", COMPILE_CACHE_MAX_BYTES)
    return folder


def _say(message: str) -> None:
    """One progress line on stderr (the summary and the paths written go to stdout)."""
    errors.print(message, style="dim", markup=False, highlight=False)


def _load(path: Path, overrides: list[str], allow_outside: bool = False):
    import venturesim as vs

    scenario = vs.load(path, allow_outside=allow_outside)
    return scenario.override(overrides) if overrides else scenario


def _simulate_with_progress(scenario, simulate=None, **kwargs):
    """Run in a daemon thread; show a progress bar if it takes over a second.

    Ctrl-C stops waiting at once: the main thread raises KeyboardInterrupt
    (nothing has been written yet), the worker is told to stop at its next
    chunk, and being a daemon thread it cannot keep the process alive.
    """
    import threading

    import venturesim as vs

    simulate = simulate or vs.simulate
    done = {"paths": 0, "total": 1}
    outcome: dict = {}
    stop = threading.Event()

    def progress(n, total):
        done["paths"], done["total"] = n, total
        if stop.is_set():
            raise KeyboardInterrupt

    def work():
        try:
            outcome["result"] = simulate(scenario, progress=progress, **kwargs)
        except BaseException as exc:  # handed to the main thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="venturesim-simulate", daemon=True)
    worker.start()
    try:
        worker.join(PROGRESS_AFTER_SECONDS)
        if worker.is_alive():
            columns = (
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            first = "compiling + first chunk" if kwargs.get("engine", "jax") == "jax" else "simulating paths"
            with Progress(*columns, console=errors, transient=True) as bar:
                task = bar.add_task(first, total=kwargs["paths"])
                while worker.is_alive():
                    described = first if done["paths"] == 0 else "simulating paths"
                    bar.update(task, completed=done["paths"], description=described)
                    worker.join(0.1)
    except KeyboardInterrupt:
        stop.set()
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def summary_table(summary, title: str) -> Table:
    """A rich table of the summary rows: value ± standard error."""
    from venturesim.report import format_number

    table = Table(title=title, title_justify="left")
    for column in ("", "metric", ""):
        table.add_column(column, justify="left")
    for column in ("value", "± s.e."):
        table.add_column(column, justify="right")
    previous = None
    for row in summary.itertuples():
        section = row.section if row.section != previous else ""
        previous = row.section
        table.add_row(
            section, row.metric, row.statistic, format_number(row.value, row.unit), format_number(row.se, row.unit)
        )
    return table


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    paths: int | None = typer.Option(None, "--paths", "-n", help="Monte Carlo paths (default: the scenario's)."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed, 0 to 2**32-1 (default: the scenario's)."),
    months: int | None = typer.Option(
        None, "--months", help="Horizon in months, at most 600 (default: the scenario's)."
    ),
    metrics: str | None = typer.Option(None, "--metrics", help="Comma-separated monthly metrics to record, or 'all'."),
    overrides: list[str] = typer.Option(
        [], "--set", help="Override or shock, e.g. market.segments.smb.price*=0.7 (repeatable)."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output folder (default: out/<scenario name>)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder of results (as one unit)."),
    report: bool = typer.Option(True, "--report/--no-report", help="Write the HTML report."),
    chunk_size: int | None = typer.Option(None, "--chunk-size", help="Paths per compiled block (memory bound)."),
    engine: str = typer.Option(
        "jax", "--engine", help="'jax' (fast Monte Carlo) or 'des' (event by event, with an event log)."
    ),
    workers: int | None = typer.Option(None, "--workers", help="DES: worker processes (default: all cores)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="DES: address of an existing Dask scheduler."),
    timeline: int | None = typer.Option(None, "--timeline", help="DES: print this path's story."),
    allow_outside_files: bool = typer.Option(
        False,
        "--allow-outside-files",
        help="Let draws files and product.calibration lie outside the scenario's folder.",
    ),
    compile_cache: bool = typer.Option(
        True,
        "--compile-cache/--no-compile-cache",
        help=f"Keep compiled programs between runs (in ${COMPILE_CACHE_ENV}, default the user's cache folder).",
    ),
) -> None:
    """Simulate a scenario, print the key figures and write summary.json, run.json and report.html."""
    from venturesim.spec.errors import UsageError

    with clean_errors():
        _say(f"loading {scenario}")
        sc = _load(scenario, overrides, allow_outside_files)  # YAML and --set errors: before JAX is imported
        from venturesim.engine.metrics import resolve_metrics
        from venturesim.engine.simulate import check_arguments
        from venturesim.report.outputs import check_outputs, write_outputs

        settings = sc.simulation
        paths_n = settings.paths if paths is None else paths
        check_arguments(
            paths=paths_n,
            seed=settings.seed if seed is None else seed,
            months=settings.months if months is None else months,
            chunk_size=chunk_size,
            workers=workers,
        )
        try:
            metric_list = (
                None if metrics is None else ("all" if metrics == "all" else [m.strip() for m in metrics.split(",")])
            )
            resolve_metrics(metric_list)
        except ValueError as exc:
            raise UsageError(f"--metrics: {exc}") from None
        out_dir = out or Path("out") / scenario.stem
        check_outputs(out_dir, force)  # fail before simulating, not after
        if engine == "jax":
            use_compile_cache(compile_cache)
        start = time.perf_counter()
        _say(f"simulating {paths_n:,} paths with the {engine} engine")
        result = _simulate_with_progress(
            sc,
            paths=paths_n,
            seed=seed,
            months=months,
            metrics=metric_list,
            engine=engine,
            chunk_size=chunk_size,
            workers=workers,
            scheduler=scheduler,
        )
        seconds = time.perf_counter() - start
        _say(f"simulated {result.paths:,} paths × {result.months} months in {seconds:.1f} s; summarising")
        summary = result.summary()
        console.print(
            summary_table(summary, f"{sc.name} — {result.paths:,} paths, {result.months} months, seed {result.seed}")
        )
        if result.engine == "des":
            causes = result.why_dead()
            if len(causes):
                console.print("Causes of death (share of all paths):")
                for row in causes.itertuples():
                    console.print(f"  {row.share_of_paths:6.1%}  {row.cause}", markup=False, highlight=False)
            if timeline is not None:
                console.print(f"Path {timeline}:", result.timeline(timeline), markup=False, highlight=False)
        _say(f"writing {out_dir}")
        written = write_outputs(
            result,
            out_dir,
            force=force,
            source=str(scenario),
            overrides=overrides,
            seconds=seconds,
            report=report,
            summary=summary,
        )
        console.print(f"simulated in {seconds:.1f} s; wrote " + ", ".join(str(p) for p in written.values()))


@app.command()
def validate(
    scenarios: list[Path] = typer.Argument(..., help="Scenario YAML files."),
    overrides: list[str] = typer.Option([], "--set", help="Check these overrides too (as `run --set`)."),
    allow_outside_files: bool = typer.Option(
        False,
        "--allow-outside-files",
        help="Let draws files and product.calibration lie outside the scenario's folder.",
    ),
) -> None:
    """Check scenario files: everything `run` checks before simulating, every problem with its line."""
    from venturesim.scenario.inputs import uncertain_inputs

    worst = 0
    for path in scenarios:  # every file is checked; the exit code is the largest of their codes
        try:
            with clean_errors():
                sc = _load(path, overrides, allow_outside_files)
        except typer.Exit as exc:
            worst = max(worst, exc.exit_code)
            continue
        console.print(
            f"[green]ok[/] {path}: {len(sc.market.segments)} segment(s), {len(sc.team.roles)} role(s), "
            f"{len(sc.funding.rounds)} round(s), {len(uncertain_inputs(sc))} uncertain input(s)"
        )
    if worst:
        raise typer.Exit(worst)


@app.command()
def new(
    path: Path = typer.Argument(..., help="Where to write the template scenario."),
    force: bool = typer.Option(False, "--force", help="Replace an existing file."),
) -> None:
    """Write a commented template scenario to start from."""
    from venturesim._io import atomic_write_text, check_output_dir
    from venturesim.spec.errors import OutputError

    with clean_errors():
        if not path.parent.is_dir():
            check_output_dir(path.parent, set(), force=True)  # refuses a file in the way
        if path.exists() and not force:
            raise OutputError(f"{path} exists; pass --force to replace it")
        if path.is_dir():
            raise OutputError(f"{path} is a folder; give a file name such as {path / 'startup.yaml'}")
        template = resources.files("venturesim.scenario").joinpath("templates/template.yaml").read_text("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, template)
    console.print(f"wrote {path}; edit it, then: venturesim run {path}")


@app.command("calibrate-product")
def calibrate_product(
    quick: bool = typer.Option(False, "--quick", help="Small grid: 7 runs, about 2-3 minutes on 2 CPU cores."),
    out: Path = typer.Option(Path("calibration.yaml"), "--out", "-o", help="Calibration file (.yaml, .yml or .json)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing calibration file."),
    seed: int = typer.Option(0, "--seed", help="Random seed of the runs and of the Bayesian fit."),
) -> None:
    """Train small Transformers on this device, measure MFU and fit the loss law; write the calibration."""
    from venturesim.model_costs.calibration import calibrate_product as calibrate
    from venturesim.model_costs.calibration import check_output, write_calibration

    try:  # fail before training, not after
        check_output(out, force=force)
    except (FileExistsError, ValueError) as exc:
        errors.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from None

    def progress(i: int, n: int, r) -> None:
        errors.print(
            f"run {i}/{n}: N={r.parameters:,} D={r.tokens:,} loss={r.validation_loss:.3f} "
            f"{r.tokens_per_s:,.0f} tok/s MFU={r.mfu:.1%}",
            highlight=False,
        )

    cal = calibrate(quick=quick, seed=seed, progress=progress)
    table = Table(
        title=f"Calibration runs on {cal.device} ({cal.platform}, peak {cal.peak_flops / 1e12:.3g} TFLOP/s)",
        title_justify="left",
    )
    for column in ("params N", "tokens D", "steps", "tokens/s", "MFU", "train loss", "val loss", "bits/byte"):
        table.add_column(column, justify="right")
    for r in cal.runs:
        table.add_row(
            f"{r.parameters:,}",
            f"{r.tokens:,}",
            f"{r.steps:,}",
            f"{r.tokens_per_s:,.0f}",
            f"{r.mfu:.1%}",
            f"{r.train_loss:.3f}",
            f"{r.validation_loss:.3f}",
            f"{r.bits_per_byte:.3f}",
        )
    console.print(table)
    law = cal.law
    console.print(f"MFU {cal.mfu:.1%} at {cal.tokens_per_s:,.0f} tokens/s ({cal.peak_source})", highlight=False)
    console.print(
        f"loss law (nats/byte): L(N, D) = {law.E:.3f} + {law.A:.4g}/N^{law.alpha:.3f} + {law.B:.4g}/D^{law.beta:.3f}"
        f"  [{cal.law_method}]",
        markup=False,
        highlight=False,
    )
    if cal.law_posterior is not None:
        console.print(
            "posterior 90 % intervals: "
            + ", ".join(f"{k} {v['p5']:.3g}-{v['p95']:.3g}" for k, v in cal.law_posterior.items()),
            highlight=False,
        )
    write_calibration(cal, out, force=force)
    console.print(f"wrote {out}")


if __name__ == "__main__":  # python -m venturesim.cli
    app()
