"""Every text field a person or a client can fill: each page form's and each write
operation's input schema's, with its label, its maximum length and the model column it
is stored in. The user guide's field table (`jiceng fields-guide`) is written from this,
and a test holds each limit to its column's.

Where a field is stored: a form or schema names its model in `column_model` (a field of
the same name is stored there) and any other column in `columns` ({field: "app.Model.
field"}, or None for a field stored nowhere, such as a search or a password); a schema
field typed `model_text(Model, "field")` carries its column itself."""

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps

from jiceng.core.inputs import Column


@dataclass(frozen=True)
class TextField:
    app: str  # the app label of the form or schema
    owner: str  # "jiceng.members.forms.MemberForm" or "POST /api/members"
    name: str
    label: str
    max_length: int | None
    column: str | None  # "members.Member.name", or None when stored nowhere known
    secret: bool = False  # a password: taken as typed, never trimmed or cleaned
    source: str = "form"  # "form" or "api"
    # How the input policy treats it: "text", "multiline", "name", "number", "code"
    # (jiceng.core.inputs.check_text), "strict" (control and bidirectional characters
    # both refused), "secret" (a password) or "form" (a page form's field).
    rule: str = "form"

    def column_limit(self) -> int | None:
        if not self.column:
            return None
        app, model, field = self.column.split(".")
        return apps.get_model(app, model)._meta.get_field(field).max_length

    def column_label(self) -> str:
        if not self.column:
            return ""
        app, model, field = self.column.split(".")
        return str(apps.get_model(app, model)._meta.get_field(field).verbose_name)


# The organizational-life schemas keep their limits in constants shared with their
# models (jiceng.orglife.models); where each field is stored is written here rather than
# in jiceng/orglife/schemas.py: {schema: (model, {field: "app.Model.field" or None})}.
ORGLIFE_COLUMNS: dict[str, tuple[str | None, dict[str, str | None]]] = {
    "MarkIn": ("Attendance", {"status": None}),
    "MeetingIn": ("Meeting", {"kind": None}),
    "MeetingUpdateIn": ("Meeting", {"kind": None}),
    "TaskIn": ("MeetingTask", {}),
    "TaskDoneIn": (None, {"note": "orglife.MeetingTask.done_note"}),
    "IssueIn": ("Issue", {"source": None}),
    "IssueFromAppealIn": ("Issue", {}),
    "TopicIn": ("Topic", {}),
    "StepIn": ("Step", {}),
    "VoteIn": ("Step", {}),
    "DecideIn": ("Step", {"assembly": None}),
    "DisclosureIn": ("Step", {"text": "orglife.Topic.resolution"}),
    "AddIssueIn": ("Issue", {}),
    "ContactPointIn": ("ContactPoint", {}),
    "ContactVisitIn": ("ContactVisit", {}),
    "AssignIn": ("ContactProblem", {}),
    "ResolveIn": ("ContactProblem", {}),
    "CategoryIn": (None, {"category": None}),
    "HouseholdLinkIn": ("HouseholdLink", {}),
    "HouseholdVisitIn": ("HouseholdVisit", {}),
    "RequirementIn": (None, {"period": None}),
}


def _orglife_column(owner: Any, name: str) -> tuple[bool, str | None]:
    if owner.__module__ != "jiceng.orglife.schemas" or owner.__name__ not in ORGLIFE_COLUMNS:
        return False, None
    model, columns = ORGLIFE_COLUMNS[owner.__name__]
    if name in columns:
        return True, columns[name]
    if model and name in {f.name for f in apps.get_model("orglife", model)._meta.get_fields()}:
        return True, f"orglife.{model}.{name}"
    return True, None


def _column_of(owner: Any, name: str) -> str | None:
    known, column = _orglife_column(owner, name)
    if known:
        return column
    columns = getattr(owner, "columns", None) or {}
    if name in columns:
        return columns[name]
    model = getattr(owner, "column_model", None)
    if model is not None:
        try:
            model._meta.get_field(name)
        except Exception:
            return None
        return f"{model._meta.app_label}.{model.__name__}.{name}"
    return None


def _import_all() -> None:
    import jiceng

    for module in pkgutil.walk_packages(jiceng.__path__, "jiceng."):
        if ".migrations" in module.name or ".management" in module.name:
            continue
        if module.name.rsplit(".", 1)[-1] in ("forms", "setup_forms", "schemas", "api"):
            importlib.import_module(module.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def page_forms() -> list[type[forms.Form]]:
    """Every form class of the project (the pages' forms; none is left unused)."""
    _import_all()
    found = {c for c in _subclasses(forms.Form) if c.__module__.startswith("jiceng.")}
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


def form_text_fields() -> list[TextField]:
    result = []
    for form in page_forms():
        app = form.__module__.split(".")[1]
        for name, field in form.base_fields.items():
            if not isinstance(field, forms.CharField):
                continue
            secret = isinstance(field.widget, forms.PasswordInput)
            multiline = isinstance(field.widget, forms.Textarea)
            rule = "secret" if secret else ("multiline" if multiline else "form")
            result.append(
                TextField(
                    app=app,
                    owner=f"{form.__module__}.{form.__qualname__}",
                    name=name,
                    label=str(field.label or name),
                    max_length=field.max_length,
                    column=_column_of(form, name),
                    secret=secret,
                    rule=rule,
                )
            )
    return result


def _string_limit(info) -> int | None:
    """The field's limit: pydantic's max_length, or the maxLength a schema states for
    OpenAPI while its validator checks the length after cleaning (orglife's Text)."""
    for item in info.metadata:
        limit = getattr(item, "max_length", None)
        if limit is not None:
            return limit
    extra = info.json_schema_extra
    if isinstance(extra, dict) and isinstance(extra.get("maxLength"), int):
        return extra["maxLength"]
    return None


def _schema_fields(schema, prefix: str = ""):
    """(dotted name, FieldInfo, owner schema) of every field, nested schemas opened."""
    import typing

    from pydantic import BaseModel

    for name, info in schema.model_fields.items():
        yield f"{prefix}{name}", info, schema
        annotation = info.annotation
        for arg in (annotation, *typing.get_args(annotation)):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                yield from _schema_fields(arg, f"{prefix}{name}.")


def _rule(metadata) -> str:
    from pydantic.functional_validators import AfterValidator

    from jiceng.core import inputs

    for item in metadata:
        if isinstance(item, AfterValidator):
            func = item.func
            if getattr(func, "func", None) is inputs._pydantic_check:
                return getattr(func, "keywords", {}).get("kind", "text")
            if func is inputs._secret_check:
                return "secret"
            # An app's own validator over core.inputs (orglife's Text) names its kind.
            kind = getattr(func, "keywords", {}).get("kind")
            if isinstance(kind, str):
                return kind
            return "strict"
    return "text"


def _is_text(info) -> bool:
    import typing

    annotation = info.annotation
    if annotation is str:
        return True
    args = typing.get_args(annotation)
    return bool(args) and str in args and all(a in (str, type(None)) for a in args)


def write_operations():
    """(method, path, body schema) of each POST, PATCH and PUT operation of the API."""
    from jiceng.api import api

    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    if method not in ("POST", "PATCH", "PUT"):
                        continue
                    for model in operation.models:
                        for param in model.model_fields.values():
                            body = param.annotation
                            if hasattr(body, "model_fields"):
                                yield method, f"/api{prefix}{path}", body


def schema_text_fields() -> list[TextField]:
    result, seen = [], set()
    for method, path, body in write_operations():
        for name, info, owner in _schema_fields(body):
            if not _is_text(info) or (owner, name) in seen:
                continue
            seen.add((owner, name))
            column = next((m.column for m in info.metadata if isinstance(m, Column)), None)
            leaf = name.rsplit(".", 1)[-1]
            result.append(
                TextField(
                    app=owner.__module__.split(".")[1],
                    owner=f"{method} {path}" + (f" ({owner.__name__})" if "." in name else ""),
                    name=name,
                    label=str(info.title or info.description or leaf),
                    max_length=_string_limit(info),
                    column=column or _column_of(owner, leaf),
                    secret="password" in leaf,
                    source="api",
                    rule=_rule(info.metadata),
                )
            )
    return result
