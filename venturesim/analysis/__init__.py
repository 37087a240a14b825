"""Analyses of a simulation result: summary figures with Monte Carlo errors, and the what-if questions —
compare strategies, stress packs, goal seek (reverse stress), pitch check, outcome targets, input preview."""

from venturesim._lazy import lazy_exports as _lazy_exports

__getattr__, __dir__ = _lazy_exports(__name__, {"summarize": "venturesim.analysis.summary"})
"""``summarize`` is imported on first use: the scenario's schema imports ``analysis.targets``, which must not
pull in pandas."""

__all__ = ["summarize"]
