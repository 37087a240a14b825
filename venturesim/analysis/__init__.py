"""Analyses of a simulation result: summary figures with Monte Carlo errors, and the what-if questions —
compare strategies, stress packs, goal seek (reverse stress), pitch check, outcome targets, input preview."""

from venturesim.analysis.summary import summarize

__all__ = ["summarize"]
