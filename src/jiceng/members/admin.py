from django.contrib import admin

from jiceng.core.admin_scope import ScopedReadOnlyAdmin
from jiceng.members.models import Member, Transfer


@admin.register(Member)
class MemberAdmin(ScopedReadOnlyAdmin):
    """Names and orgs only: personal numbers stay on the member pages, masked, with an
    audited reveal."""

    list_display = ("name", "gender", "status", "category", "org")
    list_filter = ("status", "category")
    search_fields = ("name",)
    list_select_related = ("org",)
    fields = ("name", "gender", "ethnicity", "status", "category", "org", "joined_on")


@admin.register(Transfer)
class TransferAdmin(ScopedReadOnlyAdmin):
    list_display = ("member", "from_org", "to_org", "state", "started_at")
    list_filter = ("state",)
    list_select_related = ("member", "from_org", "to_org")
