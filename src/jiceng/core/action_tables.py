"""What every app's action tables (STYLE 15) share: the entry of an action, a lifecycle
of them, the POST operations the API generates from them, and the page POST as the
dict a schema parses. Each app keeps its own tables and its own `perform` (what it
answers after an action differs); only the machinery lives here, once."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from jiceng.core.scope import scope_for


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    schema: type[Schema]
    allowed: Callable[[Any, Model], bool]
    run: Callable[..., Any]
    # Whether the action makes sense in the object's present state (pages offer it).
    available: Callable[[Model], bool] = lambda obj: True
    # For an action starting a lifecycle: the object it is taken on, from its input
    # (scoped; out of scope is 404). None for an action on an existing object.
    target: Callable[[Any, Schema], Model] | None = None
    # The page where a person takes an action that has no generic form (its URL name).
    page: str | None = None
    # The schema of the answer when it differs from the lifecycle's.
    out: type[Schema] | None = None
    # Whether the action takes a file (multipart field `file`), passed to `run` after the
    # payload.
    upload: bool = False
    # The answer is what `run` returned (a count, a bulletin), not the object.
    returns_result: bool = False

    @property
    def creates(self) -> bool:
        return self.target is not None


@dataclass(frozen=True)
class Lifecycle:
    name: str
    model: type[Model]
    out: type[Schema]
    actions: dict[str, Action]
    related: tuple[str, ...] = ()

    def get(self, user, pk) -> Model:
        queryset = self.model._default_manager.all()
        if self.related:  # select_related() without names would follow every key
            queryset = queryset.select_related(*self.related)
        return scope_for(user).get(queryset, pk=pk)


Perform = Callable[..., Any]


def _operation(lifecycle: Lifecycle, action: Action, perform: Perform, check: Callable):
    if action.creates:

        def operation(request, payload: action.schema):  # type: ignore[name-defined]
            check(request)
            with transaction.atomic():
                created = perform(request.user, lifecycle.name, None, action.name, payload)
            return Status(201, created)

    elif action.upload:

        def operation(  # type: ignore[misc]
            request,
            obj_id: int,
            payload: Form[action.schema],  # type: ignore[name-defined]
            file: File[UploadedFile],
        ):
            check(request)
            return perform(request.user, lifecycle.name, obj_id, action.name, payload, upload=file)

    else:

        def operation(request, obj_id: int, payload: action.schema):  # type: ignore[misc,name-defined]
            check(request)
            return perform(request.user, lifecycle.name, obj_id, action.name, payload)

    operation.__name__ = f"{lifecycle.name}_{action.name}"
    operation.__doc__ = f"{action.label}"
    return operation


def add_operations(
    router: Router,
    lifecycles: dict[str, Lifecycle],
    *,
    perform: Perform,
    check: Callable,
    prefix: str,
) -> None:
    """One POST operation per entry: `/<lifecycle>` (201) for the action starting a
    lifecycle, `/<lifecycle>/{obj_id}/<action>` for the others; `check(request)` first
    (the app's kind check)."""
    for lifecycle in lifecycles.values():
        for action in lifecycle.actions.values():
            if action.creates:
                path = f"/{lifecycle.name}"
                response: Any = {201: action.out or lifecycle.out}
            else:
                path = f"/{lifecycle.name}/{{int:obj_id}}/{action.name}"
                response = action.out or lifecycle.out
            router.post(
                path,
                response=response,
                operation_id=f"{prefix}_{lifecycle.name}_{action.name}",
                summary=str(action.label),
            )(_operation(lifecycle, action, perform, check))


def form_data(request, *, lists: tuple[str, ...] = ()) -> dict:
    """A page's POST as a dict for a schema: empty optional values left out, lists kept."""
    data: dict[str, Any] = {}
    for key in request.POST:
        if key == "csrfmiddlewaretoken":
            continue
        if key in lists:
            data[key] = [v for v in request.POST.getlist(key) if v.strip()]
            continue
        value = request.POST.get(key, "")
        if value != "":
            data[key] = value
    return data
