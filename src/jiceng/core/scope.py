"""Who may see what. The ONLY place that decides visibility.

A user's active role assignments become a `Scope`: the territory paths (块) and the
affiliation paths (条) they may see, and the kinds of object their roles may see at all.
Each model that people look at is registered once with the lookups that place it in
the two trees; `Scope.filter(queryset)` then builds one query for any of them.

Selectors, access predicates, exports and admin lists all call `scope_for(user)`; an
object outside the scope is treated exactly like a missing one (404).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet

from jiceng.core.errors import NotFound

# The kinds of object and which roles see them are declared in core.roles, the table of
# roles; they are re-exported here because every app asks the scope about them.
from jiceng.core.roles import (  # noqa: F401
    ALL_KINDS,
    KIND_APPEAL,
    KIND_AREA,
    KIND_ASSESSMENT,
    KIND_AUDIT,
    KIND_COBUILD,
    KIND_DUTY,
    KIND_LINKAGE,
    KIND_MEMBER,
    KIND_ORGLIFE,
    KIND_PARTY_ORG,
    KIND_PEOPLE,
    KIND_SUPERVISION,
    KIND_UNIT,
    MANAGING_ROLES,
    ORG_MANAGING_ROLES,
    OWN_WORK_KINDS,
    ROLE_KINDS,
    SELF_ROLES,
    SYSTEM_ROLE_FOR_PERMISSION,
)

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Registration:
    kind: str
    # Lookups to the Area(s) that place the object in the territory ("" means the
    # model's own `path`, for Area). Several for two-sided objects such as a transfer,
    # which both the sending and the receiving side see.
    area_paths: tuple[str, ...]
    # Lookups to affiliation paths ("path" for PartyOrg itself).
    org_paths: tuple[str, ...] = ()
    # Lookup to the account the record is about (e.g. "member__account"), if any.
    owner_path: str | None = None
    # For roles that see this kind only where their own work is (core.roles,
    # `own_work_only`): user id → the condition on this model's rows that user's work
    # touched (a department's cases). None: such roles see none of this model.
    worked_by: Callable[[int], Q] | None = None
    # Area lookups whose areas never sit deeper than a depth (a case's `street`: always
    # depth 2). A grant deeper than that cannot contain such an area, so its filter
    # leaves the lookup out: an OR across two joined tables keeps PostgreSQL from using
    # either path's index (a community's case list scanned every case of the city).
    max_depths: Mapping[str, int] = field(default_factory=dict)


_REGISTRY: dict[type[Model], Registration] = {}
# The shallowest grant (0 the city, 1 a district, 2 a street) whose conditions through
# different joins are run as a UNION rather than an OR (Scope.filter).
UNION_MIN_DEPTH = 2


def register(
    model: type[Model],
    *,
    kind: str,
    area_path: str | tuple[str, ...] | None,
    org_paths: tuple[str, ...] = (),
    owner_path: str | None = None,
    worked_by: Callable[[int], Q] | None = None,
    max_depths: Mapping[str, int] | None = None,
) -> None:
    """Declare how `model` sits in the two trees, optionally whose record it is, and
    which rows a user's own work touched (`worked_by`, for the roles that see the kind
    only there). Called from each app's `ready()`."""
    if area_path is None:
        area_paths: tuple[str, ...] = ()
    elif isinstance(area_path, str):
        area_paths = (area_path,)
    else:
        area_paths = tuple(area_path)
    _REGISTRY[model] = Registration(
        kind=kind,
        area_paths=area_paths,
        org_paths=org_paths,
        owner_path=owner_path,
        worked_by=worked_by,
        max_depths=dict(max_depths or {}),
    )


# Models whose audit entries an auditor sees by where the record sits (the person's data).
_AUDIT_SUBJECTS: list[type[Model]] = []


def register_audit_subject(model: type[Model]) -> None:
    """Declare that entries about `model` (target_type its label) belong to the territory
    the model is registered in, for auditors. Called from an app's `ready()`."""
    if model not in _AUDIT_SUBJECTS:
        _AUDIT_SUBJECTS.append(model)


def registration(model: type[Model]) -> Registration:
    try:
        return _REGISTRY[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered with core.scope") from None


@dataclass(frozen=True)
class Grant:
    role: str
    area_path: str | None = None
    org_path: str | None = None


@dataclass(frozen=True)
class Scope:
    grants: tuple[Grant, ...] = ()
    everything: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)
    # The account itself, for records about the user (SELF_ROLES only).
    user_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.grants

    def can_see_kind(self, kind: str) -> bool:
        return self.everything or any(kind in ROLE_KINDS.get(g.role, ()) for g in self.grants)

    def q_for(self, model: type[Model]) -> Q | None:
        """The filter for `model`, or None when nothing of it is visible."""
        terms = self.terms_for(model)
        if terms is None:
            return None
        return _any(terms)

    def terms_for(self, model: type[Model]) -> list[Q] | None:
        """The conditions whose OR is what the viewer sees of `model`: one per grant and
        lookup ([Q()] for everything), or None when nothing of it is visible."""
        reg = registration(model)
        if self.everything:
            return [Q()]
        terms: list[Q] = []
        matched = False
        for grant in self.grants:
            if reg.kind not in ROLE_KINDS.get(grant.role, ()):
                continue
            placed: list[Q] = []
            if grant.area_path:
                depth = grant.area_path.count("/") - 1
                for area_lookup in reg.area_paths:
                    if depth > reg.max_depths.get(area_lookup, depth):
                        continue  # no area of this lookup lies under the grant's
                    lookup = (
                        f"{area_lookup}__path__startswith" if area_lookup else "path__startswith"
                    )
                    placed.append(Q(**{lookup: grant.area_path}))
            if grant.org_path:
                for org_lookup in reg.org_paths:
                    placed.append(Q(**{f"{org_lookup}__startswith": grant.org_path}))
            if not placed:
                continue
            if self.narrowed(grant, reg):
                # Least privilege: in its territory, only what the user's own work
                # touched; nothing when the model cannot say what that is.
                if reg.worked_by is None or self.user_id is None:
                    continue
                worked = reg.worked_by(self.user_id)
                placed = [term & worked for term in placed]
            terms.extend(placed)
            matched = True
        if reg.owner_path and self.user_id is not None and self.roles & SELF_ROLES:
            terms.append(Q(**{reg.owner_path: self.user_id}))
            matched = True
        return terms if matched else None

    @staticmethod
    def narrowed(grant: Grant, reg: Registration) -> bool:
        """Whether `grant` sees objects of `reg` only where the user's own work is."""
        return reg.kind in OWN_WORK_KINDS.get(grant.role, ())

    def filter(self, queryset: QuerySet) -> QuerySet:
        terms = self.terms_for(queryset.model)
        if terms is None:
            return queryset.none()
        if len(terms) > 1 and self._narrow() and len({_joins(t) for t in terms}) > 1:
            # Conditions through different joins (a case's area or its street; a
            # unit's area or its org): OR-ed in one WHERE they keep PostgreSQL from
            # every index and it scans the whole table. As a UNION of one indexed
            # query each, each finds its rows by its own index: a street's case list
            # at city scale 219 → 60 ms. Only for narrow grants: a district's or the
            # city's union holds tens of thousands of ids and made their lists
            # several times slower (the city's 0.13 → 2.9 s), where the OR walks an
            # index in the list's order and stops at the page.
            manager = queryset.model._default_manager
            parts = [manager.filter(t).order_by().values("pk") for t in terms]
            return queryset.filter(pk__in=parts[0].union(*parts[1:]))
        # Registered lookups follow forward foreign keys only, so OR-ing them never
        # duplicates rows and no DISTINCT is needed.
        return queryset.filter(_any(terms))

    def _narrow(self) -> bool:
        """Every grant at a street or below, or on an org: what it sees is a small
        part of the city."""
        return all(
            g.area_path is None or g.area_path.count("/") - 1 >= UNION_MIN_DEPTH
            for g in self.grants
        )

    def get(self, queryset: QuerySet[M], **lookup) -> M:
        """One object by lookup, or NotFound when missing OR out of scope (same answer)."""
        try:
            return self.filter(queryset).get(**lookup)
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise NotFound() from None

    def contains(self, obj: Model) -> bool:
        return self.filter(type(obj)._default_manager.filter(pk=obj.pk)).exists()

    def area_roots(self) -> list[str]:
        return [g.area_path for g in self.grants if g.area_path]

    def covers_subtree(self, model: type[Model], area_path: str) -> bool:
        """True when every object of `model` placed under `area_path` is visible, so a
        query already limited to that subtree needs no further scope condition. Lets
        large aggregates (rates over a district-month) skip a join per row."""
        if self.everything:
            return True
        reg = registration(model)
        if not reg.area_paths:
            return False
        # A grant narrowed to the user's own work sees part of any subtree, never all.
        return any(
            reg.kind in ROLE_KINDS.get(g.role, ())
            and not self.narrowed(g, reg)
            and g.area_path
            and area_path.startswith(g.area_path)
            for g in self.grants
        )

    def org_roots(self) -> list[str]:
        return [g.org_path for g in self.grants if g.org_path]

    def managed_area_paths(self) -> list[str]:
        """The areas whose contents the viewer may change (core.roles: manages_territory)."""
        return [g.area_path for g in self.grants if g.role in MANAGING_ROLES and g.area_path]

    def managed_org_paths(self) -> list[str]:
        """The orgs below which the viewer may change orgs (core.roles: manages_orgs_below)."""
        return [g.org_path for g in self.grants if g.role in ORG_MANAGING_ROLES and g.org_path]

    @property
    def manages_territory(self) -> bool:
        return self.everything or bool(self.managed_area_paths())

    def audit_q(self) -> Q | None:
        """Which audit entries are visible: all to a superuser; to an auditor, those of
        actors who hold a role in the auditor's territory and those about the audit
        subjects placed there (a party member's record: who revealed, exported or looked
        it up); None to everyone else. System entries (no actor) only at the top."""
        if self.everything:
            return Q()
        roots = [
            g.area_path
            for g in self.grants
            if g.area_path and KIND_AUDIT in ROLE_KINDS.get(g.role, ())
        ]
        if not roots:
            return None
        from django.db.models import CharField
        from django.db.models.functions import Cast

        from jiceng.accounts.models import RoleAssignment

        condition = Q(pk__in=[])
        for root in roots:
            if root.count("/") == 1:  # a whole city (the root of the tree): everything
                return Q()
            holders = RoleAssignment.objects.filter(
                Q(area__path__startswith=root) | Q(org__area__path__startswith=root),
                revoked_at__isnull=True,
            ).values("user_id")
            condition |= Q(actor_id__in=holders)
            for model in _AUDIT_SUBJECTS:
                reg = registration(model)
                placed = Q(pk__in=[])
                for lookup in reg.area_paths:
                    placed |= Q(
                        **{f"{lookup}__path__startswith" if lookup else "path__startswith": root}
                    )
                ids = (
                    model._default_manager.filter(placed)
                    .annotate(text_id=Cast("pk", CharField()))
                    .values("text_id")
                )
                condition |= Q(target_type=model._meta.label_lower, target_id__in=ids)
        return condition


def _any(terms: list[Q]) -> Q:
    """The OR of the terms ([Q()] alone: no condition; Q() | x would drop the Q())."""
    condition = terms[0]
    for term in terms[1:]:
        condition |= term
    return condition


def _joins(term: Q) -> frozenset[str]:
    """The relations a condition reaches through ("area", "own_org"...)."""
    names: set[str] = set()
    for child in term.children:
        if isinstance(child, Q):
            names |= _joins(child)
        elif isinstance(child, tuple):  # (lookup, value)
            lookup = str(child[0])
            names.add(lookup.split("__")[0] if "__" in lookup else "")
    return frozenset(names)


NO_SCOPE = Scope()
_CACHE_ATTR = "_jiceng_scope"
_PRINCIPAL_ATTR = "_jiceng_system_principal"


@dataclass(frozen=True)
class SystemPrincipal:
    """Another system acting through a token (integrations): its territory and its
    permissions (core.roles.SYSTEM_PERMISSIONS). The token's authentication attaches it
    to the system's account for the one request; the scope is decided here, as for
    people, from the grants the permissions make."""

    token_id: int
    area_path: str
    permissions: frozenset[str]


def act_as_system(user, principal: SystemPrincipal) -> None:
    """Make `user` (a system's account) act as `principal` for this request only: the
    attribute lives on this user object, never in the database, so a session or another
    request of the same account sees nothing of it."""
    setattr(user, _PRINCIPAL_ATTR, principal)
    forget_scope(user)


def system_principal(user) -> SystemPrincipal | None:
    return getattr(user, _PRINCIPAL_ATTR, None)


def _system_scope(user, principal: SystemPrincipal) -> Scope:
    grants = tuple(
        Grant(role=SYSTEM_ROLE_FOR_PERMISSION[permission], area_path=principal.area_path)
        for permission in sorted(principal.permissions)
        if permission in SYSTEM_ROLE_FOR_PERMISSION
    )
    # No user_id: a system has no records of its own (SELF_ROLES never apply).
    return Scope(grants=grants, roles=frozenset(g.role for g in grants))


def scope_for(user) -> Scope:
    """The scope of `user`, computed once per user object (so once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from jiceng.accounts.models import RoleAssignment

    principal = system_principal(user)
    if principal is not None:
        # A system's account holds no role assignments and never a superuser flag that
        # counts: only the token's territory and permissions.
        scope = _system_scope(user, principal)
    elif user.is_superuser:
        scope = Scope(everything=True, roles=frozenset({"superuser"}))
    else:
        grants = []
        rows = (
            RoleAssignment.objects.filter(user=user, revoked_at__isnull=True)
            .select_related("area", "org")
            .order_by("id")
        )
        for row in rows:
            if row.area is not None:
                grants.append(Grant(role=row.role, area_path=row.area.path))
            elif row.org is not None and row.org.closed_on is None:
                grants.append(Grant(role=row.role, org_path=row.org.path))
        scope = Scope(
            grants=tuple(grants), roles=frozenset(g.role for g in grants), user_id=user.pk
        )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after a user's assignments change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def visible(user, queryset: QuerySet) -> QuerySet:
    return scope_for(user).filter(queryset)
