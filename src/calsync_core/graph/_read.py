"""Reading one JSON document while collecting every problem, each with its path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

#: What a JSON value is called in a problem, by Python type.
_JSON_NAMES: Final = (
    (bool, "a boolean"),
    (str, "a string"),
    (int, "a number"),
    (float, "a number"),
)


def json_kind(value: object) -> str:
    """How ``value`` is named in a problem: ``an object``, ``null`` ..."""
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    for kind, name in _JSON_NAMES:
        if isinstance(value, kind):
            return name
    return type(value).__name__


@attrs.define
class Reader:
    """Typed look-ups in a payload; each fault is noted, never raised.

    ``prefix`` goes before every path (``value[3].`` for an entry of a page).
    A look-up that fails returns a harmless default, so that reading goes on
    and finds the payload's other problems too.
    """

    prefix: str = ""
    problems: list[str] = attrs.Factory(list)

    def fault(self, path: str, message: str) -> None:
        self.problems.append(f"{self.prefix}{path}: {message}")

    def wrong(self, path: str, wanted: str, value: object) -> None:
        self.fault(path, f"expected {wanted}, got {json_kind(value)}")

    def text(
        self,
        where: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        empty: bool = False,
    ) -> str:
        """A string; absent or null is ``""``, a fault if ``required`` (as is ``""``
        unless ``empty``)."""
        value = where.get(key)
        if value is None:
            if required:
                self.fault(path, "missing" if key not in where else "expected a string, got null")
            return ""
        if not isinstance(value, str):
            self.wrong(path, "a string", value)
            return ""
        if required and not empty and not value:
            self.fault(path, "empty")
        return value

    def flag(self, where: Mapping[str, Any], key: str, path: str) -> bool:
        """A boolean; absent or null is False."""
        value = where.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.wrong(path, "a boolean", value)
            return False
        return value

    def mapping(
        self, where: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> Mapping[str, Any] | None:
        """An object; absent or null is None (a fault if ``required``)."""
        value = where.get(key)
        if value is None:
            if required:
                self.fault(path, "missing" if key not in where else "expected an object, got null")
            return None
        if not isinstance(value, Mapping):
            self.wrong(path, "an object", value)
            return None
        return value

    def array(self, where: Mapping[str, Any], key: str, path: str) -> Sequence[Any]:
        """An array; absent or null is empty."""
        value = where.get(key)
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            self.wrong(path, "an array", value)
            return ()
        return value

    def choice(
        self, where: Mapping[str, Any], key: str, path: str, names: Mapping[str, Any]
    ) -> Any:
        """The value of ``names`` for a string compared case-insensitively; absent is None."""
        value = where.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.lower() in names:
            return names[value.lower()]
        if isinstance(value, str):
            self.fault(path, f"{value!r} is not one of {', '.join(names)}")
        else:
            self.wrong(path, "a string", value)
        return None
