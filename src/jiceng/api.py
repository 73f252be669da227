"""The JSON API root: one NinjaAPI, OpenAPI at /api/docs, one error shape everywhere.

Errors: {"code": ..., "message": ..., "field": ...}. Authentication: the session (with
CSRF) for pages' own calls; other systems send a system token (`Authorization: Bearer
…`, integrations), which acts within the token's territory and permissions.
"""

from django.http import Http404
from django.views.defaults import page_not_found
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from jiceng.accounts.api_auth import VerifiedSessionAuth
from jiceng.core.errors import ApplicationError
from jiceng.core.inputs import MSG_TOO_LARGE, MSG_TOO_SMALL, too_long
from jiceng.integrations.auth import SystemTokenAuth

session_auth = VerifiedSessionAuth()
# Systems call with `Authorization: Bearer <token>` (integrations); people with the
# session. The token is tried first; without the header the session decides.
system_token_auth = SystemTokenAuth()

api = NinjaAPI(
    title="Jiceng 基层 API",
    version="1",
    description="城市基层党建信息平台开放接口 · Urban grassroots party-building platform API",
    auth=[system_token_auth, session_auth],
    urls_namespace="api",
)


def _error(request, status: int, code: str, message: str, field: str | None = None):
    return api.create_response(
        request, {"code": code, "message": message, "field": field}, status=status
    )


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    response = _error(request, exc.status, exc.code, str(exc.message), exc.field)
    if retry_after := getattr(exc, "retry_after", None):
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    where = list(first.get("loc", []))
    # A multipart body's source is "form"; a body field may be named "form" too.
    if where[:1] == ["form"]:
        where = where[1:]
    loc = [str(part) for part in where if part not in ("body", "query", "path", "payload")]
    field = ".".join(loc) or None
    # An app's schema may name its own stable code (and the field, when the refusal was
    # raised for the whole body) in the error's context, as the app's pages do.
    context = first.get("ctx") or {}
    if context.get("code"):
        inner = str(context.get("field") or "")
        field = ".".join(part for part in (*loc, inner) if part) or None
        return _error(request, 422, str(context["code"]), str(first.get("msg", "")), field)
    return _error(request, 422, "invalid", _validation_message(first), field)


def _validation_message(error: dict) -> str:
    """pydantic's English messages for the errors a person can cause, in the policy's
    Chinese (core.inputs); others keep pydantic's wording after a Chinese lead."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "string_too_long":
        given = error.get("input")
        length = len(given) if isinstance(given, str) else 0
        return too_long(context.get("max_length", 0), length)
    if kind == "greater_than_equal":  # a bounded number: offset, limit, year
        return str(MSG_TOO_SMALL) % {"limit": context.get("ge")}
    if kind == "less_than_equal":
        return str(MSG_TOO_LARGE) % {"limit": context.get("le")}
    if kind == "invalid":  # core.inputs' own refusal, already in Chinese
        return str(error.get("msg", ""))
    return f"输入有误：{error.get('msg', '')}"


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return _error(request, 401, "unauthenticated", "请先登录")


MSG_NOT_FOUND = "未找到或无权查看"


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", MSG_NOT_FOUND)


def url_not_found(request, exception=None):
    """handler404: a URL under /api/ that no operation matches (an id path parameter
    that is not a whole number, "-1") is the API's 404 in its error shape, like an id
    that matches nothing; elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return _error(request, 404, "not_found", MSG_NOT_FOUND)
    return page_not_found(request, exception)


# django-ninja raises these two itself, in English: a body that is not JSON, and a
# session call without its CSRF token. The caller reads them like any other refusal.
NINJA_ERRORS = {
    400: ("invalid", "请求体不是有效的 JSON"),
    403: ("csrf_failed", "CSRF 校验失败：会话调用须带 X-CSRFToken 请求头（取自 csrftoken Cookie）"),
}


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    code, message = NINJA_ERRORS.get(exc.status_code, ("error", str(exc)))
    return _error(request, exc.status_code, code, message)


# Routers of the apps, each in its own module.
from jiceng.accounts.api import accounts_router  # noqa: E402
from jiceng.accounts.api import router as me_router  # noqa: E402
from jiceng.appeals.api import public_router as appeals_public_router  # noqa: E402
from jiceng.appeals.api import router as appeals_router  # noqa: E402
from jiceng.appeals.setup_api import router as appeals_setup_router  # noqa: E402
from jiceng.assessment.api import router as assessment_router  # noqa: E402
from jiceng.cobuild.agreements_api import router as cobuild_agreements_router  # noqa: E402
from jiceng.cobuild.api import router as cobuild_router  # noqa: E402
from jiceng.cobuild.meetings_api import router as cobuild_meetings_router  # noqa: E402
from jiceng.cobuild.venues_api import router as cobuild_venues_router  # noqa: E402
from jiceng.core.api import audit_router  # noqa: E402
from jiceng.core.api import router as areas_router  # noqa: E402
from jiceng.core.jobs_api import router as jobs_router  # noqa: E402
from jiceng.dashboard.api import router as charts_router  # noqa: E402
from jiceng.dashboard.workbench_api import router as workbench_router  # noqa: E402
from jiceng.duties.api import router as duties_router  # noqa: E402
from jiceng.integrations.api import router as integrations_router  # noqa: E402
from jiceng.ledgers.api import router as ledgers_router  # noqa: E402
from jiceng.linkage.api import router as linkage_router  # noqa: E402
from jiceng.members.api import router as members_router  # noqa: E402
from jiceng.orglife.api import public_router as orglife_public_router  # noqa: E402
from jiceng.orglife.api import router as orglife_router  # noqa: E402
from jiceng.orgs.api import router as orgs_router  # noqa: E402
from jiceng.places.api import router as places_router  # noqa: E402
from jiceng.supervision.api import router as supervision_router  # noqa: E402

api.add_router("/me", me_router)
api.add_router("/accounts", accounts_router)
api.add_router("/areas", areas_router)
api.add_router("/audit", audit_router)
api.add_router("/jobs", jobs_router)
api.add_router("", orgs_router)
api.add_router("/appeals/setup", appeals_setup_router)
api.add_router("/appeals", appeals_router)
api.add_router("/cobuild", cobuild_router)
api.add_router("/cobuild", cobuild_agreements_router)
api.add_router("/cobuild", cobuild_meetings_router)
api.add_router("/cobuild", cobuild_venues_router)
api.add_router("/charts", charts_router)
api.add_router("/members", members_router)
api.add_router("/public", appeals_public_router)
api.add_router("/orglife", orglife_router)
api.add_router("/public/orglife", orglife_public_router)
api.add_router("/assessment", assessment_router)
api.add_router("/workbench", workbench_router)
api.add_router("/integrations", integrations_router)
api.add_router("/places", places_router)
api.add_router("/linkage", linkage_router)
api.add_router("/duties", duties_router)
api.add_router("/supervision", supervision_router)
api.add_router("/ledgers", ledgers_router)
