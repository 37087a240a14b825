r"""Calibrate the product model on the device at hand: train a small grid of
model sizes × token budgets, measure MFU, and fit the loss law to the runs.

Procedure
---------
1. Every grid point (shape, D) is trained from scratch by
   :func:`~venturesim.model_costs.training.train` with its own full
   warm-up + cosine schedule (a run stopped early is not a shorter run: its
   learning rate has not decayed; Hoffmann et al. 2022 §3.1). All runs use the
   same key (common random numbers: same data order, so the differences
   between runs come from N and D, not from the seed).
2. Measured cost: the aggregate MFU of the grid, Σ model FLOPs of the timed
   steps ÷ (peak FLOP/s × Σ their wall time), where model FLOPs are
   6·N + 12·L·H·Q·T per token (PaLM App. B) and the peak is the catalogue's
   (GPU/TPU) or the measured float32 matmul rate (CPU: measured before and
   after the runs, the higher kept); see :mod:`training`.
3. Quality: each run's validation loss L_i (nats per byte = per token) on
   held-out standard-library files; bits per byte = L/ln 2.
4. Law: L(N, D) = E + A/N^α + B/D^β fitted to (N_i, D_i, L_i), with N the
   total parameter count (embeddings included, as Hoffmann et al.) and D the
   tokens trained, by :func:`~venturesim.model_costs.scaling_law.fit_loss_law`
   (Huber δ = 10⁻³ on log loss, L-BFGS from the paper's grid of starts), and,
   (with E kept ≥ :data:`E_FLOOR` when the runs cannot identify it, see
   :func:`fit_point_law`), and, for its uncertainty, by
   :func:`~venturesim.model_costs.scaling_bayes.fit_loss_law_bayes` (NUTS;
   posterior mean, sd and 5/50/95 % quantiles of E, A, B, α, β, and up to
   :data:`KEPT_DRAWS` draws kept for the simulation).

Caveats (documented in docs/model/transformer.md): these are tiny models
(10⁴–10⁶ parameters) on byte-level text for 10⁵–10⁷ tokens, far below the
10⁷–10¹⁰ parameters Chinchilla was fitted on; the D term is dominated by
optimisation (few hundred steps), and E — the loss of an infinite model on
infinite data — is barely identified, so the Bayesian posterior of E is wide
and the point fit's E should not be read as the entropy of Python source. The
law is meant for interpolation near the grid, and to give the simulation a
law whose exponents and uncertainty come from measurement on this machine.
The quick grid spans 14× in N and 10× in D, with several D per N and the
smallest model trained longest, so that both terms are seen; even so the
point fit's E may end at its floor (``law_method`` says so), and the
posterior is then the better description.
"""

from __future__ import annotations

import dataclasses
import json
import math
import platform as _platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from venturesim._io import atomic_write_text, prepare_output_dir
from venturesim.model_costs.scaling_law import LossLaw, fit_loss_law
from venturesim.model_costs.shape import TransformerShape
from venturesim.model_costs.train_records import TrainConfig, TrainReport

if TYPE_CHECKING:
    import jax

E_FLOOR = 1e-3
"""Smallest irreducible loss E (nats/byte) the point fit may return; see :func:`fit_point_law`."""
KEPT_DRAWS = 200
"""Posterior draws of the law kept in a calibration file (thinned evenly)."""
LAW_PARAMETERS = ("E", "A", "B", "alpha", "beta")
FORMAT_VERSION = 2
"""Version 2 adds ``loss_unit`` and ``accelerator``; a version-1 file (always byte-level) reads as nats/byte."""
LOSS_UNIT = "nats/byte"
"""Unit of the calibration runs' losses and of the fitted law: byte-level models on UTF-8 text."""


@dataclass(frozen=True)
class GridPoint:
    """One calibration run: a model shape and a training-token budget."""

    shape: TransformerShape
    tokens: int

    def __post_init__(self) -> None:
        if not isinstance(self.tokens, int) or self.tokens < 1:
            raise ValueError(f"tokens(={self.tokens!r}) must be a positive integer")


def _byte_shape(n_layers: int, d_model: int, n_heads: int, context: int = 64) -> TransformerShape:
    """GPT-2-style shape on bytes (vocabulary 256)."""
    return TransformerShape(n_layers=n_layers, d_model=d_model, n_heads=n_heads, vocab_size=256, context=context)


QUICK_CONFIG = TrainConfig(batch_size=16, seq_len=64, peak_lr=3e-3)
"""Training settings of the quick grid: 1 024 tokens per step."""

QUICK_GRID: tuple[GridPoint, ...] = tuple(
    GridPoint(shape, tokens)
    for shape, budgets in (
        (_byte_shape(1, 16, 2), (150_000, 500_000, 1_500_000)),  # N =   8 432
        (_byte_shape(1, 32, 2), (150_000, 500_000)),  # N =  23 008
        (_byte_shape(2, 64, 4), (150_000, 300_000)),  # N = 120 576
    )
    for tokens in budgets
)
"""Quick grid (≈ 75 s of CPU with the Bayesian fit: benchmarks/calibrate_product_quick.py): 3 sizes (14× in N),
150 k – 1.5 M tokens, 7 runs."""

FULL_CONFIG = TrainConfig(batch_size=32, seq_len=128, peak_lr=2e-3)
"""Training settings of the full grid: 4 096 tokens per step."""

FULL_GRID: tuple[GridPoint, ...] = tuple(
    GridPoint(_byte_shape(L, d, H, 128), tokens)
    for (L, d, H) in ((1, 32, 2), (2, 64, 4), (3, 96, 4), (4, 128, 4))
    for tokens in (500_000, 1_500_000, 4_500_000)
)
"""Full grid: 4 sizes (25 k – 842 k parameters) × 3 budgets (0.5–4.5 M tokens), 12 runs:
6·10¹³ model FLOPs, about an hour on 2 CPU cores at ~15 GFLOP/s, minutes on a GPU."""


@dataclass(frozen=True)
class Calibration:
    """What a calibration measured and fitted.

    Attributes
    ----------
    device, platform : JAX device kind and platform the runs used.
    accelerator : the hardware catalogue's name for the device ("cpu", "h100_sxm", …; None: unknown),
        the accelerator kind whose training runs take this calibration's MFU
        (:mod:`venturesim.model_costs.roadmap`).
    peak_flops, peak_source : device peak FLOP/s used for MFU, and its origin.
    mfu : aggregate model FLOPs utilisation of the grid (module notes, step 2).
    tokens_per_s : aggregate training throughput, tokens/s.
    law : Huber point fit of L(N, D), in ``loss_unit``.
    loss_unit : unit of the losses and the law (:data:`LOSS_UNIT`; see :mod:`~venturesim.model_costs.quality_scale`).
    law_method : how ``law`` was fitted (see :func:`fit_point_law`).
    law_posterior : per law parameter, {"mean", "sd", "p5", "p50", "p95"}; None without the Bayesian fit.
    law_draws : per law parameter, up to KEPT_DRAWS posterior draws; None without it.
    runs : every run's report.
    config : training settings of the runs.
    seed : the seed of the key.
    corpus_bytes, corpus_digest : text budget and SHA-256 of the text used.
    versions : Python, JAX and platform strings.
    """

    device: str
    platform: str
    accelerator: str | None
    peak_flops: float
    peak_source: str
    mfu: float
    tokens_per_s: float
    law: LossLaw
    loss_unit: str
    law_method: str
    law_posterior: dict[str, dict[str, float]] | None
    law_draws: dict[str, tuple[float, ...]] | None
    runs: tuple[TrainReport, ...]
    config: TrainConfig
    seed: int
    corpus_bytes: int
    corpus_digest: str
    versions: dict[str, str]


def _summarise_posterior(posterior) -> tuple[dict[str, dict[str, float]], dict[str, tuple[float, ...]]]:
    summary, draws = {}, {}
    for name in LAW_PARAMETERS:
        values = np.asarray(posterior[name]).ravel()
        p5, p50, p95 = np.quantile(values, [0.05, 0.5, 0.95])
        summary[name] = {
            "mean": float(values.mean()),
            "sd": float(values.std(ddof=1)),
            "p5": float(p5),
            "p50": float(p50),
            "p95": float(p95),
        }
        keep = np.linspace(0, values.size - 1, min(KEPT_DRAWS, values.size)).round().astype(int)
        draws[name] = tuple(float(v) for v in values[keep])
    return summary, draws


def fit_point_law(N, D, loss) -> tuple[LossLaw, str]:
    """Huber point fit of the loss law, with E kept ≥ :data:`E_FLOOR`.

    Runs :func:`~venturesim.model_costs.scaling_law.fit_loss_law`. When the
    runs cannot tell E from the data term (too little curvature: typical of
    tiny grids), its optimum drifts to E → 0; then it is refitted with
    E ≥ E_FLOOR, and the method says that E is not identified.

    Returns
    -------
    (LossLaw, str)
        The law, and how it was fitted: "huber" or "huber, E at its floor ...".
    """
    method = "huber (Hoffmann et al. 2022, delta=1e-3)"
    try:
        law = fit_loss_law(N, D, loss)
    except ValueError:
        law = None
    if law is not None and law.E >= E_FLOOR:
        return law, method
    law = fit_loss_law(N, D, loss, n_starts=16, e_floor=E_FLOOR)
    return law, f"{method}, E at its floor {E_FLOOR}: not identified by these runs"


def calibrate_product(
    grid: tuple[GridPoint, ...] | None = None,
    *,
    quick: bool = False,
    key: jax.Array | None = None,
    seed: int = 0,
    config: TrainConfig | None = None,
    corpus_bytes: int = 4_000_000,
    peak_flops: float | None = None,
    bayes: bool = True,
    bayes_draws: int | None = None,
    bayes_tune: int | None = None,
    bayes_chains: int = 2,
    progress: Callable[[int, int, TrainReport], None] | None = None,
) -> Calibration:
    """Train the grid on the current device and fit the loss law (module notes).

    Parameters
    ----------
    grid : tuple of GridPoint, optional
        Runs (default :data:`QUICK_GRID` if ``quick`` else :data:`FULL_GRID`);
        at least 5 for the point fit.
    quick : bool
        Use the quick grid and settings, and 300 (not 1 000) NUTS draws and tuning steps.
    key : jax.Array, optional
        Key of every run (default ``jax.random.key(seed)``).
    seed : int
        Seed recorded in the result (and used when ``key`` is None).
    config : TrainConfig, optional
        Training settings (default :data:`QUICK_CONFIG` or :data:`FULL_CONFIG`).
    corpus_bytes : int
        Bytes of standard-library source to read (train + validation).
    peak_flops : float, optional
        Device peak FLOP/s for MFU (default: :func:`~venturesim.model_costs.training.device_peak_flops`).
    bayes : bool
        Also run the Bayesian fit (about 30 s: PyMC compiles, then NUTS samples).
    bayes_draws, bayes_tune : int, optional
        NUTS draws and tuning steps per chain (default 300 quick, 1 000 full).
    bayes_chains : int
        NUTS chains.
    progress : callable, optional
        Called as ``progress(i, n, report)`` after run i (1-based) of n.

    Returns
    -------
    Calibration
    """
    import jax  # the training loop: JAX is imported here, not by reading a calibration file

    from venturesim.model_costs.text_data import load_corpus
    from venturesim.model_costs.training import catalogue_name, device_peak_flops, measure_cpu_peak_flops, train

    grid = (QUICK_GRID if quick else FULL_GRID) if grid is None else tuple(grid)
    config = (QUICK_CONFIG if quick else FULL_CONFIG) if config is None else config
    bayes_draws = (300 if quick else 1000) if bayes_draws is None else bayes_draws
    bayes_tune = (300 if quick else 1000) if bayes_tune is None else bayes_tune
    if len(grid) < 5:
        raise ValueError(f"grid has {len(grid)} runs; the loss law has 5 parameters, so at least 5 are needed")
    key = jax.random.key(seed) if key is None else key
    corpus = load_corpus(corpus_bytes)
    device = jax.devices()[0]
    peak, peak_source = device_peak_flops(device) if peak_flops is None else (float(peak_flops), "given")

    runs = []
    for i, point in enumerate(grid, start=1):
        report = train(point.shape, point.tokens, key=key, config=config, corpus=corpus, peak_flops=peak)
        report = dataclasses.replace(report, peak_source=peak_source)
        runs.append(report)
        if progress is not None:
            progress(i, len(grid), report)
    if peak_flops is None and device.platform == "cpu":
        # a shared CPU may have been busy while the peak was measured: measure again after the
        # runs and keep the higher rate (so MFU is not inflated by a low peak)
        again = measure_cpu_peak_flops.__wrapped__()
        if again > peak:
            peak, peak_source = again, peak_source + " (best of before and after the runs)"
            runs = [
                dataclasses.replace(r, peak_flops=peak, peak_source=peak_source, mfu=r.achieved_flops / peak)
                for r in runs
            ]

    N = np.array([r.parameters for r in runs], dtype=float)
    D = np.array([r.tokens for r in runs], dtype=float)
    loss = np.array([r.validation_loss for r in runs])
    law, law_method = fit_point_law(N, D, loss)
    posterior_summary = draws = None
    if bayes:
        from venturesim.model_costs.scaling_bayes import fit_loss_law_bayes

        posterior = fit_loss_law_bayes(N, D, loss, draws=bayes_draws, tune=bayes_tune, chains=bayes_chains, seed=seed)
        posterior_summary, draws = _summarise_posterior(posterior)

    timed_tokens = sum((r.steps - 1) * r.batch_size * r.seq_len for r in runs)
    timed_flops = sum((r.steps - 1) * r.analytic_flops_per_step for r in runs)
    wall = sum(r.wall_s for r in runs)
    return Calibration(
        device=device.device_kind,
        platform=device.platform,
        accelerator=catalogue_name(device),
        peak_flops=float(peak),
        peak_source=peak_source,
        mfu=timed_flops / wall / peak if math.isfinite(peak) else math.nan,
        tokens_per_s=timed_tokens / wall,
        law=law,
        loss_unit=LOSS_UNIT,
        law_method=law_method,
        law_posterior=posterior_summary,
        law_draws=draws,
        runs=tuple(runs),
        config=config,
        seed=seed,
        corpus_bytes=corpus_bytes,
        corpus_digest=corpus.digest,
        versions={"python": _platform.python_version(), "jax": jax.__version__, "machine": _platform.machine()},
    )


def _to_dict(cal: Calibration) -> dict[str, Any]:
    def report(r: TrainReport) -> dict[str, Any]:
        d = dataclasses.asdict(r)
        d["loss_curve"] = list(r.loss_curve)
        return d

    data = {
        "format_version": FORMAT_VERSION,
        "device": cal.device,
        "platform": cal.platform,
        "accelerator": cal.accelerator,
        "peak_flops": cal.peak_flops,
        "peak_source": cal.peak_source,
        "mfu": cal.mfu,
        "tokens_per_s": cal.tokens_per_s,
        "quality_metric": "validation bits per byte = validation loss (nats/byte) / ln 2",
        "loss_unit": cal.loss_unit,
        "law": dataclasses.asdict(cal.law),
        "law_method": cal.law_method,
        "law_posterior": cal.law_posterior,
        "law_draws": None if cal.law_draws is None else {k: list(v) for k, v in cal.law_draws.items()},
        "config": dataclasses.asdict(cal.config),
        "seed": cal.seed,
        "corpus_bytes": cal.corpus_bytes,
        "corpus_digest": cal.corpus_digest,
        "versions": dict(cal.versions),
        "runs": [report(r) for r in cal.runs],
    }
    return data


def _from_dict(data: dict[str, Any]) -> Calibration:
    version = data.get("format_version")
    if version not in (1, FORMAT_VERSION):
        raise ValueError(f"format_version(={version!r}) must be 1 or {FORMAT_VERSION}")
    from venturesim.model_costs.quality_scale import check_unit

    unit = check_unit(data.get("loss_unit", LOSS_UNIT), "calibration file, loss_unit")

    def report(d: dict[str, Any]) -> TrainReport:
        d = dict(d)
        d["shape"] = TransformerShape(**d["shape"])
        d["loss_curve"] = tuple(d["loss_curve"])
        return TrainReport(**d)

    draws = data["law_draws"]
    return Calibration(
        device=data["device"],
        platform=data["platform"],
        accelerator=data.get("accelerator", "cpu" if data["platform"] == "cpu" else None),
        peak_flops=float(data["peak_flops"]),
        peak_source=data["peak_source"],
        mfu=float(data["mfu"]),
        tokens_per_s=float(data["tokens_per_s"]),
        law=LossLaw(**data["law"]),
        loss_unit=unit,
        law_method=data["law_method"],
        law_posterior=data["law_posterior"],
        law_draws=None if draws is None else {k: tuple(v) for k, v in draws.items()},
        runs=tuple(report(r) for r in data["runs"]),
        config=TrainConfig(**data["config"]),
        seed=int(data["seed"]),
        corpus_bytes=int(data["corpus_bytes"]),
        corpus_digest=data["corpus_digest"],
        versions=dict(data["versions"]),
    )


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    raise ValueError(f"calibration file {str(path)!r} must end in .yaml, .yml or .json")


def check_output(path: str | Path, *, force: bool = False) -> Path:
    """Check that ``path`` can take a calibration before spending minutes on one.

    Creates its directory; raises ``ValueError`` for an extension other than
    .yaml/.yml/.json and ``FileExistsError`` when it exists and ``force`` is false.
    """
    path = Path(path)
    _format(path)
    prepare_output_dir(path.parent, [path.name], force)
    return path


def write_calibration(cal: Calibration, path: str | Path, *, force: bool = False) -> Path:
    """Write ``cal`` as YAML (``.yaml``/``.yml``) or JSON (``.json``), atomically.

    The file is written to a temporary sibling and renamed over the target
    (:func:`venturesim._io.atomic_write_text`), so a reader never sees half a file.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``force`` is false (nothing is written).
    ValueError
        For another file extension.
    """
    path = check_output(path, force=force)
    data = _to_dict(cal)
    if _format(path) == "yaml":
        header = (
            "# venturesim product calibration: measured MFU and a loss law L(N, D) = E + A/N^alpha + B/D^beta\n"
            "# fitted to small Transformer runs on this device (see docs/model/transformer.md).\n"
        )
        text = header + yaml.safe_dump(data, sort_keys=False, default_flow_style=None, allow_unicode=True, width=100)
    else:
        text = json.dumps(data, indent=2, allow_nan=True) + "\n"
    atomic_write_text(path, text)
    return path


def load_calibration(path: str | Path) -> Calibration:
    """Read a file written by :func:`write_calibration`."""
    path = Path(path)
    kind = _format(path)
    text = path.read_text("utf-8")
    data = yaml.safe_load(text) if kind == "yaml" else json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return _from_dict(data)
