"""Funding: rounds, bridges, venture debt, grants and exits in both engines, and the exact share-level
arithmetic investors read first (:mod:`venturesim.funding.shares`: cap table, instruments, the liquidation
waterfall, returns; docs/model/funding.md).

``venturesim.funding`` exports the scenario's :class:`Funding` and :class:`Round` and every public name of
:mod:`venturesim.funding.shares`. The scenario's ``VentureDebt`` and ``Grant`` (uncertain inputs) live in
:mod:`venturesim.funding.schema`; their exact share-level counterparts are :class:`VentureLoan` and
:class:`MilestoneGrant`.
"""

from venturesim.funding import shares
from venturesim.funding.schema import Funding, Round
from venturesim.funding.shares import *  # noqa: F403 (shares.__all__)

__all__ = ["Funding", "Round", *shares.__all__]
