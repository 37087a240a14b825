"""Safe YAML loading that remembers where every value came from.

Scenario files are parsed into plain Python data (dicts, lists, str, int,
float, bool, None) together with a map from *path tuples* to source
positions, so that later validation errors can point at ``file:line:col``.

Paths use ``str`` mapping keys and ``int`` list indices, e.g.
``("market", "segments", 0, "churn")``.  The position of a mapping *key* is
stored under the key's path extended with :data:`KEY`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["KEY", "Mark", "YamlError", "YamlIssue", "load_yaml"]

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted (a scenario needs about 8)."""
MAX_VALUES = 200_000
"""Most values a document may expand to, aliases counted at each use (the largest scenario has about 1,500).
Bounds a "billion laughs" alias bomb, which a 1 KB file can make expand to 10⁹ values."""

KEY = "__key__"
"""Path suffix under which the position of a mapping key is stored."""

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
# YAML 1.1 only reads exponents with a dot and a signed exponent (``1.5e+6``)
# as floats; ``1e6`` and ``1.5e6`` would otherwise silently become strings.
_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")


class _ScenarioLoader(yaml.SafeLoader):
    """SafeLoader that reads ``1e6`` as a float and dates as plain strings."""


_ScenarioLoader.add_implicit_resolver(_CORE + "float", _EXPONENT_FLOAT, list("-+.0123456789"))
_ScenarioLoader.add_constructor(_CORE + "timestamp", yaml.SafeLoader.construct_yaml_str)


@dataclass(frozen=True)
class Mark:
    """A position in a source file.

    Attributes
    ----------
    line, column : int
        1-based line and column.
    """

    line: int
    column: int


@dataclass(frozen=True)
class YamlIssue:
    """One problem found while reading YAML.

    Attributes
    ----------
    message : str
        What is wrong.
    mark : Mark or None
        Where it is wrong, if known.
    path : tuple
        Data path of the offending entry (empty for document-level issues).
    """

    message: str
    mark: Mark | None
    path: tuple = ()


class YamlError(ValueError):
    """The text is not a usable scenario document; lists every issue found."""

    def __init__(self, issues: list[YamlIssue], filename: str) -> None:
        self.issues = issues
        self.filename = filename
        lines = []
        for issue in issues:
            where = filename if issue.mark is None else f"{filename}:{issue.mark.line}:{issue.mark.column}"
            lines.append(f"{where}: {issue.message}")
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple:
        return (type(self), (self.issues, self.filename))


def mark_of(text: str | bytes, index: int) -> Mark:
    """The 1-based line and column of position ``index`` in ``text`` (characters or bytes)."""
    newline = "\n" if isinstance(text, str) else b"\n"
    return Mark(text.count(newline, 0, index) + 1, index - (text.rfind(newline, 0, index) + 1) + 1)


def _mark(yaml_mark: yaml.Mark) -> Mark:
    return Mark(yaml_mark.line + 1, yaml_mark.column + 1)


def _show_tag(tag: str) -> str:
    return tag.replace(_CORE, "!!")


def _syntax_issue(exc: yaml.YAMLError, text: str) -> YamlIssue:
    """Translate a PyYAML scanner/parser error into a :class:`YamlIssue`."""
    if isinstance(exc, yaml.reader.ReaderError):  # a control character: position from the reader
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        message = f"control character {character!r} is not allowed in a YAML file; delete it"
        return YamlIssue(message, mark_of(text, exc.position))
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return YamlIssue(str(exc), None)
    where = exc.problem_mark
    if text[where.index : where.index + 1] == "\t":
        line_start = text.rfind("\n", 0, where.index) + 1
        if not text[line_start : where.index].strip(" \t"):
            return YamlIssue("tab character used for indentation; YAML needs spaces", _mark(where))
        return YamlIssue("tab character is not allowed here; YAML needs spaces", _mark(where))
    message = exc.problem or "invalid YAML"
    if exc.context and exc.context_mark is not None:
        message += f" ({exc.context} at line {exc.context_mark.line + 1})"
    return YamlIssue(message, _mark(where))


def _expanded_size(node: Node, sizes: dict[int, int]) -> int:
    """Values ``node`` expands to, every alias counted at each use; linear in the distinct nodes (memoised)."""
    if id(node) not in sizes:
        sizes[id(node)] = 1  # an alias cycle counts once here; the builder reports it
        if not isinstance(node, ScalarNode):
            children = node.value if isinstance(node, SequenceNode) else [n for pair in node.value for n in pair]
            sizes[id(node)] = min(1 + sum(_expanded_size(child, sizes) for child in children), 2 * MAX_VALUES)
    return sizes[id(node)]


def _check_depth(text: str) -> YamlIssue | None:
    """The first place nesting exceeds :data:`MAX_DEPTH`, from the parser's events (no recursion)."""
    depth = 0
    for event in yaml.parse(text, Loader=_ScenarioLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                message = f"mappings and lists are nested more than {MAX_DEPTH} deep; a scenario needs far fewer levels"
                return YamlIssue(message, _mark(event.start_mark))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


class _Builder:
    """Turn a composed node graph into plain data plus a path-to-mark map."""

    def __init__(self) -> None:
        self.marks: dict[tuple, Mark] = {}
        self.issues: list[YamlIssue] = []
        self._constructor = _ScenarioLoader("")
        self._active: set[int] = set()

    def build(self, node: Node, path: tuple) -> object:
        """Return the value of ``node``, recording marks below ``path``."""
        if isinstance(node, ScalarNode):
            value = self._scalar(node, path)
        elif id(node) in self._active:
            self.issues.append(YamlIssue("alias refers to one of its own parents", _mark(node.start_mark), path))
            value = None
        else:
            self._active.add(id(node))
            value = self._mapping(node, path) if isinstance(node, MappingNode) else self._sequence(node, path)
            self._active.discard(id(node))
        # Recorded after the children so a merged (<<) mapping cannot claim the path.
        self.marks[path] = _mark(node.start_mark)
        return value

    def _unsupported(self, node: Node, path: tuple) -> None:
        message = f"unsupported YAML tag {_show_tag(node.tag)!r}"
        self.issues.append(YamlIssue(message, _mark(node.start_mark), path))

    def _scalar(self, node: ScalarNode, path: tuple) -> object:
        if node.tag not in _SCALAR_TAGS:
            self._unsupported(node, path)
            return None
        return self._constructor.construct_object(node)

    def _sequence(self, node: SequenceNode, path: tuple) -> list:
        if node.tag != _CORE + "seq":
            self._unsupported(node, path)
            return []
        return [self.build(child, path + (index,)) for index, child in enumerate(node.value)]

    def _mapping(self, node: MappingNode, path: tuple) -> dict:
        if node.tag != _CORE + "map":
            self._unsupported(node, path)
            return {}
        result: dict[str, object] = {}
        first_lines: dict[str, int] = {}
        explicit: list[tuple[ScalarNode, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _CORE + "merge":
                # Later merge sources lose to earlier ones, explicit keys beat all.
                for source in reversed(self._merge_sources(value_node, path)):
                    result.update(self.build(source, path))
            elif not isinstance(key_node, ScalarNode):
                message = "mapping keys must be plain values, not lists or mappings"
                self.issues.append(YamlIssue(message, _mark(key_node.start_mark), path))
            elif key_node.value in first_lines:
                key = key_node.value
                message = f"duplicate key {key!r} (first defined on line {first_lines[key]})"
                self.issues.append(YamlIssue(message, _mark(key_node.start_mark), path + (key,)))
            else:
                first_lines[key_node.value] = key_node.start_mark.line + 1
                explicit.append((key_node, value_node))
        for key_node, value_node in explicit:
            key = key_node.value
            self.marks[path + (key, KEY)] = _mark(key_node.start_mark)
            result[key] = self.build(value_node, path + (key,))
        return result

    def _merge_sources(self, node: Node, path: tuple) -> list[MappingNode]:
        if isinstance(node, MappingNode):
            return [node]
        if isinstance(node, SequenceNode) and all(isinstance(item, MappingNode) for item in node.value):
            return list(node.value)
        message = "merge key '<<' needs a mapping or a list of mappings"
        self.issues.append(YamlIssue(message, _mark(node.start_mark), path))
        return []


def load_yaml(text: str, filename: str) -> tuple[object, dict[tuple, Mark]]:
    """Parse a scenario document safely and record where each value is.

    Parameters
    ----------
    text : str
        YAML source.
    filename : str
        Name used in error messages.

    Returns
    -------
    data : dict
        Plain Python data of the top-level mapping.  Dates stay strings;
        ``1e6``, ``1.5e6`` and ``2_000_000`` are numbers.
    marks : dict[tuple, Mark]
        Position of every value by path, the document root under ``()``, and
        of every mapping key under ``path + (KEY,)``.

    Raises
    ------
    YamlError
        For syntax errors, an empty document, a top level that is not a
        mapping, duplicate keys, unsupported tags, nesting deeper than
        :data:`MAX_DEPTH` or more than :data:`MAX_VALUES` values once
        aliases are expanded.
    """
    try:
        too_deep = _check_depth(text)
        if too_deep is not None:
            raise YamlError([too_deep], filename)
        root = yaml.compose(text, Loader=_ScenarioLoader)
    except yaml.YAMLError as exc:
        raise YamlError([_syntax_issue(exc, text)], filename) from exc
    if root is None or root.tag == _CORE + "null":
        raise YamlError([YamlIssue("scenario file is empty", Mark(1, 1))], filename)
    if not isinstance(root, MappingNode):
        found = "a list" if isinstance(root, SequenceNode) else f"the value {root.value!r}"
        message = f"top level of a scenario file must be a mapping of keys to values, found {found}"
        raise YamlError([YamlIssue(message, _mark(root.start_mark))], filename)
    if _expanded_size(root, {}) > MAX_VALUES:
        message = (
            f"the document expands to more than {MAX_VALUES:,} values (aliases such as *a repeated inside "
            "each other); write the values out instead of nesting aliases"
        )
        raise YamlError([YamlIssue(message, _mark(root.start_mark))], filename)
    builder = _Builder()
    data = builder.build(root, ())
    if builder.issues:
        issues = sorted(builder.issues, key=lambda issue: (issue.mark.line, issue.mark.column))
        raise YamlError(issues, filename)
    return data, builder.marks
