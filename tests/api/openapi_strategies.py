"""Hypothesis strategies for requests to any operation of an OpenAPI document, read from
the document itself (parameters and body), so a new operation is covered the day it is
added.

Values follow the schema (types, enums, bounds, patterns, maxLength, formats) and mix
in, at every leaf, the ones that break servers rather than validators: integers past
64 bits, NUL and lone surrogates, text one past its limit, dates at year 1 and 9999,
times whose UTC conversion leaves the calendar. A body is either wholly generated or a
known-valid body with one property replaced, so generated values also reach the
services behind the validation; integer path parameters are mostly ids of real rows.
"""

import datetime
import io
import os
from dataclasses import dataclass, field
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

# Past every column type: a 32-bit and a 64-bit boundary either side, and beyond.
EDGE_INTEGERS = (0, -1, 2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 2**64, 10**30)
EDGE_TEXT = ("", " ", "\x00", "名称\x00后缀", "\ud800", "photo\u202egpj.exe", "家👨‍👩‍👧‍👦")
EDGE_DATES = ("0001-01-01", "9999-12-31", "2026-02-30", "99999-01-01", "-0001-01-01")
# Stored as UTC, these leave the calendar (year 0, year 10000) if nothing checks them.
EDGE_DATETIMES = (
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59Z",
    "2026-13-01T00:00:00Z",
)
EDGE_NUMBERS = (0.0, -0.0, 1e308, -1e308, 1e-308, 2.0**64)
# Longer than any limit without one, short enough to keep a run fast.
LONG_TEXT = "长" * 5001
MAX_LIST = 4  # items in a generated array, beyond an edge case of maxItems + 1
MAX_DEPTH = 6  # nested objects past this are left out (recursive schemas)


@dataclass
class Call:
    """One request: the method, the URL with its path filled in, the query, the body (JSON
    or multipart) and headers."""

    method: str
    url: str
    query: list[tuple[str, str]] = field(default_factory=list)
    json: object = None
    multipart: dict | None = None
    headers: dict = field(default_factory=dict)

    def describe(self) -> str:
        body = self.json if self.multipart is None else sorted(self.multipart)
        text = f"{self.method.upper()} {self.url} query={self.query} body={body!r}"
        return text if len(text) < 600 else text[:600] + "…"


def resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _with_edges(valid: st.SearchStrategy, edges) -> st.SearchStrategy:
    # One draw in four is an edge case: most requests still reach past validation.
    return st.one_of(valid, valid, valid, st.sampled_from(edges))


class Generator:
    """Strategies for the values a schema describes. `ids` are primary keys of rows
    that exist: an integer without bounds is as often one of them as anything else."""

    def __init__(self, document: dict, ids: list[int]):
        self.document = document
        self.ids = st.sampled_from(ids) if ids else st.integers(1, 100)

    def value(self, schema: dict, depth: int = 0) -> st.SearchStrategy:
        schema = resolve(self.document, schema)
        if "enum" in schema:
            return _with_edges(st.sampled_from(schema["enum"]), EDGE_TEXT)
        if "anyOf" in schema or "oneOf" in schema:
            branches = schema.get("anyOf") or schema["oneOf"]
            return st.one_of([self.value(branch, depth) for branch in branches])
        kind = schema.get("type")
        if isinstance(kind, list):
            return st.one_of([self.value({**schema, "type": one}, depth) for one in kind])
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind == "integer":
            return self._integer(schema)
        if kind == "number":
            return self._number(schema)
        if kind == "string":
            return self._string(schema)
        if kind == "array":
            return self._array(schema, depth)
        if kind == "object" or "properties" in schema:
            return self._object(schema, depth)
        # An unconstrained value: anything JSON carries.
        return st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))

    def _integer(self, schema: dict) -> st.SearchStrategy:
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is None and high is None:
            valid = st.one_of(self.ids, st.integers())
        else:
            valid = st.integers(low, high)
        outside = [n for n in (low, high) if n is not None]
        edges = (*EDGE_INTEGERS, *(n - 1 for n in outside), *(n + 1 for n in outside))
        return _with_edges(valid, edges)

    def _number(self, schema: dict) -> st.SearchStrategy:
        valid = st.floats(
            schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False
        )
        return _with_edges(st.one_of(valid, st.integers(-(10**6), 10**6)), EDGE_NUMBERS)

    def _string(self, schema: dict) -> st.SearchStrategy:
        shape = schema.get("format")
        limit = schema.get("maxLength")
        if shape == "date":
            return _with_edges(st.dates().map(datetime.date.isoformat), EDGE_DATES)
        if shape == "date-time":
            moments = st.datetimes(timezones=st.none() | st.timezones())
            return _with_edges(moments.map(datetime.datetime.isoformat), EDGE_DATETIMES)
        if "pattern" in schema:
            valid = st.from_regex(schema["pattern"], fullmatch=True)
            if limit is not None:
                valid = valid.filter(lambda text: len(text) <= limit)
        else:
            valid = st.text(min_size=schema.get("minLength", 0), max_size=min(limit or 30, 30))
            if limit is not None and limit > 30:
                valid = st.one_of(valid, st.just("长" * limit))
        over = "长" * (limit + 1) if limit is not None else LONG_TEXT
        return _with_edges(valid, (*EDGE_TEXT, over))

    def _array(self, schema: dict, depth: int) -> st.SearchStrategy:
        items = self.value(schema.get("items", {}), depth + 1)
        most = schema.get("maxItems")
        valid = st.lists(items, max_size=min(most if most is not None else MAX_LIST, MAX_LIST))
        if most is None:
            return valid
        return st.one_of(valid, valid, valid, st.lists(items, min_size=most + 1, max_size=most + 1))

    def _object(self, schema: dict, depth: int) -> st.SearchStrategy:
        if depth > MAX_DEPTH:
            return st.just({})
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, dict):
            names = self.value(schema.get("propertyNames", {"type": "string"}), depth + 1)
            return st.dictionaries(names, self.value(extra, depth + 1), max_size=MAX_LIST)
        return st.fixed_dictionaries(
            {name: self.value(prop, depth + 1) for name, prop in properties.items()
             if name in required},
            optional={name: self.value(prop, depth + 1) for name, prop in properties.items()
                      if name not in required},
        )  # fmt: skip

    def file(self) -> st.SearchStrategy:
        """An upload: a name (hostile ones too) and bytes, sometimes a real small PNG."""
        names = st.one_of(st.sampled_from(("a.png", "a.xlsx", "a.csv", "a.pdf")), st.text())
        content = st.one_of(st.binary(max_size=64), st.just(_png()))
        return st.builds(_upload, names, content)


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    # What a browser sends is a name without folders; "", "." and ".." are not names
    # Django's test client can send at all.
    base = os.path.basename(name)
    return SimpleUploadedFile(base if base not in ("", ".", "..") else "x", data)


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _header_text() -> st.SearchStrategy:
    # What an HTTP header can carry: Latin-1 without control characters.
    return st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40)


@st.composite
def calls(
    draw,
    generator: Generator,
    method: str,
    path: str,
    operation: dict,
    known: tuple[dict, dict] | None = None,
) -> Call:
    """A request to one operation. `known`, when given, is a valid (path parameters,
    body) pair for it: path parameters are often its ids, and the body is often it with
    one property replaced by a generated value."""
    document = generator.document
    known_params, known_body = known or ({}, None)
    params, query, headers = {}, [], {}
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        name, where = parameter["name"], parameter["in"]
        if where == "path":
            values = generator.value(schema)
            if name in known_params:
                values = st.one_of(st.just(known_params[name]), values)
            # A lone surrogate travels as the bytes a client could send (invalid UTF-8).
            params[name] = quote(_as_text(draw(values)), safe="", errors="surrogatepass")
        elif where == "query":
            if not parameter.get("required") and draw(st.booleans()):
                continue
            value = draw(generator.value(schema))
            if isinstance(value, list):
                query.extend((name, _as_text(one)) for one in value)
            elif value is not None:
                query.append((name, _as_text(value)))
        elif where == "header" and (parameter.get("required") or draw(st.booleans())):
            headers[name] = draw(_header_text())
    url = path.format(**params)
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        schema = resolve(document, content["application/json"]["schema"])
        body = draw(_json_body(generator, schema, known_body))
        return Call(method, url, query, json=body, headers=headers)
    if "multipart/form-data" in content:
        schema = resolve(document, content["multipart/form-data"]["schema"])
        return Call(method, url, query, multipart=draw(_multipart(generator, schema)),
                    headers=headers)  # fmt: skip
    return Call(method, url, query, headers=headers)


def _json_body(generator: Generator, schema: dict, known: dict | None) -> st.SearchStrategy:
    generated = generator.value(schema)
    properties = schema.get("properties", {})
    if not isinstance(known, dict) or not properties:
        return generated

    @st.composite
    def one_changed(draw):
        name = draw(st.sampled_from(sorted(properties)))
        return {**known, name: draw(generator.value(properties[name], 1))}

    return st.one_of(st.just(known), one_changed(), one_changed(), generated)


@st.composite
def _multipart(draw, generator: Generator, schema: dict) -> dict:
    data = {}
    for name, prop in schema.get("properties", {}).items():
        prop = resolve(generator.document, prop)
        required = name in schema.get("required", [])
        if not required and draw(st.booleans()):
            continue
        if _is_file(generator.document, prop):
            data[name] = draw(generator.file())
        else:
            value = draw(generator.value(prop))
            if isinstance(value, dict | list):
                continue  # nested values do not travel as form fields
            if value is not None:
                # A form field's lone surrogate arrives as invalid UTF-8, which Django
                # decodes to U+FFFD: the test client can only send what arrives.
                text = _as_text(value).encode("utf-8", "surrogatepass")
                data[name] = text.decode("utf-8", "replace")
    return data


def _is_file(document: dict, schema: dict) -> bool:
    if schema.get("format") == "binary":
        return True
    if schema.get("type") == "array":
        return _is_file(document, resolve(document, schema.get("items", {})))
    return any(_is_file(document, resolve(document, b)) for b in schema.get("anyOf", []))
