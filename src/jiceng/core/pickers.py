"""Choosing one of thousands on a form: a select that offers the first few, and a search.

A city's forms choose among 100,000 areas and 24,000 orgs. Listing them all (each
checked for the right to change it) made the pages slow at city scale and cut the list
at a fixed length, so whatever came after it could not be chosen at all. A picker
offers the first `SHOWN` candidates in the select; when there are more, a search field
above it asks the server (`/pick/<name>/?q=`) for those whose name matches and puts
them in the select. What is posted is checked by the same picker: among the viewer's
candidates (in scope, and changeable by them), or refused on the field.

Apps register their pickers in `ready()` (`register`), as they do indicators; a form
declares `PickerField(picker="manageable-orgs")` and binds the viewer with
`bind_pickers(form, user)`. The JSON API needs none of this: its list operations take
`q` and the write operations take ids, checked by the services.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

# How many candidates a select offers before the search is needed: enough for a street
# or a community to see all of theirs, few enough to render at once.
SHOWN = 50
# The longest search text; the API's `q` filters take the same.
Q_MAX = 100
MSG_NOT_OFFERED = _("请从列表中选择（可输入名称查找）")


@dataclass(frozen=True)
class Picker:
    """`candidates(user, params)` is the scoped queryset, ordered as the select shows it;
    `search(qs, q)` narrows it by the text typed; `allowed(user, obj)` is the check the
    queryset cannot express (the right to change), run on each candidate shown and on
    the one posted; `label(obj)` is what the option reads."""

    name: str
    candidates: Callable[[Any, dict], QuerySet]
    search: Callable[[QuerySet, str], QuerySet]
    label: Callable[[Any], str] = str
    allowed: Callable[[Any, Any], bool] = field(default=lambda user, obj: True)
    # The parameters a form may fix (e.g. the levels of area), each with its parser.
    params: tuple[str, ...] = ()


PICKERS: dict[str, Picker] = {}


def register(picker: Picker) -> None:
    PICKERS[picker.name] = picker


def get_picker(name: str) -> Picker:
    return PICKERS[name]


def offered(picker: Picker, user, *, params: dict, q: str = "", limit: int = SHOWN) -> list:
    """Up to `limit + 1` candidates (the extra one says there are more), in order.
    Candidates the viewer sees but may not change are skipped in batches, so a page
    reads a few hundred rows at most, not the whole list."""
    qs = picker.candidates(user, params)
    if q:
        qs = picker.search(qs, q)
    found: list = []
    # At most 1,000 rows read (5 rounds): enough for the rows a viewer sees but may not
    # change to come first, as an org secretary's own org comes before those below it.
    start, batch = 0, max((limit + 1) * 4, 200)
    for _round in range(5):
        rows = list(qs[start : start + batch])
        found.extend(obj for obj in rows if picker.allowed(user, obj))
        if len(found) > limit or len(rows) < batch:
            break
        start += batch
    return found[: limit + 1]


def chosen(picker: Picker, user, value, *, params: dict):
    """The candidate whose id was posted, or None when it is not one of the viewer's."""
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        return None
    obj = picker.candidates(user, params).filter(pk=pk).first()
    if obj is None or not picker.allowed(user, obj):
        return None
    return obj


class PickerWidget(forms.Select):
    """A select of the first candidates, with a search field when there are more. The
    options are read when the form is rendered, not when it is built, so a POST that
    is valid never reads them."""

    template_name = "core/widgets/picker.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field: PickerField | None = None  # set by PickerField.bind
        self.empty_label = ""
        self.limit = SHOWN

    def get_context(self, name, value, attrs):
        from urllib.parse import urlencode

        from django.urls import reverse

        assert self.field is not None, "bind_pickers(form, user) was not called"
        picker, user, params = (
            get_picker(self.field.picker_name),
            self.field.user,
            self.field.params,
        )
        items = offered(picker, user, params=params, limit=self.limit)
        more = len(items) > self.limit
        items = items[: self.limit]
        current = "" if value in (None, "") else str(value[0] if isinstance(value, list) else value)
        if current and all(str(obj.pk) != current for obj in items):
            obj = chosen(picker, user, current, params=params)
            if obj is not None:
                items.insert(0, obj)
        self.choices = [("", self.empty_label)] + [(str(o.pk), picker.label(o)) for o in items]
        context = super().get_context(name, current, attrs)
        query = {k: v for k, v in params.items() if v not in (None, "")}
        query["empty"] = self.empty_label
        context["picker"] = {
            "more": more,
            "shown": self.limit,
            "url": reverse("pick", args=[picker.name]) + "?" + urlencode(query),
            "q_max": Q_MAX,
        }
        return context


class PickerField(forms.Field):
    """One of the viewer's candidates from a registered picker; cleans to the object
    (or None when left empty and not required)."""

    widget = PickerWidget

    def __init__(self, *, picker: str, params: dict | None = None, empty_label=None, **kwargs):
        super().__init__(**kwargs)
        self.picker_name = picker
        self.params = dict(params or {})
        self.user = None
        self.widget.empty_label = str(empty_label or _("请选择"))

    def bind(self, user) -> None:
        """The viewer whose candidates these are. `params` may still change after."""
        self.user = user
        self.widget.field = self

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        obj = chosen(get_picker(self.picker_name), self.user, value, params=self.params)
        if obj is None:
            raise forms.ValidationError(MSG_NOT_OFFERED, code="invalid_choice")
        return obj


def has_choices(form: forms.BaseForm, name: str) -> bool:
    """Whether the picker field offers the viewer anything (one row read)."""
    f = form.fields[name]
    assert isinstance(f, PickerField)
    return bool(offered(get_picker(f.picker_name), f.user, params=f.params, limit=0))


def without_pickers(form: forms.BaseForm) -> forms.BaseForm:
    """The form as the JSON API parses it: the same text, types and limits, without the
    picker fields, since the API takes ids and the services check them."""
    for name in [n for n, f in form.fields.items() if isinstance(f, PickerField)]:
        del form.fields[name]
    return form


def bind_pickers(form: forms.BaseForm, user) -> None:
    """Give each picker field of the form the viewer its candidates depend on."""
    for f in form.fields.values():
        if isinstance(f, PickerField):
            f.bind(user)
