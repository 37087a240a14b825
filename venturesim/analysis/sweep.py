"""Sweeps: many variants of one scenario as one compiled program, streamed to parquet, resumable, over Dask.

A variant is a set of ``--set`` style overrides of the base scenario (``{"market.segments.smb.price":
30, "company.initial_cash*=": 0.8}``); a sweep's variants come from a grid (every combination of the
listed values), a design (a table, one row per variant, one column per setting: e.g. a Sobol or
Latin hypercube design), or given by name. Every variant runs with the same seed, paths and horizon,
so path i of every variant has the same process noise and the same draws of every input the
variants share (common random numbers; :mod:`venturesim.analysis.compare`), and a variant's figures
are exactly those of ``vs.simulate`` of the variant at that seed.

Variants that only change numbers have Params of one shape and run through one compiled kernel
(:mod:`venturesim.engine.variants`); variants that change shapes (another segment, another round)
form one group per shape, one compilation each.

Each variant's row holds its settings and each statistic with its Monte Carlo standard error
(:class:`~venturesim.analysis.outcomes.Outcome`: default P(alive at the horizon), median and mean ARR
at the horizon, mean founders' ownership at the horizon).

With ``out=FOLDER``, each finished variant is written at once (atomically) as ``part-NNNNN.parquet``
next to ``_sweep.json``, the sweep's definition and its SHA-256 (``pandas.read_parquet(FOLDER)``
reads the table; files starting with ``_`` are skipped). Running the same sweep again resumes: the
finished parts are read, not recomputed. A folder holding another sweep (a changed scenario,
setting, variant, path count, seed, horizon or statistic) is refused unless ``force=True``, which
replaces it; files venturesim did not write are never deleted.

With ``client=`` (a ``dask.distributed.Client``), ``scheduler="tcp://host:8786"`` or ``workers=N``
(a ``LocalCluster`` of N processes), pieces of each shape group (about one per worker) run as Dask
tasks; the rows are the same as in this process. Files a scenario names (draws files) are hashed by
name only.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from venturesim.analysis.outcomes import Outcome, alive, arr, founder_ownership, parse_outcome
from venturesim.spec.errors import OutputError, UsageError

MANIFEST = "_sweep.json"
"""The sweep's definition and hash, in the output folder (a leading ``_``: parquet readers skip it)."""
PART = "part-{:05d}.parquet"
_PART = re.compile(r"part-(\d{5,})\.parquet")
_TEMP = re.compile(r"\..+\.[0-9a-f]{12}\.tmp")  # venturesim._io.atomic_write_bytes' temporary files
FORMAT = 1


@dataclass(frozen=True)
class Variant:
    """One variant: its label and its settings ``{set name: value}`` (a name may end in ``*=``, ``/=``,
    ``+=`` or ``-=``, as in :meth:`venturesim.scenario.schema.Scenario.override`)."""

    label: str
    settings: dict[str, Any]


def make_variants(
    grid: Mapping[str, Sequence[Any]] | None = None,
    design: pd.DataFrame | None = None,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Variant]:
    """The variants of exactly one of ``grid`` (every combination, the last name varying fastest),
    ``design`` (one variant per row) or ``variants`` ({label: settings}).

    Raises
    ------
    UsageError : none or several are given, a grid name has no values, or two variants share a label.
    """
    if sum(x is not None for x in (grid, design, variants)) != 1:
        raise UsageError("give exactly one of grid=, design= or variants=")
    if grid is not None:
        if not grid:
            raise UsageError("grid= names no settings")
        names = list(grid)
        values = [[_plain(v) for v in grid[name]] for name in names]
        empty = [name for name, v in zip(names, values, strict=True) if not v]
        if empty:
            raise UsageError(f"grid setting(s) {', '.join(empty)} have no values")
        chosen = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]
        out = [Variant(_label(s), s) for s in chosen]
    elif design is not None:
        table = pd.DataFrame(design)
        if table.empty or not len(table.columns):
            raise UsageError("design= has no rows or no columns")
        rows = [{str(k): _plain(v) for k, v in row.items()} for row in table.to_dict("records")]
        out = [Variant(_label(s), s) for s in rows]
    else:
        assert variants is not None
        if not variants:
            raise UsageError("variants= is empty")
        out = [Variant(str(label), {str(k): _plain(v) for k, v in s.items()}) for label, s in variants.items()]
    seen: set[str] = set()
    for v in out:
        if v.label in seen:
            raise UsageError(f"two variants are labelled {v.label!r}; every variant needs its own settings or label")
        seen.add(v.label)
    return out


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds (overrides take int and float)."""
    return value.item() if isinstance(value, np.generic) else value


def _label(settings: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}{'' if k.endswith('=') else '='}{_text(v)}" for k, v in settings.items()) or "base"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _cell(value: Any) -> Any:
    """A setting as a table cell: numbers, text and booleans as they are, anything else as JSON text."""
    return value if isinstance(value, (int, float, str, bool)) or value is None else _text(value)


def default_statistics(months: int) -> list[Outcome]:
    """P(alive at the horizon), median and mean ARR at the horizon, mean founders' ownership at the horizon."""
    return [alive(months), arr(months, 0.5), arr(months, None), founder_ownership()]


def variant_row(variant: Variant, result, statistics: Sequence[Outcome]) -> dict[str, Any]:
    """The variant's row: ``variant`` (its label), its settings, and each statistic and its ``… se``."""
    row: dict[str, Any] = {"variant": variant.label}
    row.update({name: _cell(value) for name, value in variant.settings.items()})
    for outcome in statistics:
        value, se = outcome.of(result)
        row[outcome.name], row[f"{outcome.name} se"] = value, se
    return row


def run_settings(
    scenarios: Sequence[Any],
    *,
    paths: int | None,
    seed: int | None,
    months: int | None,
    metrics: str | Sequence[str] | None = None,
) -> tuple[int, int, int, tuple[str, ...]]:
    """(paths, seed, months, metrics) shared by every variant, checked as :func:`venturesim.simulate` checks them.

    paths, seed and months default to the first scenario's ``simulation`` settings; the metrics are
    ``metrics`` (None: the defaults) plus those the scenarios' targets need.

    Raises
    ------
    UsageError : a setting out of range, or a variant's trends cannot run that many months.
    """
    from venturesim.analysis.targets import target_metrics
    from venturesim.engine.metrics import resolve_metrics
    from venturesim.scenario.inputs import trend_problems

    first = scenarios[0].simulation
    paths = first.paths if paths is None else paths
    seed = first.seed if seed is None else seed
    months = first.months if months is None else months
    check_arguments(paths=paths, seed=seed, months=months)
    months = int(months)
    for sc in scenarios:
        overflowing = trend_problems(sc, months) if months > sc.simulation.months else []
        if overflowing:
            raise UsageError(f"{sc.name!r} over {months} months (--months): " + "; ".join(overflowing))
    recorded = tuple(dict.fromkeys([*resolve_metrics(metrics), *(m for sc in scenarios for m in target_metrics(sc))]))
    return int(paths), int(seed), months, recorded


def check_arguments(**settings: Any) -> None:
    """:func:`venturesim.engine.simulate.check_arguments` (imported on use: it imports JAX)."""
    from venturesim.engine.simulate import check_arguments as check

    check(**settings)


def definition_hash(definition: Mapping[str, Any]) -> str:
    """SHA-256 of the definition's canonical JSON (sorted keys)."""
    text = json.dumps(definition, sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _scenario_data(scenario) -> Any:
    try:
        return scenario.model_dump(mode="json")
    except Exception:  # a value JSON cannot hold: its repr is hashed instead
        return scenario.model_dump()


def sweep(
    scenario,
    grid: Mapping[str, Sequence[Any]] | None = None,
    *,
    design: pd.DataFrame | None = None,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    paths: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    metrics: str | Sequence[str] | None = None,
    statistics: Sequence[Outcome | str] | None = None,
    out: str | os.PathLike[str] | None = None,
    resume: bool = True,
    force: bool = False,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run many variants of a scenario on common random numbers; one row per variant.

    Parameters
    ----------
    scenario : a Scenario, a YAML path or a dict (the base every variant overrides).
    grid, design, variants : the variants (exactly one; :func:`make_variants`).
    paths, seed, months : shared by every variant (default: the scenario's ``simulation`` settings).
    metrics : monthly metrics recorded on top of the defaults (names as for :func:`venturesim.simulate`).
    statistics : :class:`~venturesim.analysis.outcomes.Outcome` objects or their text (``"alive@24"``,
        ``"arr@36:p90"``, ``"founder_ownership"``); default :func:`default_statistics`.
    out : folder of parquet parts, one per variant, written as each finishes; resumable.
    resume : with ``out``, read the finished parts of the same sweep instead of running them again.
    force : replace a folder holding another sweep (or, with ``resume=False``, this one).
    client, scheduler, workers : run on Dask: an existing Client, a scheduler address, or a
        LocalCluster of ``workers`` processes (default: this process, no cluster).
    threads : host threads running kernel calls at once (default: one per core).
    progress : called as ``progress(done_variants, total_variants)``.

    Returns
    -------
    pandas.DataFrame
        Columns ``variant``, the settings, and for each statistic its value and ``<name> se``, in the
        variants' order. ``attrs``: paths, seed, months, hash, groups (shape groups run), computed
        (labels run by this call; the others were read from ``out``), units ({statistic: unit}).

    Raises
    ------
    ScenarioError : a setting names no field of the scenario (with the nearest valid name), or a
        variant is invalid; checked for every variant before anything runs.
    UsageError : a setting out of range (paths, seed, months), or bad variants.
    OutputError : ``out`` holds another sweep (and not ``force``), or files venturesim did not write.
    """
    import venturesim as vs

    base = vs.load(scenario)
    chosen = make_variants(grid, design, variants)
    scenarios = [base.override(v.settings) if v.settings else base for v in chosen]  # before JAX is imported
    check_arguments(paths=1, seed=0, months=1, threads=threads, workers=workers)
    from venturesim.engine.metrics import DEFAULT_METRICS, resolve_metrics

    extra = () if metrics is None else resolve_metrics(metrics)
    paths, seed, months, recorded = run_settings(
        scenarios, paths=paths, seed=seed, months=months, metrics=[*DEFAULT_METRICS, *extra]
    )
    late = [s for s in statistics or () if isinstance(s, str) and _month_of(s) > months]
    if late:
        raise UsageError(f"statistic(s) {', '.join(late)} lie after the horizon, month {months} (--months)")
    outcomes = [parse_outcome(s) if isinstance(s, str) else s for s in statistics or ()] or default_statistics(months)
    definition = {
        "format": FORMAT,
        "venturesim": vs.__version__,
        "scenario": _scenario_data(base),
        "variants": [[v.label, v.settings] for v in chosen],
        "paths": paths,
        "seed": seed,
        "months": months,
        "metrics": list(recorded),
        "statistics": [o.name for o in outcomes],
    }
    digest = definition_hash(definition)
    folder = None if out is None else Path(out)
    rows: dict[int, dict[str, Any]] = {}
    if folder is not None:
        rows = open_folder(folder, digest, definition, resume=resume, force=force)
    computed: list[str] = []
    total = len(chosen)

    def keep(i: int, row: dict[str, Any]) -> None:
        rows[i] = row
        if folder is not None:
            write_part(folder, i, row)
        computed.append(chosen[i].label)
        if progress is not None:
            progress(len(rows), total)

    todo = [i for i in range(total) if i not in rows]
    groups = _groups(scenarios, todo, months) if todo else []
    run = {"paths": paths, "seed": seed, "months": months, "metrics": recorded}
    if todo and (client is not None or scheduler is not None or (workers or 1) > 1):
        _run_on_dask(client, scheduler, workers, scenarios, chosen, groups, run, outcomes, keep)
    elif todo:
        run_rows(scenarios, chosen, groups, run, outcomes, keep, threads)
    table = pd.DataFrame([rows[i] for i in range(total)])
    table.attrs.update(
        paths=paths,
        seed=seed,
        months=months,
        hash=digest,
        groups=len(groups),
        computed=computed,
        out=folder,
        units={o.name: o.unit for o in outcomes},
    )
    return table


def _month_of(text: str) -> int:
    """The month an outcome's text names (``arr@36:p90`` → 36), 0 when it names none."""
    match = re.search(r"@(\d+)", text)
    return int(match.group(1)) if match else 0


def _groups(scenarios, todo: list[int], months: int) -> list[list[int]]:
    from venturesim.engine.variants import shape_groups

    return [[todo[j] for j in group] for group in shape_groups([scenarios[i] for i in todo], months)]


def run_rows(
    scenarios: Sequence[Any],
    variants: Sequence[Variant],
    groups: Sequence[Sequence[int]],
    run: Mapping[str, Any],
    statistics: Sequence[Outcome],
    on_row: Callable[[int, dict[str, Any]], None],
    threads: int | None = None,
) -> None:
    """Run the variants of ``groups`` (indices into ``scenarios``), calling ``on_row(index, row)`` as each finishes."""
    from venturesim.engine.variants import run_many

    def on_result(i: int, result) -> None:
        on_row(i, variant_row(variants[i], result, statistics))

    run_many(scenarios, **run, on_result=on_result, threads=threads, groups=groups)


def _piece_rows(scenarios, variants, indices, run, statistics, threads) -> list[tuple[int, dict[str, Any]]]:
    """A Dask task: the rows of ``indices`` (a piece of one shape group)."""
    rows: list[tuple[int, dict[str, Any]]] = []
    run_rows(scenarios, variants, [indices], run, statistics, lambda i, row: rows.append((i, row)), threads)
    return rows


def _run_on_dask(client, scheduler, workers, scenarios, variants, groups, run, statistics, keep) -> None:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    own = client is None
    if client is None:
        if scheduler is not None:
            client = Client(scheduler)
        else:  # as the DES engine's runs (venturesim.engine.des_runner)
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
    try:
        if not groups:
            return
        count = max(1, len(client.scheduler_info().get("workers", {})))
        threads = max(1, (os.cpu_count() or 1) // count) if cluster is not None else None
        pieces = []
        for group in groups:
            size = math.ceil(len(group) / count)
            pieces += [list(group[k : k + size]) for k in range(0, len(group), size)]
        remote = client.scatter(list(scenarios), broadcast=True)
        futures = [
            client.submit(_piece_rows, remote, list(variants), piece, run, list(statistics), threads, pure=False)
            for piece in pieces
        ]
        for _, rows in as_completed(futures, with_results=True):  # written as each piece finishes
            for i, row in rows:
                keep(i, row)
    finally:
        if own:
            client.close()
        if cluster is not None:
            cluster.close()


# ---- the output folder ----------------------------------------------------------------------------------------


def _ours(name: str) -> bool:
    return name == MANIFEST or bool(_PART.fullmatch(name) or _TEMP.fullmatch(name))


def open_folder(
    folder: Path, digest: str, definition: Mapping[str, Any], *, resume: bool, force: bool
) -> dict[int, dict[str, Any]]:
    """Prepare ``folder`` for the sweep ``digest`` and return the rows already finished there ({index: row}).

    A new or empty folder gets the manifest. A folder of the same sweep is resumed (``resume``) or, with
    ``force``, started again; one of another sweep is refused unless ``force`` (then replaced). Files
    venturesim did not write are never deleted: their folder is refused.
    """
    for parent in [folder, *folder.parents]:
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"cannot write {folder}: {parent} is a file, not a folder; choose another --out")
    entries = sorted(folder.iterdir()) if folder.is_dir() else []
    foreign = [e.name for e in entries if not _ours(e.name)]
    if foreign:
        raise OutputError(
            f"refusing to use {folder}: it holds files venturesim did not write ({', '.join(foreign[:5])}"
            f"{', ...' if len(foreign) > 5 else ''}); choose another --out"
        )
    finished: dict[int, dict[str, Any]] = {}
    if entries:
        try:
            old = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("hash")
        except (OSError, ValueError, AttributeError):
            old = None
        if old == digest and resume and not force:
            for entry in entries:
                match = _PART.fullmatch(entry.name)
                if match:
                    part = pd.read_parquet(entry)
                    finished[int(match.group(1))] = part.drop(columns="index").to_dict("records")[0]
            return finished
        if not force:
            why = (
                "it holds this sweep and resume is off"
                if old == digest
                else "it holds another sweep (its scenario, variants, paths, seed, months or statistics differ)"
                if old is not None
                else "it holds sweep parts without their manifest"
            )
            raise OutputError(f"refusing to overwrite {folder}: {why}; pass --force (force=True) to replace it")
        for entry in entries:
            entry.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    from venturesim._io import atomic_write_text

    atomic_write_text(folder / MANIFEST, json.dumps({"hash": digest, **definition}, indent=1, default=repr) + "\n")
    return finished


def write_part(folder: Path, index: int, row: Mapping[str, Any]) -> None:
    """Write one variant's row as ``part-NNNNN.parquet``, atomically."""
    from venturesim._io import atomic_write_bytes

    buffer = io.BytesIO()
    pd.DataFrame([{"index": index, **row}]).to_parquet(buffer, index=False)
    atomic_write_bytes(folder / PART.format(index), buffer.getvalue())
