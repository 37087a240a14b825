"""The package's environment switches, read one way.

``VENTURESIM_COMPILE_CACHE`` (:func:`venturesim._cache.compile_cache_folder`) and ``VENTURESIM_KEEP_PROGRAMS``
(:func:`venturesim.engine.programs.program_folder`) are turned off by the same words, in any case and with
surrounding spaces: :data:`OFF_WORDS`.
"""

from __future__ import annotations

OFF_WORDS = frozenset({"off", "0", "false", "no"})
"""The values that turn a switch off."""


def switched_off(value: str | None) -> bool:
    """Whether an environment variable's ``value`` (None: not set) is one of :data:`OFF_WORDS`."""
    return (value or "").strip().lower() in OFF_WORDS
