"""What the model costs: FLOPs and memory, the hardware catalogue, training and
serving cost, energy, scaling laws, the product roadmap in both engines, and
the small JAX Transformer that calibrates it all on the device at hand
(docs/model/product.md, docs/model/transformer.md).

Heavy modules (the Transformer and its training loop, the PyMC fit) are
imported on first use of their names.
"""

from importlib import import_module as _import_module

from venturesim.model_costs import flops, hardware, scaling_law, serving, training_cost
from venturesim.model_costs.flops import *  # noqa: F403 (each module's __all__)
from venturesim.model_costs.hardware import *  # noqa: F403
from venturesim.model_costs.scaling_law import *  # noqa: F403
from venturesim.model_costs.schema import Compute, Product, QualityResponse, Serving, TrainingRun
from venturesim.model_costs.serving import *  # noqa: F403
from venturesim.model_costs.shape import GPT2_SMALL, TransformerShape
from venturesim.model_costs.training_cost import *  # noqa: F403

_LAZY = {
    "fit_loss_law_bayes": "scaling_bayes",
    "posterior_mean_law": "scaling_bayes",
    **dict.fromkeys(["init_params", "param_shapes", "forward", "loss_fn", "count_params"], "transformer"),
    **dict.fromkeys(["Corpus", "load_corpus", "sample_batch"], "text_data"),
    **dict.fromkeys(["TrainConfig", "TrainReport", "train", "measure_cpu_peak_flops", "device_peak_flops"], "training"),
    **dict.fromkeys(
        [
            "GridPoint",
            "QUICK_GRID",
            "FULL_GRID",
            "Calibration",
            "calibrate_product",
            "write_calibration",
            "load_calibration",
        ],
        "calibration",
    ),
}

__all__ = [
    *flops.__all__,
    *hardware.__all__,
    *scaling_law.__all__,
    *serving.__all__,
    *training_cost.__all__,
    "Compute",
    "Product",
    "QualityResponse",
    "Serving",
    "TrainingRun",
    "GPT2_SMALL",
    "TransformerShape",
    *_LAZY,
]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(_import_module(f"venturesim.model_costs.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'venturesim.model_costs' has no attribute {name!r}")
