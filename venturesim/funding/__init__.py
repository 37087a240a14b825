"""Funding: priced rounds in both engines, and the exact arithmetic investors read first —
instruments (SAFEs, notes, priced rounds, grants, venture debt), the cap table,
the liquidation waterfall and returns (docs/model/funding.md).

The waterfall function is exported as ``exit_waterfall`` so that
``venturesim.funding.waterfall`` stays the module.
"""

from venturesim.funding import cap_table, instruments, returns
from venturesim.funding.cap_table import *  # noqa: F403 (each module's __all__)
from venturesim.funding.instruments import *  # noqa: F403
from venturesim.funding.returns import *  # noqa: F403
from venturesim.funding.schema import Funding, Round
from venturesim.funding.waterfall import (
    CAPPED, FULL, NONE, ClassArrays, ExitClass, Waterfall, class_arrays, exit_classes, solve_waterfall,
    waterfall_arrays, waterfall_by_class,
)
from venturesim.funding.waterfall import waterfall as exit_waterfall

__all__ = [
    *cap_table.__all__, *instruments.__all__, *returns.__all__,
    "Funding", "Round",
    "CAPPED", "FULL", "NONE", "ClassArrays", "ExitClass", "Waterfall", "class_arrays", "exit_classes",
    "solve_waterfall", "waterfall_arrays", "waterfall_by_class", "exit_waterfall",
]
