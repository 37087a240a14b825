"""The exact share-level arithmetic of financing: what investors and founders read first (docs/model/funding.md).

Every number is an exact :class:`fractions.Fraction` (share counts are floored integers):

* :mod:`~venturesim.funding.shares.cap_table` — holders × share classes, options, the pool, the history;
* one module per instrument — :mod:`~venturesim.funding.shares.safe` (post- and pre-money SAFEs, MFN),
  :mod:`~venturesim.funding.shares.note` (convertible notes), :mod:`~venturesim.funding.shares.priced`
  (a priced round and the conversions it triggers), :mod:`~venturesim.funding.shares.grant` (milestone
  grants), :mod:`~venturesim.funding.shares.loan` (a venture loan: schedule, warrants, covenant);
* :mod:`~venturesim.funding.shares.waterfall` — who gets what of an exit (exact, and vectorised for the engines);
* :mod:`~venturesim.funding.shares.returns` — MOIC, IRR, each holder's return, a cheque over given exits.

The engines keep ownership as fractions on arrays (:mod:`venturesim.funding.ownership`) and are checked
against this package.
"""

from venturesim.funding.shares import cap_table, grant, loan, note, priced, returns, safe, waterfall
from venturesim.funding.shares.cap_table import *  # noqa: F403 (each module's __all__)
from venturesim.funding.shares.grant import *  # noqa: F403
from venturesim.funding.shares.loan import *  # noqa: F403
from venturesim.funding.shares.note import *  # noqa: F403
from venturesim.funding.shares.priced import *  # noqa: F403
from venturesim.funding.shares.returns import *  # noqa: F403
from venturesim.funding.shares.safe import *  # noqa: F403
from venturesim.funding.shares.waterfall import *  # noqa: F403

__all__ = [
    *cap_table.__all__,
    *grant.__all__,
    *loan.__all__,
    *note.__all__,
    *priced.__all__,
    *returns.__all__,
    *safe.__all__,
    *waterfall.__all__,
]
