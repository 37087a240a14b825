"""Command line: ``venturesim run | validate | new | calibrate-product | calibrate | sensitivity``: parses, calls,
prints."""

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

from venturesim import _cache
from venturesim._cache import COMPILE_CACHE_ENV, COMPILE_CACHE_MAX_BYTES, compile_cache_folder, use_compile_cache


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


def report_cache_folder(enabled: bool = True) -> Path | None:
    """Where ``run`` keeps the report's JavaScript bundle between runs (:data:`venturesim.report.html.BUNDLE_FOLDER`):
    beside the compile cache, ``<compile cache>-report``; None when the cache is off."""
    folder = compile_cache_folder() if enabled else None
    return None if folder is None else _cache.report_folder(folder)


def keep_between_runs(report: bool = True, enabled: bool = True) -> None:
    """What every command that simulates keeps between runs, unless ``$VENTURESIM_COMPILE_CACHE`` is ``off`` or
    ``enabled`` is False (``run --no-compile-cache``): the compiled programs (:func:`use_compile_cache`) and, when it
    writes a report, the report's JavaScript bundle (:func:`report_cache_folder`; none kept when not enabled).
    Without it each ``compare``, ``stress``, ``goal-seek``, ``pitch-check`` or ``sensitivity`` compiled its kernel
    again (``stress`` of ``seed_stage_api``, 1,000 paths: 12 s a run)."""
    use_compile_cache(enabled)
    if report:
        from venturesim.report import html

        html.BUNDLE_FOLDER = report_cache_folder(enabled)


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
    from venturesim.report.html import format_value_se

    table = Table(title=title, title_justify="left")
    for column in ("", "metric", ""):
        table.add_column(column, justify="left")
    for column in ("value", "± s.e."):
        table.add_column(column, justify="right")
    previous = None
    for row in summary.itertuples():
        section = row.section if row.section != previous else ""
        previous = row.section
        table.add_row(section, row.metric, row.statistic, *format_value_se(row.value, row.se, row.unit, row.metric))
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
    export: list[str] = typer.Option(
        [],
        "--export",
        help="Also write the paths' inputs and outcomes and the monthly metrics (and a DES run's events) as "
        "csv, parquet or xlsx (repeatable, or a comma list: --export csv,parquet).",
    ),
    chunk_size: int | None = typer.Option(None, "--chunk-size", help="Paths per compiled block (memory bound)."),
    engine: str = typer.Option(
        "jax", "--engine", help="'jax' (fast Monte Carlo) or 'des' (event by event, with an event log)."
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        help="Worker processes. DES: Dask workers (default: all cores; 1: this process). JAX on a CPU: 2 or more "
        "processes, each on one core (faster for large runs; the same numbers; default or 1: this process).",
    ),
    scheduler: str | None = typer.Option(None, "--scheduler", help="DES: address of an existing Dask scheduler."),
    timeline: int | None = typer.Option(None, "--timeline", help="DES: print this path's story."),
    allow_outside_files: bool = typer.Option(
        False,
        "--allow-outside-files",
        help="Let draws files and product.calibration lie outside the scenario's folder.",
    ),
    sampling: str = typer.Option(
        "random", "--sampling", help="Uncertain inputs: 'random' (Monte Carlo), 'lhs' (Latin hypercube), 'sobol'."
    ),
    until_se: float | None = typer.Option(
        None, "--until-se", help="Add batches of paths until each --statistic's SE is at most this (ignores --paths)."
    ),
    statistics: list[str] = typer.Option(
        [], "--statistic", help="With --until-se: alive@M, arr@M[:pNN|:mean], ... (default alive at the horizon)."
    ),
    max_paths: int = typer.Option(1_000_000, "--max-paths", help="With --until-se: the most paths to run."),
    summary_only: bool = typer.Option(
        False,
        "--summary-only",
        help="Stream the paths into the summary's statistics and keep none (memory does not grow with --paths): "
        "print the key figures only, write no files (JAX engine).",
    ),
    compile_cache: bool = typer.Option(
        True,
        "--compile-cache/--no-compile-cache",
        help=f"Keep compiled programs between runs (in ${COMPILE_CACHE_ENV}, default the user's cache folder).",
    ),
) -> None:
    """Simulate a scenario, print the key figures and write summary.json, run.json and report.html
    (and, with --export, paths.*, monthly.* and events.* or results.xlsx)."""
    from venturesim.spec.errors import UsageError

    with clean_errors():
        _say(f"loading {scenario}")
        sc = _load(scenario, overrides, allow_outside_files)  # YAML and --set errors: before JAX is imported
        from venturesim.engine.metrics import resolve_metrics
        from venturesim.engine.simulate import check_arguments
        from venturesim.report.outputs import check_outputs, write_outputs

        settings = sc.simulation
        paths_n = settings.paths if paths is None else paths
        precision: dict[str, object] = {}
        if until_se is not None:  # the progress bar counts up to the cap
            paths_n = max_paths
            precision = {"target_se": until_se, "statistics": statistics or None, "max_paths": max_paths}
        if sampling != "random":
            precision["sampling"] = sampling
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
        from venturesim.report.exports import parse_formats

        export_formats = parse_formats(export)
        if summary_only:
            if engine != "jax" or until_se is not None or export_formats or timeline is not None:
                raise UsageError("--summary-only needs the JAX engine and no --until-se, --export or --timeline")
            _run_summary_only(sc, paths_n, seed, months, metric_list, chunk_size, sampling, compile_cache, workers)
            return
        out_dir = out or Path("out") / scenario.stem
        check_outputs(out_dir, force)  # fail before simulating, not after
        keep_between_runs(report, compile_cache)  # either engine: the DES samples its inputs with JAX too
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
            **precision,
        )
        seconds = time.perf_counter() - start
        _say(f"simulated {result.paths:,} paths × {result.months} months in {seconds:.1f} s; summarising")
        summary = result.summary()
        from venturesim.analysis.summary import CONVENTION, headline

        console.print(headline(result), markup=False, highlight=False)
        console.print(
            summary_table(
                summary,
                f"{sc.name} — {result.paths:,} paths, {result.months} months, seed {result.seed} ({CONVENTION})",
            )
        )
        if not result.convergence.empty:
            from venturesim.analysis.precision import converged

            for row in converged(result).itertuples():
                console.print(
                    f"{row.statistic}: {row.value:,.4g} ± {row.se:,.2g} after {row.paths:,} paths "
                    f"({'within' if row.se <= row.target_se else 'NOT within'} the target SE {row.target_se:g})",
                    markup=False,
                    highlight=False,
                )
        if result.engine == "des":
            causes = result.why_dead()
            if len(causes):
                console.print("Causes of death (share of all paths):")
                for row in causes.itertuples():
                    console.print(f"  {row.share_of_paths:6.1%}  {row.cause}", markup=False, highlight=False)
            if timeline is not None:
                console.print(f"Path {timeline}:", result.timeline(timeline), markup=False, highlight=False)
        plan = None
        if report and result.engine == "jax" and sampling == "random" and until_se is None:
            from venturesim.report.result_charts import STATEMENT_METRICS, base_plan

            if set(STATEMENT_METRICS) <= set(result.metrics):  # the report's P&L shows it next to the median path
                _say("running the base plan (every uncertain input at its median)")
                plan = base_plan(result)
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
            exports=export_formats,
            plan=plan,
        )
        console.print(f"simulated in {seconds:.1f} s; wrote " + ", ".join(str(p) for p in written.values()))


def _run_summary_only(sc, paths, seed, months, metrics, chunk_size, sampling, compile_cache, workers) -> None:
    """``run --summary-only``: a streaming run (``simulate(..., keep="summary")``); print its summary table."""
    from venturesim.analysis.summary import CONVENTION

    use_compile_cache(compile_cache)
    start = time.perf_counter()
    _say(f"simulating {paths:,} paths with the jax engine, keeping their summary only")
    summary = _simulate_with_progress(
        sc,
        paths=paths,
        seed=seed,
        months=months,
        metrics=metrics,
        chunk_size=chunk_size,
        sampling=sampling,
        keep="summary",
        workers=workers,
    )
    seconds = time.perf_counter() - start
    title = f"{sc.name} — {summary.paths:,} paths, {summary.months} months, seed {summary.seed} ({CONVENTION})"
    console.print(summary_table(summary.summary(), title))
    console.print(
        f"simulated in {seconds:.1f} s; --summary-only: the paths were not kept, so no report or files were "
        "written, and the exits', returns', dashboard and targets' rows are left out (run without it for them)",
        markup=False,
        highlight=False,
    )


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
        if sc.product is not None:
            from venturesim.model_costs.models import describe_starting_quality

            console.print(
                f"  product: {describe_starting_quality(sc.product)}", markup=False, highlight=False, soft_wrap=True
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


@app.command()
def cache(
    clear: bool = typer.Option(False, "--clear", help="Remove the kept files (only those venturesim and JAX wrote)."),
) -> None:
    """Show the folders where compiled programs are kept between runs, with their sizes; --clear empties them."""
    from rich.markup import escape

    from venturesim.spec.errors import OutputError

    folder = compile_cache_folder()
    if folder is None:
        console.print(f"the compile cache is off (${COMPILE_CACHE_ENV}=off): nothing is kept between runs")
        return
    table = Table(title="Removed" if clear else "Kept between runs")
    for column in ("what", "folder", "files", "size"):
        table.add_column(column, justify="right" if column in ("files", "size") else "left", overflow="fold")
    others = []
    with clean_errors():
        for kept in _cache.kept_folders(folder):
            try:
                use = _cache.clear(kept) if clear else _cache.usage(kept)
            except OSError as exc:
                raise OutputError(f"could not clear {kept.path}: {exc.strerror or exc}") from None
            table.add_row(kept.what, escape(str(kept.path)), f"{use.files:,}", f"{use.bytes / 1e6:,.1f} MB")
            if use.others:
                others.append(f"{kept.path}: {use.others} other file(s), not venturesim's, left alone")
    console.print(table)
    for line in others:
        console.print(line, markup=False, highlight=False)
    if not clear:
        console.print(
            f"JAX keeps its folder under {COMPILE_CACHE_MAX_BYTES / 1024**3:.0f} GiB and the traced kernels under "
            f"{_cache.PROGRAMS_MAX_BYTES / 1024**2:.0f} MB, least recently used first; `venturesim cache --clear` "
            "empties them (the next run compiles again)."
        )


@app.command("calibrate-product")
def calibrate_product(
    quick: bool = typer.Option(
        False,
        "--quick",
        help="Small grid: 7 runs and a short Bayesian fit, about 75 s of CPU: under 2 minutes on 2 idle CPU cores "
        "(longer when other work shares them; docs/performance.md).",
    ),
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

    start = time.perf_counter()

    def progress(i: int, n: int, r) -> None:  # no MFU here: on a CPU the peak is measured again after the runs
        errors.print(
            f"run {i}/{n}: N={r.parameters:,} D={r.tokens:,} loss={r.validation_loss:.3f} {r.tokens_per_s:,.0f} tok/s",
            highlight=False,
        )

    cal = calibrate(quick=quick, seed=seed, progress=progress)
    table = Table(title=f"Calibration runs on {cal.device} ({cal.platform})", title_justify="left")
    for column in ("params N", "tokens D", "steps", "tokens/s", "val loss", "bits/byte"):
        table.add_column(column, justify="right")
    for r in cal.runs:
        table.add_row(
            f"{r.parameters:,}",
            f"{r.tokens:,}",
            f"{r.steps:,}",
            f"{r.tokens_per_s:,.0f}",
            f"{r.validation_loss:.3f}",
            f"{r.bits_per_byte:.3f}",
        )
    console.print(table)
    law = cal.law
    console.print(
        f"MFU {cal.mfu:.1%} at {cal.tokens_per_s:,.0f} tokens/s: model FLOPs (6N + 12LHQT per token) / "
        f"(peak {cal.peak_flops / 1e12:.3g} TFLOP/s x time); peak {cal.peak_source}; "
        f"sets the MFU of runs on {cal.accelerator or 'no catalogue accelerator'} that give none",
        highlight=False,
    )
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
    console.print(
        "a scenario takes the exponents alpha, beta (one posterior draw per path); the level (nats/byte of tiny "
        "byte-level models) is anchored to the published Chinchilla law at 70B/1.4T (model_costs.quality_scale)",
        highlight=False,
    )
    write_calibration(cal, out, force=force)
    console.print(f"wrote {out} in {time.perf_counter() - start:.0f} s", highlight=False)


# ---- analyses (venturesim.analysis: sensitivity) -------------------------------------------------------


def _table(frame, title: str, columns: dict[str, str]) -> Table:
    """A rich table of ``frame``'s chosen columns ({column: number format or "" for text})."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        text = not columns[column]
        table.add_column(column, justify="left" if text else "right", overflow="fold" if text else "ellipsis")
    for row in frame.itertuples(index=False):
        table.add_row(
            *(str(getattr(row, c)) if not fmt else format(float(getattr(row, c)), fmt) for c, fmt in columns.items())
        )
    return table


SENSITIVITY_METHODS = ("tornado", "importance", "sobol", "split")


@app.command()
def sensitivity(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    outcome: str | None = typer.Option(
        None,
        "--outcome",
        help="alive@M, arr@M[:pNN|:mean], cash@M[:pNN|:mean], founder_proceeds or moic:ROUND "
        "(default: alive at the horizon).",
    ),
    methods: str = typer.Option(
        "importance,tornado,split", "--method", help="Comma-separated: tornado, importance, sobol, split, or all."
    ),
    inputs: list[str] = typer.Option(
        [], "--input", help="An input by its --set name (repeatable; default: the --top by rank importance)."
    ),
    top: int = typer.Option(10, "--top", help="Inputs studied when none is named."),
    paths: int = typer.Option(4096, "--paths", "-n", help="Paths per run (tornado, importance, split)."),
    base_samples: int = typer.Option(4096, "--base-samples", help="Sobol: base samples N (N·(D+3) paths)."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed (default: the scenario's)."),
    months: int | None = typer.Option(None, "--months", help="Horizon in months (default: the scenario's)."),
    overrides: list[str] = typer.Option([], "--set", help="Override or shock (repeatable)."),
    html_out: Path | None = typer.Option(None, "--html", help="Write the charts to this HTML file."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --html file."),
) -> None:
    """Which uncertain inputs move an outcome: tornado, rank importance, Sobol indices, luck vs inputs."""
    from venturesim.analysis import sensitivity as sens
    from venturesim.engine.simulate import check_arguments
    from venturesim.report import analysis_charts as charts
    from venturesim.spec.errors import UsageError

    with clean_errors():
        chosen = list(SENSITIVITY_METHODS) if methods == "all" else [m.strip() for m in methods.split(",")]
        wrong = [m for m in chosen if m not in SENSITIVITY_METHODS]
        if wrong:
            raise UsageError(f"--method: {', '.join(wrong)} not one of {', '.join(SENSITIVITY_METHODS)} or all")
        if html_out is not None and html_out.exists() and not force:
            raise UsageError(f"{html_out} exists; pass --force to replace it")
        sc = _load(scenario, overrides)
        seed = sc.simulation.seed if seed is None else seed
        months_n = sc.simulation.months if months is None else months
        check_arguments(paths=paths, seed=seed, months=months_n)
        check_arguments(paths=base_samples, seed=seed, months=months_n)
        keep_between_runs(html_out is not None)
        start = time.perf_counter()
        run = sens.runner(sc, paths=paths, seed=seed, months=months_n)
        target = sens._outcome(outcome, run.months)
        figures: dict = {}
        names = list(inputs) or None
        needs_names = names is None and ("tornado" in chosen or "sobol" in chosen)
        if "importance" in chosen or needs_names:
            table = sens.importance(run.run(None), target)
            if needs_names:
                names = list(table["input"][:top])
            if "importance" in chosen:
                console.print(
                    _table(
                        table,
                        f"Rank importance for {target.name} ({paths:,} paths)",
                        {"input": "", "rank_correlation": "+.3f", "se": ".3f", "contribution": ".1%"},
                    )
                )
                figures["Rank importance"] = charts.plot_importance(table)
        if "tornado" in chosen:
            table = sens.tornado(sc, target, names, paths=paths, seed=seed, months=months_n)
            console.print(
                _table(
                    table,
                    f"Tornado for {target.name}: base {table.attrs['base']:,.4g} ± {table.attrs['base_se']:,.2g}",
                    {
                        "input": "",
                        "input_low": ",.4g",
                        "input_high": ",.4g",
                        "outcome_low": ",.4g",
                        "outcome_high": ",.4g",
                        "swing": "+,.4g",
                        "swing_se": ",.2g",
                    },
                )
            )
            figures["Tornado"] = charts.plot_tornado(table)
        if "sobol" in chosen:
            table = sens.sobol(sc, target, names, base_samples=base_samples, seed=seed, months=months_n)
            console.print(
                _table(
                    table,
                    f"Sobol indices for {target.name} ({table.attrs['evaluations']:,} paths; ± 95 % half-widths)",
                    {"factor": "", "S1": ".3f", "S1_conf": ".3f", "ST": ".3f", "ST_conf": ".3f"},
                )
            )
            figures["Sobol indices"] = charts.plot_sobol(table)
        if "split" in chosen:
            table = sens.spread_split(sc, target, paths=paths, seed=seed, months=months_n)
            console.print(
                _table(
                    table, f"Where the spread of {target.name} comes from", {"source": "", "share": ".1%", "se": ".1%"}
                )
            )
            figures["Parameter uncertainty vs luck"] = charts.plot_spread_split(table)
        seconds = time.perf_counter() - start
        console.print(f"analysed in {seconds:.1f} s")
        if html_out is not None:
            import pandas as pd

            from venturesim.report import render_report

            empty = pd.DataFrame(columns=["section", "metric", "statistic", "value", "se", "unit"])
            page = render_report(
                f"{sc.name}: sensitivity of {target.name}",
                sc.description,
                empty,
                figures,
                notes=[
                    f"seed {seed}, {months_n} months, {paths:,} paths a run",
                    *(f"override: {o}" for o in overrides),
                ],
            )
            html_out.parent.mkdir(parents=True, exist_ok=True)
            html_out.write_text(page, encoding="utf-8")
            console.print(f"wrote {html_out}")


from venturesim.calibrate._cli import calibrate_app  # noqa: E402 - needs this module's helpers defined first

app.add_typer(calibrate_app, name="calibrate")


# ---- what-if analyses: compare, stress, goal-seek, pitch-check, inputs, show-input (issue 16) -------------------

ANALYSIS_FILES = frozenset({"table.json", "report.html"})
"""What compare, stress and pitch-check write to their output folder."""


def _write_analysis(out: Path, force: bool, table, html: str | None) -> None:
    """Write table.json (and report.html) as the folder ``out`` (see :func:`venturesim._io.write_folder`)."""
    import json

    from venturesim._io import write_folder

    records = [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in table.to_dict(orient="records")
    ]
    files = {"table.json": json.dumps(records, indent=2, default=str) + "\n"}
    if html is not None:
        files["report.html"] = html
    written = write_folder(out, files, force, ANALYSIS_FILES)
    console.print("wrote " + ", ".join(str(p) for p in written.values()))


def _comparison_table(comparison, title: str) -> Table:
    """A rich table of a Comparison: one row per figure and variant, value ± SE and the difference from the
    baseline ± its common-random-numbers SE (and the SE two independent runs would have had)."""
    from venturesim.analysis.compare import MONEY_CONVENTION
    from venturesim.report import format_number

    table = Table(title=f"{title} ({MONEY_CONVENTION})", title_justify="left")
    for column, justify in (
        ("figure", "left"),
        ("variant", "left"),
        ("value", "right"),
        ("± s.e.", "right"),
        ("− baseline", "right"),
        ("± s.e. (CRN)", "right"),
        ("(independent)", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    previous = None
    for row in comparison.table().itertuples():
        first = row.figure != previous
        previous = row.figure
        table.add_row(
            str(row.figure) if first else "",
            str(row.variant),
            format_number(row.value, row.unit),
            format_number(row.se, row.unit),
            "" if row.variant == comparison.baseline else format_number(row.difference, row.unit),
            "" if row.variant == comparison.baseline else format_number(row.se_difference, row.unit),
            "" if row.variant == comparison.baseline else format_number(row.se_independent, row.unit),
            end_section=row.variant == list(comparison.results)[-1],
        )
    return table


_VERDICTS = {
    "dominates": "first-order dominates",
    "dominated": "is first-order dominated by",
    "same": "is indistinguishable from",
    "neither": "neither dominates nor is dominated by",
}


def _print_dominance(comparison) -> None:
    for row in comparison.dominance().itertuples():
        console.print(
            f"{row.outcome}: {row.variant!r} {_VERDICTS[row.verdict]} {comparison.baseline!r} "
            f"(CDF gaps {row.gap_up:.3f} up, {row.gap_down:.3f} down; tolerance {row.tolerance:.3f})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def _short(value: float) -> str:
    """A number in at most 4 significant digits, with thousands separators from 1,000 on."""
    return f"{value:,.0f}" if abs(value) >= 1_000 else f"{value:.4g}"


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


@app.command()
def compare(
    scenarios: list[Path] = typer.Argument(..., help="Scenario YAML files; the first is the baseline."),
    overrides: list[str] = typer.Option([], "--set", help="Override applied to every scenario (repeatable)."),
    variants: list[str] = typer.Option(
        [],
        "--variant",
        help="Add the first scenario with overrides as a variant: 'NAME: PATH*=K; PATH=V' (repeatable).",
    ),
    claims: list[str] = typer.Option([], "--claim", help="Also compare P(claim), e.g. 'ARR >= $1M by month 24'."),
    paths: int | None = typer.Option(None, "--paths", "-n", help="Monte Carlo paths (default: the first's)."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed shared by every variant."),
    months: int | None = typer.Option(None, "--months", help="Horizon in months."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output folder (default: out/compare-<first>)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder."),
    report: bool = typer.Option(True, "--report/--no-report", help="Write the HTML report."),
) -> None:
    """Compare scenarios (strategies, shocks) on common random numbers: figures, differences, dominance."""
    from venturesim._io import check_output_dir
    from venturesim.analysis.compare import compare as run_compare
    from venturesim.spec.errors import UsageError

    with clean_errors():
        loaded: dict = {}
        for path in scenarios:
            name = path.stem if path.stem not in loaded else f"{path.stem}-{len(loaded) + 1}"
            loaded[name] = _load(path, overrides)
        for text in variants:
            name, sep, changes = text.partition(":")
            if not sep or not name.strip() or not changes.strip():
                raise UsageError(f"--variant {text!r}: expected 'NAME: OVERRIDE; OVERRIDE'")
            base = next(iter(loaded.values()))
            loaded[name.strip()] = base.override([c.strip() for c in changes.split(";") if c.strip()])
        out_dir = out or Path("out") / f"compare-{scenarios[0].stem}"
        check_output_dir(out_dir, ANALYSIS_FILES, force)
        keep_between_runs(report)
        comparison = run_compare(loaded, paths=paths, seed=seed, months=months, claims=claims)
        first = comparison.results[comparison.baseline]
        title = f"{len(loaded)} variants, {first.paths:,} paths, seed {first.seed}, CRN"
        console.print(_comparison_table(comparison, title))
        _print_dominance(comparison)
        _write_analysis(out_dir, force, comparison.table(), comparison.report("Comparison") if report else None)


@app.command()
def sweep(
    scenario: Path = typer.Argument(..., help="Scenario YAML file (the base every variant overrides)."),
    grid: list[str] = typer.Option(
        [],
        "--grid",
        help="A setting and its values: NAME=V1,V2,... or NAME*=K1,K2,... (repeatable; every combination).",
    ),
    design: Path | None = typer.Option(None, "--design", help="CSV: one variant per row, one setting per column."),
    overrides: list[str] = typer.Option([], "--set", help="Override applied to the base first (repeatable)."),
    statistics: list[str] = typer.Option(
        [], "--stat", help="Statistic per variant, e.g. alive@24, arr@36:p90 (default: survival, ARR, ownership)."
    ),
    paths: int | None = typer.Option(None, "--paths", "-n", help="Monte Carlo paths per variant."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed shared by every variant."),
    months: int | None = typer.Option(None, "--months", help="Horizon in months."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder of parquet parts (resumable); none by default."),
    force: bool = typer.Option(False, "--force", help="Replace a folder holding another sweep."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Run on this Dask scheduler (tcp://host:8786)."),
    workers: int | None = typer.Option(None, "--workers", help="Run on a local Dask cluster of this many processes."),
) -> None:
    """Run many variants of a scenario (a grid or a design) as one compiled program, on common random numbers."""
    from venturesim.scenario.overrides import parse_value
    from venturesim.spec.errors import UsageError

    with clean_errors():
        settings: dict[str, list] = {}
        for text in grid:
            equals = text.find("=")
            start = equals - 1 if equals > 0 and text[equals - 1] in "*/+-" else equals
            name, values = text[:start].strip(), [v.strip() for v in text[equals + 1 :].split(",")]
            if equals < 0 or not name or not all(values):
                raise UsageError(f"--grid {text!r}: expected NAME=V1,V2,... or NAME*=K1,K2,...")
            settings[name + (text[start:equals] + "=" if start < equals else "")] = [parse_value(v) for v in values]
        if bool(settings) == (design is not None):
            raise UsageError("give --grid NAME=V1,V2,... (repeatable) or --design FILE.csv, not both")
        table_in = None
        if design is not None:
            import pandas as pd

            try:
                table_in = pd.read_csv(design)
            except (OSError, ValueError) as exc:
                raise UsageError(f"--design {design}: cannot read it as CSV: {exc}") from None
        sc = _load(scenario, overrides)
        from venturesim.analysis.sweep import make_variants
        from venturesim.analysis.sweep import sweep as run_sweep

        sc.override(make_variants(settings or None, table_in)[0].settings)  # a misspelled name: before JAX loads

        use_compile_cache()  # a later sweep (or run) of the same shapes reads the compiled kernel back
        columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with _resumable(out), Progress(*columns, console=errors, transient=True) as bar:
            task = bar.add_task("compiling + first variant", total=None)
            result = run_sweep(
                sc,
                settings or None,
                design=table_in,
                statistics=statistics or None,
                paths=paths,
                seed=seed,
                months=months,
                out=out,
                force=force,
                scheduler=scheduler,
                workers=workers,
                progress=lambda done, total: bar.update(task, completed=done, total=total, description="variants"),
            )
        console.print(_sweep_table(result, f"{len(result)} variants of {sc.name}"))
        if out is not None:
            done = len(result) - len(result.attrs["computed"])
            message = f"parts in {out}" + (f" ({done} read back from an earlier run)" if done else "")
            console.print(message, markup=False, highlight=False, soft_wrap=True)


@contextmanager
def _resumable(out: Path | None):
    """On Ctrl-C, say what a sweep kept (its finished parts) and how to go on, and exit with 130."""
    try:
        yield
    except KeyboardInterrupt:
        if out is None:
            raise
        errors.print("[bold red]interrupted[/]: ", end="")
        errors.print(f"the finished variants are in {out}; the same command resumes from them", markup=False)
        _leave_now(130)
        raise typer.Exit(130) from None


def _sweep_table(result, title: str) -> Table:
    """A rich table of a sweep: one row per variant (its settings, or its label when it has none), each statistic
    as value ± SE."""
    from venturesim.report import format_number

    a = result.attrs
    table = Table(title=f"{title}: {a['paths']:,} paths, {a['months']} months, seed {a['seed']}, CRN")
    units = a["units"]
    settings = [c for c in result.columns if c != "variant" and c not in units and c[:-3] not in units]
    for name in settings or ["variant"]:
        table.add_column(name, overflow="fold")
    for name in units:
        table.add_column(name, justify="right", no_wrap=True)
    for _, row in result.iterrows():
        cells = [f"{format_number(row[n], u)} ± {format_number(row[n + ' se'], u)}" for n, u in units.items()]
        table.add_row(*(_setting(row[n]) for n in settings or ["variant"]), *cells)
    return table


def _setting(value) -> str:
    """A setting's value in a table cell: whole numbers with thousands separators, others in 4 digits."""
    if (isinstance(value, float) and value.is_integer()) or (isinstance(value, int) and not isinstance(value, bool)):
        return f"{int(value):,}"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


@app.command()
def stress(
    scenario: Path | None = typer.Argument(None, help="Scenario YAML file."),
    packs: str | None = typer.Option(None, "--pack", help="Comma-separated stress packs (see --list)."),
    percentiles: list[str] = typer.Option(
        [], "--percentile", help="Force this uncertain input into its worst decile (repeatable)."
    ),
    list_packs: bool = typer.Option(False, "--list", help="List the stress packs and their sources, then stop."),
    overrides: list[str] = typer.Option([], "--set", help="Override applied to the base and every variant."),
    claims: list[str] = typer.Option([], "--claim", help="Also compare P(claim)."),
    paths: int | None = typer.Option(None, "--paths", "-n", help="Monte Carlo paths (default: the scenario's)."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed shared by every variant."),
    months: int | None = typer.Option(None, "--months", help="Horizon in months."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output folder (default: out/stress-<scenario>)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder."),
    report: bool = typer.Option(True, "--report/--no-report", help="Write the HTML report."),
) -> None:
    """Base case against stress packs (funding winter, price war, ...) and worst-decile inputs, in one table."""
    from venturesim._io import check_output_dir
    from venturesim.analysis.stress import get_pack, stress_packs
    from venturesim.analysis.stress import stress as run_stress
    from venturesim.spec.errors import UsageError

    with clean_errors():
        if list_packs:
            for pack in stress_packs().values():
                console.print(f"[bold]{pack.name}[/]: {pack.title}. {pack.description}", soft_wrap=True)
                for text in pack.overrides:
                    console.print(f"    {text}", markup=False, highlight=False, soft_wrap=True)
                for risk, month in pack.force_risks.items():
                    console.print(
                        f"    risk {risk} strikes in month {month}", markup=False, highlight=False, soft_wrap=True
                    )
                console.print(f"    source: {pack.source}", markup=False, highlight=False, soft_wrap=True)
            return
        chosen = [get_pack(name) for name in _split(packs)]
        if scenario is None:
            raise UsageError("give the scenario file (or --list to see the packs)")
        if not chosen and not percentiles:
            raise UsageError("give --pack NAME[,NAME] and/or --percentile INPUT (--list shows the packs)")
        sc = _load(scenario, overrides)
        out_dir = out or Path("out") / f"stress-{scenario.stem}"
        check_output_dir(out_dir, ANALYSIS_FILES, force)
        keep_between_runs(report)
        comparison = run_stress(
            sc, chosen, percentiles=percentiles, paths=paths, seed=seed, months=months, claims=claims
        )
        first = comparison.results["base"]
        title = f"Stress test of {sc.name}: {first.paths:,} paths, seed {first.seed}"
        console.print(_comparison_table(comparison, title))
        _print_dominance(comparison)
        for note in comparison.notes:
            console.print(f"  {note}", markup=False, highlight=False, soft_wrap=True)
        html = comparison.report(f"Stress test: {sc.name}") if report else None
        _write_analysis(out_dir, force, comparison.table(), html)


@app.command("goal-seek")
def goal_seek_command(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    vary: str = typer.Option(..., "--vary", help="The input to vary, e.g. market.segments.developers.price."),
    between: str = typer.Option(..., "--between", help="LOW,HIGH: the bracket of x."),
    claim: str = typer.Option("alive at month 36", "--claim", help="The claim whose probability is sought."),
    target: float = typer.Option(0.5, "--target", help="The probability aimed at, in (0, 1)."),
    op: str = typer.Option("*=", "--op", help="How x acts on the input: '=' sets it, '*=' scales, '+=' shifts."),
    overrides: list[str] = typer.Option([], "--set", help="Overrides applied first (repeatable)."),
    paths: int | None = typer.Option(None, "--paths", "-n", help="Monte Carlo paths per evaluation."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed shared by every evaluation."),
    months: int | None = typer.Option(None, "--months", help="Horizon in months."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Also write table.json and report.html here."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder."),
) -> None:
    """Reverse stress test: the value of an input at which P(claim) crosses the target (common random numbers)."""
    from venturesim._io import check_output_dir
    from venturesim.analysis.goal_seek import goal_seek
    from venturesim.spec.errors import UsageError

    with clean_errors():
        try:
            lo, hi = (float(v) for v in between.split(","))
        except ValueError:
            raise UsageError(f"--between {between!r}: expected LOW,HIGH such as 0.3,1.2") from None
        sc = _load(scenario, overrides)
        if out is not None:
            check_output_dir(out, ANALYSIS_FILES, force)
        keep_between_runs(out is not None)
        answer = goal_seek(sc, vary, claim, target, (lo, hi), op=op, paths=paths, seed=seed, months=months)
        for row in answer.trace.sort_values("x").itertuples():
            console.print(
                f"  {vary} {op} {row.x:<12.6g} P({answer.claim.label}) = {row.value:6.1%} ± {row.se:.1%}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        console.print(
            f"P({answer.claim.label}) = {target:.0%} at {vary} {op} {answer.value:.6g} "
            f"(± {answer.se:.3g} s.e.; 95 % interval {answer.low:.6g} to {answer.high:.6g})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        if out is not None:
            _write_analysis(out, force, answer.trace, answer.report(sc.name))


@app.command("pitch-check")
def pitch_check_command(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    claims_file: Path = typer.Argument(..., help="Claims YAML file (claims: [sentences])."),
    overrides: list[str] = typer.Option([], "--set", help="Overrides (repeatable)."),
    paths: int | None = typer.Option(None, "--paths", "-n", help="Monte Carlo paths (default: the scenario's)."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed."),
    months: int | None = typer.Option(None, "--months", help="Horizon in months."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output folder (default: out/pitch-<scenario>)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder."),
    report: bool = typer.Option(True, "--report/--no-report", help="Write the HTML report."),
) -> None:
    """The probability of each claim of a pitch, all of them together, and the inputs they need."""
    from venturesim._io import check_output_dir
    from venturesim.analysis.pitch import load_claims, pitch_check

    with clean_errors():
        sc = _load(scenario, overrides)
        parsed = load_claims(claims_file, sc)
        out_dir = out or Path("out") / f"pitch-{scenario.stem}"
        check_output_dir(out_dir, ANALYSIS_FILES, force)
        keep_between_runs(report)
        check = pitch_check(sc, parsed, paths=paths, seed=seed, months=months)
        table = Table(title=f"Pitch check of {sc.name}: {check.result.paths:,} paths", title_justify="left")
        for column, justify in (("claim", "left"), ("probability", "right"), ("± s.e.", "right")):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for row in check.table().itertuples():
            table.add_row(row.claim, f"{row.probability:.1%}", f"{row.se:.1%}")
        console.print(table)
        inputs = check.inputs().head(8)
        if len(inputs):
            n = int(inputs["paths"].iloc[0])
            console.print(
                f"Inputs the claims need (on the {n:,} paths where all claims hold, against all paths; "
                "most shifted first):",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            if n < 50:
                console.print(
                    f"  (only {n} paths: too few for a reliable picture; run more paths)", markup=False, highlight=False
                )
            for row in inputs.itertuples():
                console.print(
                    f"  {row.input}: median {_short(row.median)} vs prior {_short(row.prior_median)} "
                    f"(the prior's p{100 * row.median_percentile:.0f}; KS distance {row.ks:.2f})",
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
        _write_analysis(out_dir, force, check.table(), check.report(f"Pitch check: {sc.name}") if report else None)


@app.command()
def inputs(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    overrides: list[str] = typer.Option([], "--set", help="Overrides (repeatable)."),
) -> None:
    """List every uncertain assumption with its p5, p50 and p95 (an assumptions register)."""
    from venturesim.analysis.input_preview import input_quantiles

    with clean_errors():
        sc = _load_scenario_only(scenario, overrides)
        frame = input_quantiles(sc)
        width = max([5, *(len(n) for n in frame["input"])])
        console.print(f"Uncertain inputs of {sc.name} ({len(frame)}):", markup=False, highlight=False, soft_wrap=True)
        console.print(f"{'input':<{width}} {'p5':>12} {'p50':>12} {'p95':>12}  distribution", soft_wrap=True)
        for row in frame.itertuples():
            console.print(
                f"{row.input:<{width}} "
                + " ".join(f"{_short(v):>12}" for v in (row.p5, row.p50, row.p95))
                + f"  {row.distribution}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )


@app.command("show-input")
def show_input(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    name: str = typer.Argument(..., help="The input, e.g. market.segments.developers.churn."),
    overrides: list[str] = typer.Option([], "--set", help="Overrides (repeatable)."),
) -> None:
    """Print one input's distribution: quantiles and a small text histogram."""
    from venturesim.analysis.input_preview import describe_input

    with clean_errors():
        sc = _load_scenario_only(scenario, overrides)
        console.print(describe_input(sc, name), markup=False, highlight=False, soft_wrap=True)


def _load_scenario_only(path: Path, overrides: list[str]):
    """Load a scenario without the simulation engines (no JAX needed to read one)."""
    from venturesim.scenario.loader import load

    scenario = load(path)
    return scenario.override(overrides) if overrides else scenario


if __name__ == "__main__":  # python -m venturesim.cli
    app()
