from django.contrib import admin

from jiceng.core.admin_scope import ScopedReadOnlyAdmin
from jiceng.orglife.models import ContactPoint, Meeting, Topic


@admin.register(Meeting)
class MeetingAdmin(ScopedReadOnlyAdmin):
    list_display = ("held_on", "kind", "topic", "org", "attended_count", "register_count")
    list_filter = ("kind",)
    search_fields = ("topic",)
    list_select_related = ("org",)


@admin.register(Topic)
class TopicAdmin(ScopedReadOnlyAdmin):
    list_display = ("title", "community", "state", "resolution_published_on")
    list_filter = ("state",)
    list_select_related = ("community",)


@admin.register(ContactPoint)
class ContactPointAdmin(ScopedReadOnlyAdmin):
    list_display = ("official_name", "official_title", "org", "started_on", "ended_on")
    list_select_related = ("org",)
