"""Files a scenario names (draws files, a product calibration): found beside it, confined to its folder.

A relative name is read from the scenario file's folder. A name that leads
outside that folder (``../x.csv``, an absolute path, a symbolic link pointing
out) is refused unless the user allows it (``--allow-outside-files``,
``load(..., allow_outside=True)``): a scenario received from someone else
cannot make venturesim read, or print parts of, other files on the machine.
Errors name the file, never its content.
"""

from __future__ import annotations

from pathlib import Path

ALLOW_FLAG = "--allow-outside-files (load(..., allow_outside=True))"


def resolve_input_file(name: str, context: dict | None, what: str) -> Path:
    """The absolute path of the file a scenario names, checked to exist and to lie in its folder.

    Parameters
    ----------
    name : str
        The path as written in the scenario.
    context : dict or None
        Validation context: ``base_dir`` (the scenario's folder, default the
        working folder) and ``allow_outside`` (default True: data from the caller's own code;
        :func:`~venturesim.scenario.loader.load` of a file passes False unless allowed).
    what : str
        What the file is, for messages ("draws file").

    Raises
    ------
    ValueError
        If the file lies outside the folder (and that is not allowed) or is
        not an existing regular file.
    """
    context = context or {}
    base = Path(context.get("base_dir", ".")).resolve()
    resolved = (base / name).resolve()  # an absolute name stays itself
    if not context.get("allow_outside", True) and not resolved.is_relative_to(base):
        raise ValueError(
            f"{what} {name!r} lies outside the scenario's folder {base}; move it into that folder, "
            f"or pass {ALLOW_FLAG} if you trust this scenario"
        )
    if not resolved.is_file():
        raise ValueError(f"{what} not found: {name!r} (names are read from the scenario's folder {base})")
    return resolved
