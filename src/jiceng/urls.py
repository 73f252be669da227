from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from jiceng.api import api
from jiceng.appeals.urls import track_urlpatterns
from jiceng.core.picker_views import pick
from jiceng.core.views import large_text_switch

admin.site.site_header = "基层党建信息平台 · 管理后台"
admin.site.site_title = "基层"
admin.site.index_title = "数据管理"

# A database that does not answer is a 503 with Retry-After (core/unavailable.py).
handler500 = "jiceng.core.unavailable.server_error"
# Under /api/, a URL no operation matches answers in the API's error shape.
handler404 = "jiceng.api.url_not_found"

urlpatterns = [
    path("", include("jiceng.dashboard.urls")),
    path("accounts/", include("jiceng.accounts.urls")),
    path("audit/", include("jiceng.core.urls")),
    path("jobs/", include("jiceng.core.job_urls")),
    path("pick/<slug:name>/", pick, name="pick"),
    path("orgs/", include("jiceng.orgs.urls")),
    path("members/", include("jiceng.members.urls")),
    path("appeals/", include("jiceng.appeals.urls")),
    path("places/", include("jiceng.places.urls")),
    path("cobuild/", include("jiceng.cobuild.urls")),
    path("orglife/", include("jiceng.orglife.urls")),
    path("integrations/", include("jiceng.integrations.urls")),
    path("assessment/", include("jiceng.assessment.urls")),
    path("linkage/", include("jiceng.linkage.urls")),
    path("duties/", include("jiceng.duties.urls")),
    path("supervision/", include("jiceng.supervision.urls")),
    path("ledgers/", include("jiceng.ledgers.urls")),
    path("track/", include(track_urlpatterns)),
    path("open311/", include("jiceng.appeals.open311_urls")),
    path("api/", api.urls),
    # The admin's own sign-in and password pages would bypass the project's: lockout
    # throttles, the second factor and the forced password change live there.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="admin_login",
    ),
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="accounts:password_change"),
        name="admin_password_change",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("large-text/", large_text_switch, name="large_text"),
]
