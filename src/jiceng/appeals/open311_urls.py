from django.urls import re_path

from jiceng.appeals import open311

app_name = "open311"

urlpatterns = [
    re_path(r"^discovery\.(?P<fmt>\w+)$", open311.discovery, name="discovery"),
    re_path(r"^v2/services\.(?P<fmt>\w+)$", open311.service_list, name="services"),
    re_path(
        r"^v2/services/(?P<code>[\w-]+)\.(?P<fmt>\w+)$",
        open311.service_definition,
        name="service",
    ),
    re_path(r"^v2/requests\.(?P<fmt>\w+)$", open311.requests_collection, name="requests"),
    re_path(
        r"^v2/requests/(?P<request_id>[\w-]+)\.(?P<fmt>\w+)$",
        open311.request_detail,
        name="request",
    ),
]
