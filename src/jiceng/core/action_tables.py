"""What every app's action tables (STYLE 15) share: the entry of an action, a lifecycle
of them, the one path an action takes (`take`: found, scoped, allowed, run), the actions
a page offers, the POST operations the API generates from them, and the page POST as
the dict a schema parses. Each app keeps its own tables and its own `perform` (what it
answers after an action differs); only the machinery lives here, once.

An action taken on an existing object has its id in the URL; an action that starts a
lifecycle (a meeting recorded for an org, a problem raised for an org) has a `target`:
the object it is taken on, found in its input and scoped like any other; it answers 201
in the API."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from jiceng.core.access import require
from jiceng.core.errors import NotFound
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


def table(*entries: Action) -> dict[str, Action]:
    """A lifecycle's actions by name, in the order given (the order pages offer them)."""
    return {a.name: a for a in entries}


def take(
    lifecycles: dict[str, Lifecycle],
    parse: Callable[[type[Schema], dict], Schema],
    user,
    lifecycle: str,
    pk,
    name: str,
    data: dict | Schema,
    upload=None,
    *,
    check_existing: bool = True,
) -> Any:
    """Take action `name` on object `pk` of `lifecycle` for `user` (`pk` None for an
    action starting a lifecycle; `upload` the file of an action taking one) and return
    what its service returned. A page's form data goes through `parse` (the app's
    refusals). Out of scope → 404; visible but not allowed → 403 (for an action on an
    existing object only when `check_existing`; otherwise its service decides, as it does
    every other refusal)."""
    try:
        lc = lifecycles[lifecycle]
        action = lc.actions[name]
    except KeyError:
        raise NotFound() from None
    if action.creates != (pk is None):
        raise NotFound()
    payload = data if isinstance(data, Schema) else parse(action.schema, data)
    if action.target is not None:
        obj = action.target(user, payload)
        require(user, obj, action.allowed(user, obj))
    else:
        obj = lc.get(user, pk)
        if check_existing:
            require(user, obj, action.allowed(user, obj))
    if action.upload:
        return action.run(user, obj, payload, upload)
    return action.run(user, obj, payload)


def offered(lifecycles: dict[str, Lifecycle], user, lifecycle: str, obj) -> list[Action]:
    """The actions a page offers on `obj` to `user` now."""
    return [
        a
        for a in lifecycles[lifecycle].actions.values()
        if not a.creates and a.available(obj) and a.allowed(user, obj)
    ]


Perform = Callable[..., Any]


def _operation(
    lifecycle: Lifecycle, action: Action, perform: Perform, check: Callable, atomic: bool
):
    def run(request, obj_id, payload, **extra):
        check(request)
        # An action starting a lifecycle is always one transaction.
        if atomic or obj_id is None:
            with transaction.atomic():
                return perform(request.user, lifecycle.name, obj_id, action.name, payload, **extra)
        return perform(request.user, lifecycle.name, obj_id, action.name, payload, **extra)

    if action.creates:

        def operation(request, payload: action.schema):  # type: ignore[name-defined]
            return Status(201, run(request, None, payload))

    elif action.upload:

        def operation(  # type: ignore[misc]
            request,
            obj_id: int,
            payload: Form[action.schema],  # type: ignore[name-defined]
            file: File[UploadedFile],
        ):
            return run(request, obj_id, payload, upload=file)

    else:

        def operation(request, obj_id: int, payload: action.schema):  # type: ignore[misc,name-defined]
            return run(request, obj_id, payload)

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
    atomic: bool = False,
) -> None:
    """One POST operation per entry: `/<lifecycle>` (201) for the action starting a
    lifecycle, `/<lifecycle>/{obj_id}/<action>` for the others; `check(request)` first
    (the app's kind check); `atomic` makes every action one transaction (an action
    starting a lifecycle always is)."""
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
            )(_operation(lifecycle, action, perform, check, atomic))


def form_data(request, *, lists: tuple[str, ...] = (), lines: tuple[str, ...] = ()) -> dict:
    """A page's POST as a dict for a schema: empty optional values left out; `lists` are
    fields posted several times, `lines` textareas holding one entry a line (each a list,
    blanks dropped)."""
    data: dict[str, Any] = {}
    for key in request.POST:
        if key == "csrfmiddlewaretoken":
            continue
        if key in lists:
            data[key] = [v for v in request.POST.getlist(key) if v.strip()]
            continue
        value = request.POST.get(key, "")
        if key in lines:
            data[key] = [line for line in value.splitlines() if line.strip()]
        elif value != "":
            data[key] = value
    return data
