"""Second factor: a signed-in user whose role requires TOTP reaches nothing but the
verification and enrollment pages until the session is verified."""

from django.shortcuts import redirect
from django.urls import reverse

SESSION_FLAG = "jiceng_totp_required"
OPEN_PREFIXES = ("/static/", "/accounts/", "/i18n/", "/track/", "/open311/")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.session.get(SESSION_FLAG)
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "code": "second_factor_required",
                        "message": "需要完成双因素认证",
                        "field": None,
                    },
                    status=401,
                )
            return redirect(reverse("accounts:verify"))
        return self.get_response(request)
