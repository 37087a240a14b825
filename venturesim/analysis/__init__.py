"""Analyses of a simulation result: summary figures with Monte Carlo errors."""

from venturesim.analysis.summary import summarize

__all__ = ["summarize"]
