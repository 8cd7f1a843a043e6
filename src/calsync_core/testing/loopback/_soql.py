"""A small SOQL evaluator: exactly the query shapes the project's Salesforce adapter writes.

``SELECT field, ... FROM Object [WHERE condition] [ORDER BY field [ASC|DESC]
[NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]``, where a condition combines
``field op value`` (``=``, ``!=``, ``<>``, ``<``, ``<=``, ``>``, ``>=``,
``LIKE``), ``field [NOT] IN (values)``, ``NOT`` and parentheses with
``AND``/``OR`` -- mixed only inside parentheses, as SOQL requires. Values are
string, number, boolean and null literals, and unquoted date
(``2024-03-12``) and datetime (``2024-03-12T17:00:00Z``) literals; a
datetime field compared with a quoted string is refused, as Salesforce
refuses it. Text compares case-insensitively, as SOQL does.

Anything else (aggregates, sub-queries, date functions, ``GROUP BY`` ...)
answers ``MALFORMED_QUERY``, and an unknown field ``INVALID_FIELD``: a
connector that drifts from what the adapter writes fails loudly here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final

import attrs

from ._times import parse_instant
from ._wire import WireError

_TOKEN: Final = re.compile(
    r"""\s*(?:
    (?P<string>'(?:[^'\\]|\\.)*')
    |(?P<instant>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))
    |(?P<day>\d{4}-\d\d-\d\d)
    |(?P<number>-?\d+(?:\.\d+)?)
    |(?P<op><=|>=|!=|<>|=|<|>)
    |(?P<punct>[(),])
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    )""",
    re.VERBOSE,
)
#: The escape sequences of a quoted string ("Quoted String Escape Sequences"); any
#: other backslash is an error, and ``\\_`` / ``\\%`` only mean something in LIKE.
_ESCAPES: Final = {
    "n": "\n", "N": "\n", "r": "\r", "R": "\r", "t": "\t", "T": "\t",
    "b": "\b", "B": "\b", "f": "\f", "F": "\f", '"': '"', "'": "'", "\\": "\\",
}  # fmt: skip
_ESCAPE: Final = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_KEYWORDS: Final = frozenset(
    [
        "SELECT",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "IN",
        "LIKE",
        "ORDER",
        "BY",
        "ASC",
        "DESC",
        "NULLS",
        "FIRST",
        "LAST",
        "LIMIT",
        "OFFSET",
        "TRUE",
        "FALSE",
        "NULL",
    ]
)


def malformed(message: str) -> WireError:
    """Salesforce's answer to a query it cannot parse."""
    return WireError(400, "MALFORMED_QUERY", message)


@attrs.frozen
class Token:
    kind: str
    text: str

    @property
    def keyword(self) -> str | None:
        upper = self.text.upper()
        return upper if self.kind == "name" and upper in _KEYWORDS else None


@attrs.frozen
class Literal:
    """A value in a condition: its kind (string, instant, day, number, flag, null)."""

    kind: str
    value: Any


@attrs.frozen
class Compare:
    field: str
    op: str
    values: tuple[Literal, ...]  # one, or the list of an IN


@attrs.frozen
class Combine:
    op: str  # AND, OR, NOT
    parts: tuple[Condition, ...]


Condition = Compare | Combine


@attrs.frozen
class Query:
    """A parsed query."""

    table: str
    fields: tuple[str, ...]
    where: Condition | None
    order: tuple[tuple[str, bool, bool], ...]  # field, descending, nulls last
    limit: int | None
    offset: int


def tokens(text: str) -> list[Token]:
    """The tokens of ``text``; MALFORMED_QUERY at the first character none starts."""
    found: list[Token] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            raise malformed(f"unexpected token at {text[position : position + 20]!r}")
        found.append(Token(match.lastgroup, match[match.lastgroup]))
        position = match.end()
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokens(text)
        self.at = 0

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise malformed("unexpected end of query")
        self.at += 1
        return token

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token is not None and token.keyword in words:
            self.at += 1
            return token.keyword
        return None

    def expect(self, word: str) -> None:
        if self.keyword(word) is None:
            found = self.peek()
            raise malformed(f"expecting {word}, found {found.text if found else 'the end'!r}")

    def punct(self, mark: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "punct" and token.text == mark:
            self.at += 1
            return True
        return False

    def name(self) -> str:
        token = self.take()
        if token.kind != "name" or token.keyword is not None:
            raise malformed(f"unexpected token: {token.text!r}")
        return token.text

    def query(self) -> Query:
        self.expect("SELECT")
        fields = [self.name()]
        while self.punct(","):
            fields.append(self.name())
        self.expect("FROM")
        table = self.name()
        where = self.condition() if self.keyword("WHERE") else None
        order = self.order() if self.keyword("ORDER") else ()
        limit = self.count() if self.keyword("LIMIT") else None
        offset = self.count() if self.keyword("OFFSET") else 0
        if self.peek() is not None:
            raise malformed(f"unexpected token: {self.take().text!r}")
        return Query(table, tuple(fields), where, order, limit, offset)

    def count(self) -> int:
        token = self.take()
        if token.kind != "number" or not token.text.isdigit():
            raise malformed(f"expecting a number, found {token.text!r}")
        return int(token.text)

    def order(self) -> tuple[tuple[str, bool, bool], ...]:
        self.expect("BY")
        found = []
        while True:
            field = self.name()
            descending = self.keyword("ASC", "DESC") == "DESC"
            nulls_last = descending
            if self.keyword("NULLS"):
                nulls_last = self.keyword("FIRST", "LAST") == "LAST"
            found.append((field, descending, nulls_last))
            if not self.punct(","):
                return tuple(found)

    def condition(self) -> Condition:
        first = self.factor()
        joiner = self.keyword("AND", "OR")
        if joiner is None:
            return first
        parts = [first, self.factor()]
        while (more := self.keyword("AND", "OR")) is not None:
            if more != joiner:
                raise malformed("AND and OR mixed without parentheses")
            parts.append(self.factor())
        return Combine(joiner, tuple(parts))

    def factor(self) -> Condition:
        if self.keyword("NOT"):
            return Combine("NOT", (self.factor(),))
        if self.punct("("):
            inner = self.condition()
            if not self.punct(")"):
                raise malformed("expecting ')'")
            return inner
        field = self.name()
        if self.keyword("NOT"):
            self.expect("IN")
            return Compare(field, "NOT IN", self.values())
        if self.keyword("IN"):
            return Compare(field, "IN", self.values())
        if self.keyword("LIKE"):
            return Compare(field, "LIKE", (self.literal(like=True),))
        token = self.take()
        if token.kind != "op":
            raise malformed(f"unexpected token: {token.text!r}")
        return Compare(field, "!=" if token.text == "<>" else token.text, (self.literal(),))

    def values(self) -> tuple[Literal, ...]:
        if not self.punct("("):
            raise malformed("expecting '(' after IN")
        found = [self.literal()]
        while self.punct(","):
            found.append(self.literal())
        if not self.punct(")"):
            raise malformed("expecting ')'")
        return tuple(found)

    def literal(self, *, like: bool = False) -> Literal:
        token = self.take()
        if token.kind == "string":
            return (
                _pattern(token.text[1:-1]) if like else Literal("string", _text(token.text[1:-1]))
            )
        if token.kind == "instant":
            return Literal("instant", parse_instant(token.text))
        if token.kind == "day":
            return Literal("day", dt.date.fromisoformat(token.text))
        if token.kind == "number":
            return Literal("number", float(token.text))
        if token.keyword in ("TRUE", "FALSE"):
            return Literal("flag", token.keyword == "TRUE")
        if token.keyword == "NULL":
            return Literal("null", None)
        raise malformed(f"unexpected token: {token.text!r}")


def _text(body: str) -> str:
    """A quoted string's value, its escapes decoded; MALFORMED_QUERY for one SOQL lacks."""

    def decode(match: re.Match[str]) -> str:
        code = match[1]
        if len(code) == 5:
            return chr(int(code[1:], 16))
        if code not in _ESCAPES:
            raise malformed(f"invalid escape sequence in a string literal: \\{code}")
        return _ESCAPES[code]

    return _ESCAPE.sub(decode, body)


def _pattern(body: str) -> Literal:
    """A LIKE pattern as a regular expression: ``%`` any run, ``_`` one character.

    ``\\%`` and ``\\_`` stand for themselves; matching ignores case, as SOQL's does.
    """
    parts: list[str] = []
    position = 0
    for match in _ESCAPE.finditer(body):
        parts.append(_wildcards(body[position : match.start()]))
        code = match[1]
        parts.append(re.escape(code if code in ("%", "_") else _text(match[0])))
        position = match.end()
    parts.append(_wildcards(body[position:]))
    return Literal("pattern", re.compile("".join(parts), re.IGNORECASE | re.DOTALL))


def _wildcards(text: str) -> str:
    return "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in text)


def parse(text: str) -> Query:
    """The query in ``text``; MALFORMED_QUERY when it is not of the shapes above."""
    return _Parser(text).query()
