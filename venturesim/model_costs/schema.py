"""Scenario schema of what the model costs: the monthly compute line, and the
product roadmap — training runs, the competing frontier, serving.

A scenario's ``product`` section says which models the startup trains (size N
in parameters, D tokens, on which accelerators), how the loss each run reaches
compares with the competing frontier model (the quality gap), and what serving
a token costs. The engines turn it into cash spent on training, release
dates, and the quality gap that moves adoption, churn and price
(docs/model/product.md, "Quality and the business model").
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from venturesim.model_costs.quality_scale import BYTES_PER_TOKEN
from venturesim.spec._base import Model, Name, unique_names
from venturesim.spec.distributions import bounded, uncertain
from venturesim.spec.timeseries import TimeVarying, Trend


class Compute(Model):
    """Compute spend on experiments and infrastructure, as a monthly line."""

    monthly_spend: bounded(TimeVarying, ge=0) = Field(
        0.0,
        description="Accelerator rental and other compute per month outside the training runs "
        "of the product roadmap, USD (a trend with negative growth models falling GPU prices).",
    )


DEFAULT_TRAINING_MFU = 0.35
"""MFU of a training run that gives none, when no calibration measured its accelerator: between
Gopher's 32.5 % and PaLM's 46.2 % (PaLM Table 3), nanoGPT's ≈ 37 % on an A100."""


LLAMA3_INTERRUPTIONS_PER_1000_DAYS = 419 / (54 * 16_384) * 1000
"""Unexpected interruptions per 1,000 accelerator-days: 419 in a 54-day
pre-training snapshot on 16,384 H100s (Llama 3, Dubey et al. 2024, §3.3.4)
≈ 0.47."""


def _known_accelerator(name: str) -> str:
    from venturesim.model_costs.hardware import accelerator

    try:
        accelerator(name)
    except KeyError as exc:  # the catalogue's message has the "did you mean" hint
        raise ValueError(exc.args[0]) from None
    return name


AcceleratorName = Annotated[str, AfterValidator(_known_accelerator)]


class TrainingRun(Model):
    """One pre-training run or fine-tune on the roadmap.

    A run is submitted at ``month``, waits in line for a cluster slot (runs
    take slots in the order listed), trains for FLOPs / (peak · MFU · n)
    plus ``restart_hours`` per interruption, and — unless it fails — is
    released ``release_delay_months`` after it ends. A fine-tune (``base``
    set) starts only after its base is released and is skipped if the base
    failed.
    """

    name: Name
    month: float = Field(ge=0, description="Month the run is submitted to the cluster queue.")
    parameters: uncertain(gt=0) | None = Field(
        None, description="Model size N, parameters (a fine-tune takes its base's N)."
    )
    tokens: uncertain(gt=0) = Field(description="Training tokens D (a fine-tune: its own tokens).")
    base: str | None = Field(None, description="Name of an earlier run this one fine-tunes.")
    base_model: str | None = Field(
        None,
        description="Open-weights model this run fine-tunes (the model catalogue: llama_3_1_8b, llama_3_1_70b, "
        "mistral_7b, qwen2_5_7b, qwen2_5_72b); its N and its loss on the reference scale are the catalogue's.",
    )
    method: Literal["full", "lora"] | None = Field(
        None,
        description="Fine-tune only: 'full' (6·N·D FLOPs, the default) or 'lora' ((4N + 6·0.005N)·D FLOPs, 0.8× "
        "the gain; model_costs.models).",
    )
    loss_reduction: uncertain(ge=0) | None = Field(
        None,
        description="Fine-tune only (a run with base or base_model; default 0 for base, the fine-tuning relation "
        "for base_model): loss reduction on the product's own task, "
        "in product.loss_unit (an error on a pre-training run, which would ignore it).",
    )
    accelerator: AcceleratorName = Field("h100_sxm", description="Accelerator type (the hardware catalogue).")
    accelerators: int = Field(8, ge=1, description="Accelerators the run uses (count).")
    mfu: uncertain(gt=0, le=1) | None = Field(
        None,
        description="Model FLOPs utilisation, fraction of peak: model FLOPs (6N + attention, PaLM App. B) ÷ "
        "(peak × wall time). Default: the MFU product.calibration measured on this accelerator kind, else "
        f"{DEFAULT_TRAINING_MFU} (PaLM Table 3: GPT-3 21 %, Gopher 32.5 %, PaLM 46.2 %).",
    )
    price_per_hour: uncertain(gt=0) | None = Field(
        None, description="Rental price per accelerator-hour, USD (default: the catalogue's range)."
    )
    interruptions_per_1000_accelerator_days: uncertain(ge=0) = Field(
        LLAMA3_INTERRUPTIONS_PER_1000_DAYS,
        description="Hardware/software interruptions per 1,000 accelerator-days (Llama 3: ≈0.47).",
    )
    restart_hours: uncertain(ge=0) = Field(
        3.0, description="Wall time lost per interruption: restart plus work since the last checkpoint, hours."
    )
    failure_probability: uncertain(ge=0, le=1) = Field(
        0.05, description="Probability the run is wasted (diverges or under-performs): paid for, never released."
    )
    release_delay_months: uncertain(ge=0) = Field(
        0.5, description="Evaluation, safety work and deployment between the end of training and release, months."
    )

    @model_validator(mode="after")
    def _size_given(self):
        fine_tune = self.base is not None or self.base_model is not None
        for field in ("loss_reduction", "method"):
            if not fine_tune and getattr(self, field) is not None:
                raise ValueError(
                    f"run {self.name!r}: '{field}' applies only to a fine-tune (a run with base or base_model); "
                    "a pre-training run's loss comes from the loss law — remove it, or give base"
                )
        if self.base is not None and self.base_model is not None:
            raise ValueError(f"run {self.name!r}: give base (an earlier run) or base_model (an open model), not both")
        if not fine_tune and self.parameters is None:
            raise ValueError(f"run {self.name!r}: give parameters (or base or base_model, for a fine-tune)")
        if fine_tune and self.parameters is not None:
            raise ValueError(f"run {self.name!r}: a fine-tune takes its base's parameters; remove 'parameters'")
        if self.base_model is not None:
            from venturesim.model_costs.models import open_model

            try:
                open_model(self.base_model)
            except KeyError as exc:
                raise ValueError(f"run {self.name!r}: {exc.args[0]}") from None
        return self


class QualityResponse(Model):
    """How the quality gap g = L_frontier − L_own (nats/token) moves the market.

    Bass p and q are multiplied by f(g; adoption), monthly churn by
    f(−g; churn) and price by f(g; price), with the bounded response
    f(g; ε) = M^{tanh(ε g / ln M)}: elasticity ε at g = 0, never beyond
    [1/M, M]. The defaults are stated assumptions (docs/model/product.md): a
    model 0.1 nats behind the frontier adopts 18 % slower and churns 22 % more,
    and no gap moves any of the three by more than 3× either way.
    """

    adoption: uncertain(ge=0) = Field(2.0, description="Elasticity of Bass p and q to the gap, per nat.")
    churn: uncertain(ge=0) = Field(2.0, description="Elasticity of monthly churn to the gap, per nat.")
    price: uncertain(ge=0) = Field(0.0, description="Elasticity of price to the gap, per nat.")
    max_multiplier: float = Field(
        3.0,
        gt=1,
        description="Largest factor M any quality gap applies to adoption, churn or price (each stays in [1/M, M]).",
    )


class Serving(Model):
    """What serving a token costs: 2N FLOPs per token on rented accelerators."""

    accelerator: AcceleratorName = Field("h100_sxm", description="Accelerator type used for inference.")
    mfu: uncertain(gt=0, le=1) = Field(
        0.3, description="FLOPs utilisation while serving, fraction of peak (decode is memory-bound)."
    )
    utilisation: uncertain(gt=0, le=1) = Field(
        0.5, description="Share of rented accelerator time spent serving requests (load and batching)."
    )
    quantization: Literal["bf16", "int8", "int4"] = Field(
        "bf16",
        description="Weight format: int8/int4 serve 2×/4× faster (memory-bound decode) at a "
        "stated loss penalty (model_costs.serving.QUANTIZATIONS).",
    )
    price_per_hour: uncertain(gt=0) | None = Field(
        None, description="Rental price per accelerator-hour, USD (default: the catalogue's range)."
    )


class Energy(Model):
    """Energy and emissions of the product's own compute (training runs and self-served tokens).

    kWh = accelerators × TDP × hours × PUE / 1000 (a run draws its board power while it holds its slot; a
    served token takes TDP × PUE over the accelerator's tokens/s at its MFU and utilisation, so idle rented
    time counts); kg CO2e = kWh × grid intensity / 1000 (Lacoste et al. 2019; Patterson et al. 2021). A
    vendor's API tokens are the vendor's energy, not counted here.
    """

    pue: uncertain(ge=1) = Field(
        1.2,
        description="Power usage effectiveness of the data centre, facility ÷ IT energy (1.1–1.2 hyperscale: "
        "Google data-centre reports, Patterson et al. 2021 give 1.10; ≈1.58 industry average, Uptime Institute "
        "2023).",
    )
    grid_intensity: uncertain(ge=0) = Field(
        370.0,
        description="Carbon intensity of the electricity, g CO2e per kWh (US-East ≈370, ML CO2 Impact data, "
        "Lacoste et al. 2019; ≈20 Québec to ≈740 coal-heavy grids; Patterson et al. 2021 use 429 for the US "
        "average).",
    )


class ServingPhase(Model):
    """From ``month`` on, how the product's model is served: a vendor's API, or the company's own models."""

    month: int = Field(ge=0, description="First month of this phase.")
    strategy: Literal["api", "own"] = Field(
        description="'api': pay a vendor per token for api_model; 'own': serve the best own model released "
        "(open-weights fine-tunes and pre-trained runs, on own accelerators at product.serving's cost)."
    )
    api_model: str | None = Field(
        None,
        description="strategy 'api': the vendor model (the catalogue: frontier_api, small_api, claude_sonnet, "
        "claude_haiku), its dated price and its gap to the frontier.",
    )
    price_multiplier: uncertain(gt=0) | None = Field(
        None,
        description="strategy 'api': the vendor's price relative to the catalogue's (a price change risk; default 1).",
    )

    @model_validator(mode="after")
    def _api_model_given(self):
        if self.strategy == "api":
            if self.api_model is None:
                raise ValueError(f"phase at month {self.month}: strategy 'api' needs api_model")
            from venturesim.model_costs.models import api_model

            try:
                api_model(self.api_model)
            except KeyError as exc:
                raise ValueError(exc.args[0]) from None
        else:
            for field in ("api_model", "price_multiplier"):
                if getattr(self, field) is not None:
                    raise ValueError(f"phase at month {self.month}: '{field}' applies only to strategy 'api'")
        return self


class Product(Model):
    """The model the startup trains and sells, and the frontier it competes with."""

    calibration: str | None = Field(
        None,
        description="Path to a calibration file written by `venturesim calibrate-product`: its measured MFU "
        "sets the MFU of every run on that accelerator kind that gives none, and its law's exponents (one "
        "posterior draw per path) replace the published ones by the anchored transfer (calibration_transfer).",
    )
    calibration_transfer: Literal["anchored", "none"] = Field(
        "anchored",
        description="How the calibration's law reaches the reference scale: 'anchored' keeps its exponents and "
        "matches the published Chinchilla law at the Chinchilla model (70B, 1.4T tokens) "
        "(model_costs.quality_scale); 'none' uses the law as fitted, allowed only for a law in nats/token.",
    )
    loss_unit: Literal["nats/token", "nats/byte", "bits/byte"] = Field(
        "nats/token",
        description="Unit of this section's losses (frontier_loss, initial_loss, loss_reduction): nats/token of "
        "the reference tokeniser (the Chinchilla law's scale), or nats/byte or bits/byte, converted by "
        "bytes_per_token.",
    )
    bytes_per_token: float = Field(
        BYTES_PER_TOKEN,
        gt=0,
        description="UTF-8 bytes per reference token, to convert per-byte losses "
        "(default 1/0.29335 ≈ 3.41: GPT-2 BPE on the Pile, Gao et al. 2020).",
    )
    frontier_loss: bounded(TimeVarying, gt=0) = Field(
        default_factory=lambda: Trend(start=1.85, growth=-0.0005),
        description="Loss of the competing frontier model by month, in loss_unit (default: nats/token on the "
        "Chinchilla law's scale).",
    )
    initial_loss: uncertain(gt=0) | None = Field(
        None, description="Loss of the model served at month 0, in loss_unit (default: the frontier's at month 0)."
    )
    initial_parameters: uncertain(gt=0) | None = Field(
        None, description="Size of the model served at month 0, parameters (sets serving cost; default 7e9)."
    )
    initial_model: str | None = Field(
        None,
        description="The model served at month 0 in a founder's words: 'frontier API', 'small API model', "
        "'open 8B', 'open 70B' or 'fine-tuned open 8B' (model_costs.models.PRESETS); sets initial_loss and "
        "initial_parameters (give neither), and an API model is paid per token at its catalogue price.",
    )
    serving_plan: list[ServingPhase] = Field(
        default_factory=list,
        description="How the model is served over time (strategy switches); before the first phase: the "
        "initial model, then the best own model released.",
    )
    quality_response: QualityResponse = Field(default_factory=QualityResponse)
    cluster_slots: int = Field(1, ge=1, description="Training runs that can run at once; the rest queue.")
    training_runs: Annotated[list[TrainingRun], AfterValidator(unique_names)] = Field(
        default_factory=list, description="The training roadmap, in queue priority order."
    )
    serving: Serving = Field(default_factory=Serving)
    energy: Energy = Field(default_factory=Energy)

    @field_validator("calibration")
    @classmethod
    def _calibration_exists(cls, path: str | None, info: ValidationInfo) -> str | None:
        if path is None:
            return None
        from venturesim.model_costs.calibration import load_calibration
        from venturesim.spec.files import resolve_input_file

        resolved = resolve_input_file(path, info.context, "calibration file")
        try:  # what run would read: check it now, so that validate finds it
            load_calibration(resolved)
        except Exception as exc:
            raise ValueError(
                f"calibration file {path!r} is not a calibration written by `venturesim calibrate-product` "
                f"({type(exc).__name__}); write one with `venturesim calibrate-product`"
            ) from None
        return str(resolved)

    @model_validator(mode="after")
    def _initial_model_alone(self):
        if self.initial_model is not None:
            from venturesim.model_costs.models import preset

            try:
                preset(self.initial_model)
            except KeyError as exc:
                raise ValueError(exc.args[0]) from None
            for field in ("initial_loss", "initial_parameters"):
                if getattr(self, field) is not None:
                    raise ValueError(f"initial_model {self.initial_model!r} sets '{field}'; give one or the other")
        months = [phase.month for phase in self.serving_plan]
        if months != sorted(set(months)):
            raise ValueError(f"serving_plan months {months} must increase")
        return self

    @model_validator(mode="after")
    def _transfer_convertible(self):
        if self.calibration is not None and self.calibration_transfer == "none":
            from venturesim.model_costs.calibration import load_calibration

            unit = load_calibration(self.calibration).loss_unit
            if unit != "nats/token":
                raise ValueError(
                    f"calibration_transfer 'none' uses the calibration's law as fitted, but its loss unit is "
                    f"{unit!r}, not nats/token of the reference tokeniser: a law of byte-level models cannot be "
                    "converted to the frontier's scale; use calibration_transfer: anchored"
                )
        return self

    @field_validator("training_runs")
    @classmethod
    def _bases_earlier(cls, runs: list[TrainingRun]) -> list[TrainingRun]:
        seen: list[str] = []
        for run in runs:
            if run.base is not None and run.base not in seen:
                from venturesim.spec.errors import suggest

                hint = suggest(run.base, seen)
                raise ValueError(
                    f"run {run.name!r}: base {run.base!r} is not an earlier run"
                    + (f" (did you mean {hint!r}?)" if hint else f"; earlier runs: {seen}")
                )
            seen.append(run.name)
        return runs
