"""Issue 22: every text field a page form or a write operation takes states a maximum
length, and where the text is stored in a model column, it is the column's. The forms
and schemas are found by walking the project (`jiceng.core.field_inventory`), so a new
form or operation is held to this without a change here. The OpenAPI document states
`maxLength` for every string in every request body, nested ones included."""

from jiceng.api import api
from jiceng.core.field_inventory import form_text_fields, schema_text_fields


def _mismatches(fields) -> list[str]:
    wrong = []
    for field in fields:
        if field.max_length is None:
            wrong.append(f"{field.owner} {field.name}: no max_length")
        elif field.column and field.column_limit() != field.max_length:
            wrong.append(
                f"{field.owner} {field.name}: {field.max_length}, "
                f"but {field.column} holds {field.column_limit()}"
            )
    return wrong


def test_every_form_text_field_has_its_columns_length():
    fields = form_text_fields()
    assert len(fields) > 100
    # Most typed text is stored: the inventory knows where (a map beside each form).
    assert sum(1 for f in fields if f.column) > 70
    assert _mismatches(fields) == []


def test_every_schema_text_field_has_its_columns_length():
    fields = schema_text_fields()
    assert len(fields) > 80
    assert sum(1 for f in fields if f.column) > 60
    assert _mismatches(fields) == []


def _strings(document: dict, schema: dict, at: str, seen: set):
    """(where, schema) of every string in `schema`, references and nesting followed."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen = seen | {name}
        yield from _strings(document, document["components"]["schemas"][name], at, seen)
        return
    for branch in schema.get("anyOf", []) + schema.get("allOf", []) + schema.get("oneOf", []):
        yield from _strings(document, branch, at, seen)
    if schema.get("type") == "string":
        yield at, schema
    for name, prop in schema.get("properties", {}).items():
        yield from _strings(document, prop, f"{at}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        yield from _strings(document, schema["items"], f"{at}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _strings(document, schema["additionalProperties"], f"{at}{{}}", seen)


def test_every_string_of_every_request_body_states_its_max_length():
    document = api.get_openapi_schema()
    missing, found = [], 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                at = f"{method.upper()} {path} ({media})"
                for where, schema in _strings(document, content["schema"], at, set()):
                    found += 1
                    # A date, a time or a file is checked by its format, a choice by its
                    # values; everything else a client types has a limit.
                    fixed = "enum" in schema or "const" in schema
                    formatted = schema.get("format") in ("date", "date-time", "binary")
                    if not fixed and not formatted and "maxLength" not in schema:
                        missing.append(where)
    assert found > 150
    assert missing == []
