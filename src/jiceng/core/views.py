"""Pages of the kernel that belong to no domain: the large-text switch."""

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

# The large-text mode (长辈模式) of the resident pages is remembered per device, in a
# cookie the pages read on the server, so the first paint is already large.
LARGE_TEXT_COOKIE = "jiceng_large_text"
LARGE_TEXT_MAX_AGE = 365 * 24 * 3600


def large_text_on(request: HttpRequest) -> bool:
    return request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"


@require_POST
def large_text_switch(request: HttpRequest) -> HttpResponseRedirect:
    """One tap turns the mode on or off and returns to the page it came from. Pages with
    scripts switch in place (static/jiceng/app.js) and keep what was typed; this is the
    same switch without a script."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if large_text_on(request):
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            LARGE_TEXT_COOKIE, "1", max_age=LARGE_TEXT_MAX_AGE, samesite="Lax", httponly=False
        )
    return response
