"""One action table per lifecycle (STYLE 15): the machinery every app's table shares.

An app declares, per lifecycle, its actions — name, label, input schema, who may take
it, the service it calls — in its `actions.py`, and builds a `Tables` from them. The
pages (through `Tables.perform` and `Tables.offered`) and the API (`mount`, one
operation per entry) both dispatch from the same tables, so a page action without an
API twin cannot exist.

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
    run: Callable[..., Model]
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

    @property
    def creates(self) -> bool:
        return self.target is not None


@dataclass(frozen=True)
class Lifecycle:
    name: str
    model: type[Model]
    out: type[Schema]
    actions: dict[str, Action]
    # Related objects the actions' predicates read, fetched with the object.
    related: tuple[str, ...] = ()

    def get(self, user, pk) -> Model:
        queryset = self.model._default_manager.all()
        if self.related:
            queryset = queryset.select_related(*self.related)
        return scope_for(user).get(queryset, pk=pk)


def table(*entries: Action) -> dict[str, Action]:
    return {a.name: a for a in entries}


class Tables:
    """An app's lifecycles, with the one path its pages and API take.

    `parse` turns a page's form data into the action's schema (the app's refusals);
    `check_existing`: whether an action on an existing object is refused here when its
    `allowed` says no (otherwise its service decides, as it does anyway)."""

    def __init__(
        self,
        lifecycles: dict[str, Lifecycle],
        *,
        parse: Callable[[type[Schema], dict], Schema],
        check_existing: bool = True,
    ) -> None:
        self.lifecycles = lifecycles
        self.parse = parse
        self.check_existing = check_existing

    def perform(self, user, lifecycle: str, pk, name: str, data: dict | Schema, upload=None):
        """Take action `name` on object `pk` of `lifecycle` for `user` (`pk` None for an
        action starting a lifecycle; `upload` the file of an action taking one). Out of
        scope → 404; visible but not allowed → 403; the service decides every other
        refusal."""
        try:
            lc = self.lifecycles[lifecycle]
            action = lc.actions[name]
        except KeyError:
            raise NotFound() from None
        if action.creates != (pk is None):
            raise NotFound()
        payload = data if isinstance(data, Schema) else self.parse(action.schema, data)
        if action.target is not None:
            obj = action.target(user, payload)
            require(user, obj, action.allowed(user, obj))
        else:
            obj = lc.get(user, pk)
            if self.check_existing:
                require(user, obj, action.allowed(user, obj))
        if action.upload:
            result = action.run(user, obj, payload, upload)
        else:
            result = action.run(user, obj, payload)
        result.refresh_from_db()
        return result

    def offered(self, user, lifecycle: str, obj) -> list[Action]:
        """The actions a page offers on `obj` to `user` now."""
        return [
            a
            for a in self.lifecycles[lifecycle].actions.values()
            if not a.creates and a.available(obj) and a.allowed(user, obj)
        ]


def mount(
    router: Router,
    tables: Tables,
    *,
    app: str,
    guard: Callable[[Any, str], None],
    atomic: bool = False,
    dispatch: Callable[..., Model] | None = None,
) -> None:
    """One POST operation per action: `/<lifecycle>` (201) for an action starting a
    lifecycle, `/<lifecycle>/{obj_id}/<action>` otherwise. `guard(request, lifecycle)`
    runs first (the app's kind check); `atomic` wraps every action in one transaction
    (a starting action always is); `dispatch` replaces `tables.perform` (an app's own
    module-level `perform`, looked up at each call)."""

    def operation_for(lifecycle: Lifecycle, action: Action):
        def perform(request, obj_id, payload, upload=None):
            guard(request, lifecycle.name)
            run = dispatch or tables.perform
            extra = {"upload": upload} if action.upload else {}
            if atomic or obj_id is None:
                with transaction.atomic():
                    return run(request.user, lifecycle.name, obj_id, action.name, payload, **extra)
            return run(request.user, lifecycle.name, obj_id, action.name, payload, **extra)

        if action.creates:

            def operation(request, payload: action.schema):  # type: ignore[name-defined]
                return Status(201, perform(request, None, payload))

        elif action.upload:

            def operation(  # type: ignore[misc]
                request,
                obj_id: int,
                payload: Form[action.schema],  # type: ignore[name-defined]
                file: File[UploadedFile],
            ):
                return perform(request, obj_id, payload, file)

        else:

            def operation(request, obj_id: int, payload: action.schema):  # type: ignore[misc,name-defined]
                return perform(request, obj_id, payload)

        operation.__name__ = f"{lifecycle.name}_{action.name}"
        operation.__doc__ = f"{action.label}"
        return operation

    for lifecycle in tables.lifecycles.values():
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
                operation_id=f"{app}_{lifecycle.name}_{action.name}",
                summary=str(action.label),
            )(operation_for(lifecycle, action))
