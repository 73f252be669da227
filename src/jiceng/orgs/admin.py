from django.contrib import admin

from jiceng.core.admin_scope import ScopedReadOnlyAdmin
from jiceng.orgs.models import BigCommittee, GridPost, PartTimeMember, PartyOrg, Unit


@admin.register(PartyOrg)
class PartyOrgAdmin(ScopedReadOnlyAdmin):
    list_display = ("name", "kind", "domain", "form", "area", "parent", "closed_on")
    list_filter = ("kind", "domain", "form")
    search_fields = ("name",)
    list_select_related = ("area", "parent")


@admin.register(Unit)
class UnitAdmin(ScopedReadOnlyAdmin):
    list_display = ("name", "uscc", "kind", "area", "employees", "formal_members", "own_org")
    list_filter = ("kind",)
    search_fields = ("name", "uscc")
    list_select_related = ("area", "own_org", "covering_org")


@admin.register(GridPost)
class GridPostAdmin(ScopedReadOnlyAdmin):
    list_display = ("grid", "user", "duty", "started_on", "ended_on")
    list_select_related = ("grid", "user")


@admin.register(BigCommittee)
class BigCommitteeAdmin(ScopedReadOnlyAdmin):
    list_display = ("name", "area", "org")
    list_select_related = ("area", "org")


@admin.register(PartTimeMember)
class PartTimeMemberAdmin(ScopedReadOnlyAdmin):
    list_display = ("name", "committee", "source", "unit", "position")
    list_select_related = ("committee", "unit")
