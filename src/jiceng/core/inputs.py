"""The one input policy: what a text field accepts, for pages, the JSON API, Open311,
imports and every other way text enters.

- Length: at most the column's `max_length`, read from the model field, so the schema,
  the form and the database agree (`model_text` puts it in the OpenAPI document as
  `maxLength`). Checked before the database: PostgreSQL refuses an over-long varchar
  where SQLite stores it.
- Control characters (C0 other than tab, newline and carriage return; DEL; C1;
  surrogates; U+FFFE/U+FFFF) are refused with an error naming the field: PostgreSQL
  refuses NUL in text outright, XML 1.0 cannot carry the rest, and none of them is
  anything a person meant to type.
- Bidirectional controls (U+202A–202E, U+2066–2069) are removed: they make a name or a
  file name display as something it is not ("photo‮gpj.exe").
- Numbers people match (phones, ID numbers, credit codes, certificate numbers) are
  NFKC-normalized, so full-width digits typed on a phone match half-width ones.

`check_text` is the function; `model_text` its pydantic type for API schemas;
`InputPolicyForm` applies it to every text field of a page form; `QueryStringMiddleware`
refuses control characters in query strings and paths, where no form or schema looks.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, Literal

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic import ValidationError as PydanticError
from pydantic_core import PydanticCustomError

from jiceng.core.errors import ValidationFailed

Kind = Literal["text", "multiline", "name", "number", "code"]

MSG_CONTROL = _("含有不可见的控制字符（如 NUL），请删除后重新输入")
MSG_TOO_LONG = _("最多 %(limit)d 个字符，现有 %(length)d 个")
MSG_TOO_SMALL = _("不能小于 %(limit)s")
MSG_TOO_LARGE = _("不能大于 %(limit)s")

# The years a filter, a path or a record may name. datetime.date stops at 9999 and a
# year lookup builds dates from the number, so an unbounded one (-209828546) was a
# server error; no record of the platform lies outside these.
YEAR_MIN, YEAR_MAX = 1900, 2100

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX, description="年份")]


def has_control(value: str) -> bool:
    return CONTROL.search(value) is not None


def remove_bidi(value: str) -> str:
    return BIDI.sub("", value)


def max_length_of(model: type[models.Model], field: str) -> int:
    """The column's limit; every text column of the project has one (TextFields carry
    `max_length` for this policy even though the database does not enforce it)."""
    limit = getattr(model._meta.get_field(field), "max_length", None)
    if not isinstance(limit, int) or not limit:
        raise LookupError(f"{model.__name__}.{field} has no max_length")
    return limit


def too_long(limit: int, length: int) -> str:
    return str(MSG_TOO_LONG) % {"limit": limit, "length": length}


def check_text(
    value: str | None, *, field: str, max_length: int | None = None, kind: Kind = "text"
) -> str:
    """The value as stored, or ValidationFailed naming the field. Surrounding space is
    trimmed; one-line text has its runs of space collapsed; a name typed with spaces
    between Chinese characters loses them; numbers are NFKC-normalized."""
    value = value or ""
    if has_control(value):
        raise ValidationFailed(MSG_CONTROL, field=field)
    value = remove_bidi(value).replace("\r\n", "\n").replace("\r", "\n")
    if kind == "multiline":
        value = "\n".join(line.rstrip() for line in value.split("\n")).strip()
    else:
        if kind in ("number", "name"):
            value = unicodedata.normalize("NFKC", value)
        value = re.sub(r"\s+", " ", value).strip()
        if kind == "name" and re.fullmatch(r"[\u3400-\u9fff ·•]+", value):
            value = value.replace(" ", "")
    if max_length is not None and len(value) > max_length:
        raise ValidationFailed(too_long(max_length, len(value)), field=field)
    return value


def check_model_text(
    model: type[models.Model], field: str, value: str | None, *, kind: Kind = "text", name=None
) -> str:
    """`check_text` with the column's limit: for services fed by imports and exchanges."""
    return check_text(value, field=name or field, max_length=max_length_of(model, field), kind=kind)


# ---- JSON API -------------------------------------------------------------------------------


def _pydantic_check(value: str, *, kind: Kind, max_length: int) -> str:
    # The limit is checked again after cleaning: NFKC can lengthen a text ("㍿" is
    # four characters once normalized).
    try:
        return check_text(value, field="", max_length=max_length, kind=kind)
    except ValidationFailed as refused:
        raise PydanticCustomError("invalid", str(refused.message)) from None


def limited_text(max_length: int, *, kind: Kind = "text"):
    """A pydantic string type: at most `max_length` characters (in OpenAPI as
    maxLength), control characters refused, the rest as `check_text`."""
    return Annotated[
        str,
        StringConstraints(max_length=max_length),
        AfterValidator(partial(_pydantic_check, kind=kind, max_length=max_length)),
    ]


def as_pydantic(refused: ValidationFailed) -> PydanticCustomError:
    """An app's typed refusal carried through pydantic: the API's validation handler
    reads `code` and `field` from the error's context, so the JSON body names the app's
    code (orglife, duties)."""
    message = str(refused.message).replace("{", "{{").replace("}", "}}")
    return PydanticCustomError(
        "invalid", message, {"code": str(refused.code), "field": refused.field or ""}
    )


Refusal = Callable[[dict], ValidationFailed]


def refusing_schema(refusal: Refusal) -> type[Schema]:
    """The base of an app's input schemas: whatever pydantic refuses leaves as the app's
    typed refusal (`refusal` maps one pydantic error to it), carried to the API's error
    body through `as_pydantic`; the pages parse with `parse_refusing` and the same map."""

    class In(Schema):
        @model_validator(mode="wrap")
        @classmethod
        def _refusal(cls, data, handler):
            try:
                return handler(data)
            except PydanticError as error:
                raise as_pydantic(refusal(dict(error.errors()[0]))) from None

    return In


def parse_refusing(schema: type[Schema], data: dict[str, Any], refusal: Refusal) -> Any:
    """Validate `data` with `schema`; the first problem becomes the app's typed error
    naming the field, with the code the API answers for the same input."""
    try:
        return schema.model_validate(data)
    except PydanticError as error:
        raise refusal(dict(error.errors()[0])) from None


def _secret_check(value: str) -> str:
    if has_control(value):
        raise PydanticCustomError("invalid", str(MSG_CONTROL))
    return value


def secret_text(max_length: int = 128):
    """A password as typed: length limited and control characters refused, but never
    trimmed, collapsed or normalized (that would change the password)."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_secret_check)]


@dataclass(frozen=True)
class Column:
    """Where a schema's text field is stored ("members.Member.name"): metadata that
    `jiceng.core.field_inventory` reads, so the guide and the limit test know it."""

    column: str


def model_text(model: type[models.Model], field: str, *, kind: Kind = "text"):
    """`limited_text` with the limit of the model field the value is stored in."""
    column = Column(f"{model._meta.app_label}.{model.__name__}.{field}")
    return Annotated[limited_text(max_length_of(model, field), kind=kind), column]


def _decimal_length(value, *, max_length: int):
    if isinstance(value, str) and len(value) > max_length:
        raise PydanticCustomError("invalid", too_long(max_length, len(value)))
    return value


def model_decimal(model: type[models.Model], field: str):
    """A decimal as its column takes it (digits and places), sent as a number or as text;
    as text at most as long as the column's widest value (sign and point included), so
    the OpenAPI document states a maxLength for it as for any other text."""
    column = model._meta.get_field(field)
    if not isinstance(column, models.DecimalField) or column.max_digits is None:
        raise LookupError(f"{model.__name__}.{field} is no decimal column")
    digits, places = column.max_digits, column.decimal_places
    max_length = digits + 2
    schema = {
        "anyOf": [
            {"type": "number"},
            {"type": "string", "maxLength": max_length, "pattern": r"^-?\d+(\.\d+)?$"},
        ]
    }
    return Annotated[
        Decimal,
        Field(max_digits=digits, decimal_places=places),
        BeforeValidator(partial(_decimal_length, max_length=max_length)),
        WithJsonSchema(schema),
    ]


# ---- pages ----------------------------------------------------------------------------------


def refuse_control_characters(value: str) -> None:
    # A code of its own: a field's error_messages["invalid"] (a regex field's hint)
    # would otherwise replace this message.
    if isinstance(value, str) and has_control(value):
        raise DjangoValidationError(MSG_CONTROL, code="control")


class InputPolicyForm(forms.Form):
    """The base of every page form: each text field refuses control characters with a
    form error on the field (in place of Django's own NUL check, so one message shows),
    and bidirectional controls are removed from what the view receives. A form with
    picker fields is built with `viewer=` (whose candidates they offer and accept)."""

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if viewer is not None:
            # The candidates of its picker fields (core.pickers) are the viewer's own.
            from jiceng.core.pickers import bind_pickers

            bind_pickers(self, viewer)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators = [
                    v
                    for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator)
                ]
                field.validators.append(refuse_control_characters)

    def _post_clean(self):
        super()._post_clean()
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            text = isinstance(field, forms.CharField) and isinstance(value, str)
            if text and not isinstance(field.widget, forms.PasswordInput):
                self.cleaned_data[name] = remove_bidi(value)


# ---- query strings and paths ----------------------------------------------------------------


class QueryStringMiddleware:
    """A control character in a query parameter or the path is refused with a 400 that
    names the parameter, before any view hands it to a query: a search for "a\\x00b"
    would otherwise reach PostgreSQL, which refuses it with an error (a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = None
        if has_control(request.path):
            field = "path"
        else:
            for key, values in request.GET.lists():
                if has_control(key) or any(has_control(v) for v in values):
                    field = remove_bidi(CONTROL.sub("", key)) or "query"
                    break
        if field is None:
            return self.get_response(request)
        if request.path.startswith(("/api/", "/open311/")):
            body = {"code": "invalid", "message": str(MSG_CONTROL), "field": field}
            return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
        return render(request, "400.html", {"field": field, "message": MSG_CONTROL}, status=400)


def form_failure(form: forms.Form) -> ValidationFailed:
    """The errors of an invalid form as one application error, each naming its field
    ("转接原因：含有不可见的控制字符…；…"), for views that answer with a message and a
    redirect rather than the form again. The error's field is the first one's."""
    parts, first = [], None
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        parts.append(f"{label}：{errors[0]}" if label else str(errors[0]))
        if first is None:
            first = None if name == "__all__" else name
    if not parts:
        return ValidationFailed(field=None)
    return ValidationFailed("；".join(parts), field=first)
