"""A SOQL subset: tokenizer, parser, resolver (against :mod:`.schema`) and evaluator.

Supported::

    SELECT field, Parent.field, Parent.Grandparent.field,
           (SELECT field, ... FROM ChildRelationship [WHERE ...] [ORDER BY ...] [LIMIT n])
      | SELECT COUNT()
    FROM Object
    [WHERE condition]          -- AND / OR (parentheses required to mix them, as in SOQL), NOT,
                               -- = != <> < <= > >= IN (...) NOT IN (...) LIKE
    [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], ...]
    [LIMIT n] [OFFSET n]

Literals: 'strings' with SOQL's backslash escapes (``\\' \\" \\\\ \\n \\r \\t \\b \\f``, and ``\\% \\_``
for LIKE), numbers, ``true``/``false``/``null``, dates (``2026-11-26``) and datetimes
(``2026-11-26T06:49:21Z``, ``+09:00``). Keywords and names are case-insensitive; text compares
case-insensitively (``=`` and ``LIKE`` alike) and ids case-sensitively, as in Salesforce.
``!=`` and ``NOT IN`` match null values; ``<``/``>`` never do.

Anything else (GROUP BY, aggregates, semi-joins, date literals such as ``TODAY``, ``TYPEOF``) is
answered ``MALFORMED_QUERY``: a query the sandbox cannot run never gives a wrong answer. Every
failure is a :class:`SoqlError`; no input makes the parser raise anything else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from . import schema
from .ids import to_18
from .schema import ChildRelationship, Field, SObjectType
from .store import Store, to_json_value

MAX_QUERY_LENGTH = 100_000
MAX_NESTING = 50

RESERVED = frozenset({
    "AND", "ASC", "BY", "DESC", "EXCLUDES", "FALSE", "FIRST", "FROM", "GROUP", "HAVING", "IN", "INCLUDES", "LAST",
    "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OFFSET", "OR", "ORDER", "SELECT", "TRUE", "USING", "WHERE", "WITH",
})
UNSUPPORTED = frozenset({"GROUP", "HAVING", "WITH", "USING", "FOR", "UPDATE", "TYPEOF", "INCLUDES", "EXCLUDES"})
COMPARISONS = ("=", "!=", "<>", "<", "<=", ">", ">=")
ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class SoqlError(Exception):
    """``MALFORMED_QUERY``, ``INVALID_FIELD``, ``INVALID_TYPE`` or ``INVALID_QUERY_FILTER_OPERATOR``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def to_json(self) -> dict[str, str]:
        return {"message": self.message, "errorCode": self.code}


def _located(text: str, pos: int, message: str) -> str:
    """Salesforce's way of pointing at the problem: the line, a caret, ``ERROR at Row:r:Column:c``."""
    pos = max(0, min(pos, len(text)))
    row = text.count("\n", 0, pos) + 1
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:] if end == -1 else text[start:end]
    column = pos - start + 1
    return f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{message}"


# -- tokens ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str  # ident | string | number | date | datetime | op | punct | eof
    text: str
    pos: int
    value: Any = None

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "ident" and self.text.upper() in words


_WS = re.compile(r"\s+")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})(?![\w.:])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w.:-])")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?![\w.])")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*(?![\w.])")
_OPERATOR = re.compile(r"!=|<>|<=|>=|=|<|>")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _WS.match(text, pos)
        if match:
            pos = match.end()
            continue
        char = text[pos]
        if char == "'":
            token = _scan_string(text, pos)
        elif char in "(),":
            token = Token("punct", char, pos)
        elif match := _OPERATOR.match(text, pos):
            token = Token("op", match.group(), pos)
        elif match := _DATETIME.match(text, pos):
            token = Token("datetime", match.group(), pos, _parse_datetime(text, match.group(), pos))
        elif match := _DATE.match(text, pos):
            token = Token("date", match.group(), pos, _parse_date(text, match.group(), pos))
        elif match := _NUMBER.match(text, pos):
            token = Token("number", match.group(), pos, float(match.group()))
        elif match := _IDENT.match(text, pos):
            token = Token("ident", match.group(), pos)
        else:
            raise SoqlError("MALFORMED_QUERY", _located(text, pos, f"line 1:{pos} no viable alternative at character "
                                                              f"'{char}'"))
        tokens.append(token)
        pos = token.pos + len(token.text)
    tokens.append(Token("eof", "", len(text)))
    return tokens


def _scan_string(text: str, start: int) -> Token:
    """A quoted string; its value keeps, per character, whether it was escaped (for LIKE's % and _)."""
    chars: list[tuple[str, bool]] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            following = text[pos + 1:pos + 2]
            if following in ESCAPES:
                chars.append((ESCAPES[following], True))
            elif following in ("%", "_"):
                chars.append((following, True))
            else:
                raise SoqlError("MALFORMED_QUERY", _located(
                    text, pos, f"Invalid string literal '{text[start:pos + 2]}'. Illegal character sequence "
                               f"'\\{following}' in string literal."))
            pos += 2
        elif char == "'":
            return Token("string", text[start:pos + 1], start, tuple(chars))
        else:
            chars.append((char, False))
            pos += 1
    raise SoqlError("MALFORMED_QUERY", _located(text, start, "unexpected token: unterminated string literal"))


def _parse_date(text: str, literal: str, pos: int) -> date:
    try:
        return date.fromisoformat(literal)
    except ValueError:
        raise SoqlError("MALFORMED_QUERY", _located(text, pos, f"invalid date: {literal}")) from None


def _parse_datetime(text: str, literal: str, pos: int) -> datetime:
    normalized = re.sub(r"\.(\d{1,6})\d*", r".\1", literal)
    try:
        return datetime.fromisoformat(normalized).astimezone(UTC)
    except ValueError:
        raise SoqlError("MALFORMED_QUERY", _located(text, pos, f"invalid datetime: {literal}")) from None


# -- syntax tree ----------------------------------------------------------------------------------
@dataclass
class FieldRef:
    parts: list[str]
    pos: int
    resolved: Path | None = None


@dataclass
class Literal:
    kind: str  # string | number | boolean | null | date | datetime
    value: Any
    pos: int


@dataclass
class Comparison:
    field: FieldRef
    op: str  # = != < <= > >= IN NOT IN LIKE
    values: list[Literal]
    normalized: list[Any] = field(default_factory=list)
    pattern: re.Pattern | None = None


@dataclass
class Logical:
    op: str  # AND | OR
    terms: list[Any]


@dataclass
class Negation:
    term: Any


@dataclass
class Ordering:
    field: FieldRef
    descending: bool
    nulls_first: bool


@dataclass
class Query:
    items: list[Any]  # FieldRef | Query (child subquery)
    sobject: str
    sobject_pos: int
    count: bool = False
    where: Any = None
    order_by: list[Ordering] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None
    pos: int = 0
    resolved: SObjectType | None = None
    relationship: ChildRelationship | None = None


# -- parser ---------------------------------------------------------------------------------------
class Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "eof":
            self.index += 1
        return token

    def error(self, token: Token | None = None, message: str | None = None) -> SoqlError:
        token = token or self.token
        if message is None:
            shown = "<EOF>" if token.kind == "eof" else f"'{token.text}'"
            if token.is_keyword(*UNSUPPORTED):
                message = f"unexpected token: {shown} (the sandbox does not support {token.text.upper()})"
            else:
                message = f"unexpected token: {shown}"
        return SoqlError("MALFORMED_QUERY", _located(self.text, token.pos, message))

    def expect_keyword(self, word: str) -> Token:
        if not self.token.is_keyword(word):
            raise self.error()
        return self.advance()

    def expect_punct(self, char: str) -> Token:
        if self.token.kind != "punct" or self.token.text != char:
            raise self.error()
        return self.advance()

    def at_punct(self, char: str) -> bool:
        return self.token.kind == "punct" and self.token.text == char

    def parse(self) -> Query:
        query = self.parse_query(subquery=False)
        if self.token.kind != "eof":
            raise self.error()
        return query

    def parse_query(self, *, subquery: bool) -> Query:
        start = self.expect_keyword("SELECT")
        items, count = self.parse_select_list(subquery)
        self.expect_keyword("FROM")
        name = self.advance()
        if name.kind != "ident" or "." in name.text:
            raise self.error(name)
        query = Query(items, name.text, name.pos, count=count, pos=start.pos)
        if self.token.is_keyword("WHERE"):
            self.advance()
            query.where = self.parse_condition()
        if self.token.is_keyword("ORDER"):
            self.advance()
            self.expect_keyword("BY")
            query.order_by = self.parse_order_by()
        if self.token.is_keyword("LIMIT"):
            self.advance()
            query.limit = self.parse_count()
        if self.token.is_keyword("OFFSET"):
            self.advance()
            query.offset = self.parse_count()
        return query

    def parse_select_list(self, subquery: bool) -> tuple[list[Any], bool]:
        if self.token.is_keyword("COUNT") and self.tokens[self.index + 1].text == "(" and not subquery:
            self.advance()
            self.advance()
            if not self.at_punct(")"):
                raise self.error(message=f"unexpected token: '{self.token.text}' (the sandbox supports COUNT() only)")
            self.advance()
            return [], True
        items: list[Any] = []
        while True:
            token = self.token
            if self.at_punct("("):
                if subquery:
                    raise self.error()
                self.advance()
                self.depth += 1
                items.append(self.parse_query(subquery=True))
                self.depth -= 1
                self.expect_punct(")")
            else:
                items.append(self.parse_field())
            if token.kind == "ident" and self.at_punct("("):  # a function call: COUNT(Id), MAX(...), FORMAT(...)
                raise self.error(token, f"unexpected token: '{token.text}' (the sandbox does not support functions)")
            if not self.at_punct(","):
                return items, False
            self.advance()

    def parse_field(self) -> FieldRef:
        token = self.token
        if token.kind != "ident" or ("." not in token.text and token.text.upper() in RESERVED):
            raise self.error()
        self.advance()
        return FieldRef(token.text.split("."), token.pos)

    def parse_count(self) -> int:
        token = self.advance()
        if token.kind != "number" or not re.fullmatch(r"\d+", token.text):
            raise self.error(token)
        return int(token.text)

    def parse_order_by(self) -> list[Ordering]:
        orderings = []
        while True:
            ref = self.parse_field()
            descending = False
            if self.token.is_keyword("ASC", "DESC"):
                descending = self.advance().text.upper() == "DESC"
            nulls_first = True  # Salesforce's default, whatever the direction
            if self.token.is_keyword("NULLS"):
                self.advance()
                if not self.token.is_keyword("FIRST", "LAST"):
                    raise self.error()
                nulls_first = self.advance().text.upper() == "FIRST"
            orderings.append(Ordering(ref, descending, nulls_first))
            if not self.at_punct(","):
                return orderings
            self.advance()

    def parse_condition(self) -> Any:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(message="the query is nested too deeply")
        terms = [self.parse_term()]
        op = None
        while self.token.is_keyword("AND", "OR"):
            word = self.token.text.upper()
            if op is not None and word != op:
                raise self.error(message=f"unexpected token: '{self.token.text}' "
                                         "(use parentheses to mix AND and OR)")
            op = word
            self.advance()
            terms.append(self.parse_term())
        self.depth -= 1
        return terms[0] if op is None else Logical(op, terms)

    def parse_term(self) -> Any:
        if self.token.is_keyword("NOT"):
            self.advance()
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise self.error(message="the query is nested too deeply")
            term = Negation(self.parse_term())
            self.depth -= 1
            return term
        if self.at_punct("("):
            self.advance()
            condition = self.parse_condition()
            self.expect_punct(")")
            return condition
        ref = self.parse_field()
        token = self.token
        if token.kind == "op":
            self.advance()
            op = "!=" if token.text == "<>" else token.text
            return Comparison(ref, op, [self.parse_literal()])
        if token.is_keyword("LIKE"):
            self.advance()
            literal = self.parse_literal()
            if literal.kind != "string":
                raise self.error(self.tokens[self.index - 1])
            return Comparison(ref, "LIKE", [literal])
        negated = False
        if token.is_keyword("NOT") and self.tokens[self.index + 1].is_keyword("IN"):
            self.advance()
            negated = True
        if self.token.is_keyword("IN"):
            self.advance()
            self.expect_punct("(")
            if self.token.is_keyword("SELECT"):
                raise self.error(message="unexpected token: 'SELECT' (the sandbox does not support semi-joins)")
            values = [self.parse_literal()]
            while self.at_punct(","):
                self.advance()
                values.append(self.parse_literal())
            self.expect_punct(")")
            return Comparison(ref, "NOT IN" if negated else "IN", values)
        raise self.error()

    def parse_literal(self) -> Literal:
        token = self.advance()
        if token.kind == "string":
            return Literal("string", token.value, token.pos)
        if token.kind in ("number", "date", "datetime"):
            return Literal(token.kind, token.value, token.pos)
        if token.is_keyword("TRUE", "FALSE"):
            return Literal("boolean", token.text.upper() == "TRUE", token.pos)
        if token.is_keyword("NULL"):
            return Literal("null", None, token.pos)
        if token.kind == "ident" and "." not in token.text and token.text.upper() not in RESERVED:
            raise self.error(token, f"unexpected token: '{token.text}' (the sandbox does not support date literals "
                                    "or bind variables)")
        raise self.error(token)


def parse(text: str) -> Query:
    if not isinstance(text, str) or not text.strip():
        raise SoqlError("MALFORMED_QUERY", "A query string has to be specified")
    if len(text) > MAX_QUERY_LENGTH:
        raise SoqlError("MALFORMED_QUERY", f"query is too long: {len(text)} characters (the limit is "
                                           f"{MAX_QUERY_LENGTH})")
    return Parser(text).parse()


# -- resolution against the schema ----------------------------------------------------------------
@dataclass(frozen=True)
class Path:
    """A resolved field path: the reference fields followed, then the field read."""

    steps: tuple[Field, ...]
    field: Field

    def value(self, record: dict[str, Any], store: Store) -> Any:
        for step in self.steps:
            record = store.raw(step.reference_to, record.get(step.name))
            if record is None:
                return None
        return record.get(self.field.name)


def _string_value(chars: tuple[tuple[str, bool], ...]) -> str:
    return "".join(char for char, _ in chars)


def _like_pattern(chars: tuple[tuple[str, bool], ...]) -> re.Pattern:
    parts = []
    for char, escaped in chars:
        if char == "%" and not escaped:
            parts.append(".*")
        elif char == "_" and not escaped:
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


class Resolver:
    def __init__(self, text: str):
        self.text = text

    def error(self, code: str, pos: int, message: str) -> SoqlError:
        return SoqlError(code, _located(self.text, pos, message))

    def query(self, query: Query, parent: SObjectType | None = None) -> None:
        if parent is None:
            sobject = schema.sobject(query.sobject)
            if sobject is None:
                raise self.error("INVALID_TYPE", query.sobject_pos, (
                    f"sObject type '{query.sobject}' is not supported. If you are attempting to use a custom object, "
                    "be sure to append the '__c' after the entity name. Please reference your WSDL or the describe "
                    "call for the appropriate names."))
        else:
            relationship = parent.child(query.sobject)
            if relationship is None:
                raise self.error("INVALID_TYPE", query.sobject_pos, (
                    f"Didn't understand relationship '{query.sobject}' in FROM part of query call. If you are "
                    "attempting to use a custom relationship, be sure to append the '__r' after the custom "
                    "relationship name. Please reference your WSDL or the describe call for the appropriate names."))
            query.relationship = relationship
            sobject = schema.sobject(relationship.child)
        query.resolved = sobject
        seen: set[str] = set()
        for item in query.items:
            if isinstance(item, Query):
                key = item.sobject.lower()
                self.query(item, sobject)
            else:
                item.resolved = self.path(sobject, item)
                key = ".".join(item.parts).lower()
            if key in seen:
                raise self.error("MALFORMED_QUERY", item.pos, f"duplicate field selected: {'.'.join(item.parts)}"
                                 if isinstance(item, FieldRef) else f"duplicate relationship: {item.sobject}")
            seen.add(key)
        if query.where is not None:
            self.condition(sobject, query.where)
        for ordering in query.order_by:
            ordering.field.resolved = self.path(sobject, ordering.field)

    def path(self, sobject: SObjectType, ref: FieldRef) -> Path:
        steps = []
        current = sobject
        for part in ref.parts[:-1]:
            step = current.parent_field(part)
            if step is None:
                raise self.error("INVALID_FIELD", ref.pos, (
                    f"Didn't understand relationship '{part}' in field path. If you are attempting to use a custom "
                    "relationship, be sure to append the '__r' after the custom relationship name. Please reference "
                    "your WSDL or the describe call for the appropriate names."))
            steps.append(step)
            current = schema.sobject(step.reference_to)
        final = current.field(ref.parts[-1])
        if final is None:
            raise self.error("INVALID_FIELD", ref.pos, (
                f"No such column '{ref.parts[-1]}' on entity '{current.name}'. If you are attempting to use a custom "
                "field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
                "describe call for the appropriate names."))
        return Path(tuple(steps), final)

    def condition(self, sobject: SObjectType, node: Any) -> None:
        if isinstance(node, Logical):
            for term in node.terms:
                self.condition(sobject, term)
        elif isinstance(node, Negation):
            self.condition(sobject, node.term)
        else:
            self.comparison(sobject, node)

    def comparison(self, sobject: SObjectType, node: Comparison) -> None:
        path = node.field.resolved = self.path(sobject, node.field)
        target = path.field
        category = target.category
        if node.op == "LIKE":
            if category != "string":
                raise self.error("INVALID_FIELD", node.field.pos,
                                 f"invalid operator on field '{target.name}': LIKE works on text fields only")
            node.pattern = _like_pattern(node.values[0].value)
            return
        if node.op in ("<", "<=", ">", ">=") and category == "boolean":
            raise self.error("INVALID_QUERY_FILTER_OPERATOR", node.field.pos,
                             f"invalid operator on boolean field '{target.name}': {node.op}")
        node.normalized = [self.literal(target, literal, node.op) for literal in node.values]

    def literal(self, target: Field, literal: Literal, op: str) -> Any:
        category = target.category
        if literal.kind == "null":
            if op not in ("=", "!=", "IN", "NOT IN"):
                raise self.error("MALFORMED_QUERY", literal.pos, f"unexpected token: null (with {op})")
            return None
        expected = {"id": "string", "string": "string", "number": "number", "boolean": "boolean",
                    "date": "date", "datetime": "datetime"}[category]
        if literal.kind != expected:
            quoted = category in ("id", "string")
            raise self.error("INVALID_FIELD", literal.pos, (
                f"value of filter criterion for field '{target.name}' must be of type {target.soap_type} and should "
                f"{'' if quoted else 'not '}be enclosed in quotes"))
        if category == "string":
            return _string_value(literal.value).casefold()
        if category == "id":
            text = _string_value(literal.value)
            if text == "":
                return ""
            normalized = to_18(text)
            if normalized is None:
                raise self.error("INVALID_QUERY_FILTER_OPERATOR", literal.pos, f"invalid ID field: {text}")
            return normalized
        return literal.value


# -- evaluation -----------------------------------------------------------------------------------
def _comparable(path: Path, value: Any) -> Any:
    if value is None:
        return None
    if path.field.category == "string":
        return value.casefold()
    return value


def _matches(node: Any, record: dict[str, Any], store: Store) -> bool:
    if isinstance(node, Logical):
        if node.op == "AND":
            return all(_matches(term, record, store) for term in node.terms)
        return any(_matches(term, record, store) for term in node.terms)
    if isinstance(node, Negation):
        return not _matches(node.term, record, store)
    path = node.field.resolved
    value = _comparable(path, path.value(record, store))
    op = node.op
    if op == "LIKE":
        return value is not None and node.pattern.fullmatch(value) is not None
    if op in ("IN", "NOT IN"):
        found = value in node.normalized
        return found if op == "IN" else not found
    literal = node.normalized[0]
    if op == "=":
        return value == literal
    if op == "!=":
        return value != literal
    if value is None or literal is None:
        return False
    return {"<": value < literal, "<=": value <= literal, ">": value > literal, ">=": value >= literal}[op]


def _sort(records: list[dict[str, Any]], orderings: list[Ordering], store: Store) -> list[dict[str, Any]]:
    records = list(records)
    for ordering in reversed(orderings):  # stable sorts, last key first
        path = ordering.field.resolved
        null_rank = 0 if ordering.nulls_first != ordering.descending else 2

        def key(record: dict[str, Any], path: Path = path, null_rank: int = null_rank) -> tuple:
            value = _comparable(path, path.value(record, store))
            return (null_rank,) if value is None else (1, value)

        records.sort(key=key, reverse=ordering.descending)
    return records


def _select(query: Query, records: list[dict[str, Any]], store: Store) -> list[dict[str, Any]]:
    if query.where is not None:
        records = [r for r in records if _matches(query.where, r, store)]
    if query.order_by:
        records = _sort(records, query.order_by, store)
    start = query.offset or 0
    end = None if query.limit is None else start + query.limit
    return records[start:end]


@dataclass
class Executor:
    store: Store
    version: str
    include_deleted: bool = False

    def attributes(self, sobject: SObjectType, record_id: str) -> dict[str, str]:
        return {"type": sobject.name, "url": f"/services/data/v{self.version}/sobjects/{sobject.name}/{record_id}"}

    def run(self, query: Query) -> dict[str, Any]:
        rows = _select(query, self._candidates(query), self.store)
        if query.count:
            return {"totalSize": len(rows), "done": True, "records": []}
        return {"totalSize": len(rows), "done": True, "records": [self.render(query, row) for row in rows]}

    def _candidates(self, query: Query) -> list[dict[str, Any]]:
        """The rows a query's WHERE can match: when it requires an id or lookup field to equal a
        value (``Id = ...``, ``AccountId = ... AND ...``), only the records having it (Salesforce
        indexes these fields); otherwise every row. ``_select`` applies the whole WHERE either way."""
        where = query.where
        terms = where.terms if isinstance(where, Logical) and where.op == "AND" else [where]
        for term in terms:
            if not isinstance(term, Comparison) or term.op != "=":
                continue
            path = term.field.resolved
            if path is not None and not path.steps and path.field.category == "id" and term.normalized \
                    and term.normalized[0]:
                return self.store.having(query.resolved.name, path.field.name, term.normalized[0],
                                         self.include_deleted)
        return self.store.rows(query.resolved.name, self.include_deleted)

    def render(self, query: Query, record: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": self.attributes(query.resolved, record["Id"])}
        for item in query.items:
            if isinstance(item, Query):
                relationship = item.relationship
                children = self.store.having(relationship.child, relationship.field, record["Id"],
                                             self.include_deleted)
                children = _select(item, children, self.store)
                out[relationship.name] = {
                    "totalSize": len(children), "done": True,
                    "records": [self.render(item, child) for child in children],
                } if children else None
            else:
                self._put(out, record, item.resolved)
        return out

    def _put(self, out: dict[str, Any], record: dict[str, Any], path: Path) -> None:
        target = out
        for step in path.steps:
            parent = self.store.raw(step.reference_to, record.get(step.name))
            if parent is None:
                target.setdefault(step.relationship_name, None)
                return
            if target.get(step.relationship_name) is None:
                target[step.relationship_name] = {
                    "attributes": self.attributes(schema.sobject(step.reference_to), parent["Id"])
                }
            target = target[step.relationship_name]
            record = parent
        target[path.field.name] = to_json_value(path.field, record.get(path.field.name))


def execute(text: str, store: Store, *, version: str = "62.0", include_deleted: bool = False) -> dict[str, Any]:
    """Parse, check and run a query: the REST ``query`` answer, or :class:`SoqlError`."""
    query = parse(text)
    Resolver(text).query(query)
    return Executor(store, version, include_deleted).run(query)

