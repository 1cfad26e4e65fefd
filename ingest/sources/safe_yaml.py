"""YAML input files (release.yaml, plan.yaml, corrections, layouts, methodology) read with limits.

PyYAML's safe loader builds Python objects only, but it still expands aliases (`*name`): a few hundred bytes of
nested aliases make a structure of billions of nodes, which an error message printing the value would then try to
render. Release files are written by people and by `package-report`, and none needs anchors, so they are refused;
so are files over MAX_BYTES, structures nested deeper than MAX_DEPTH and a key given twice in one mapping (PyYAML
keeps the last one without a word, as a CSV reader would keep the last of two columns of one name).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from ingest.core.errors import InputError

MAX_BYTES = 1 << 20
MAX_DEPTH = 32


class _Refused(yaml.YAMLError):
    def __init__(self, message: str, mark=None):
        super().__init__(message)
        self.message, self.mark = message, mark


class LimitedLoader(yaml.SafeLoader):
    """SafeLoader without anchors and aliases, with a depth limit and no repeated keys."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise _Refused("uses a YAML alias (*name); aliases and anchors are not read, write the value out",
                           self.peek_event().start_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise _Refused("uses a YAML anchor (&name); aliases and anchors are not read, write the value out",
                           event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nests deeper than {MAX_DEPTH} levels", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    repeated = key in seen
                    seen.add(key)
                except TypeError:    # an unhashable key: SafeLoader's own error follows
                    continue
                if repeated:
                    raise _Refused(f"gives the key {str(key)[:60]!r} twice in one mapping; each key once",
                                   key_node.start_mark)
        return super().construct_mapping(node, deep)


def load(path: Path, what: str = "YAML file"):
    """The document of a YAML file, or an InputError naming the file (and the line, where one is known). The
    message never quotes the file: PyYAML's own message shows the offending line, which may be anything."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    if size > MAX_BYTES:
        raise InputError(path, f"is {size} bytes; a {what} is at most {MAX_BYTES} bytes")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"is not UTF-8 (byte {exc.start}); a {what} is written in UTF-8") from None
    try:
        return yaml.load(text, Loader=LimitedLoader)   # noqa: S506 - LimitedLoader is a SafeLoader
    except _Refused as exc:
        raise InputError(path, exc.message, row=exc.mark.line + 1 if exc.mark else None) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = str(getattr(exc, "problem", None) or "not valid YAML")[:120]
        raise InputError(path, f"not a readable YAML file: {problem}", row=mark.line + 1 if mark else None) from None
    except (RecursionError, MemoryError, ValueError, OverflowError) as exc:
        raise InputError(path, f"not a readable YAML file ({type(exc).__name__})") from None


def load_mapping(path: Path, what: str) -> dict:
    """A YAML file that must hold a mapping (a manifest)."""
    doc = load(path, what)
    if not isinstance(doc, dict):
        raise InputError(path, f"expected a mapping of {what}")
    return doc
