"""Sign in, the TOTP second factor (enrol and verify), sign out, and the lockout page.

The password is checked by Django's `authenticate(request=...)`, so django-axes counts
failures and locks out repeated guessing per username and client address; a role that
requires TOTP reaches nothing but these pages until the code is verified
(SecondFactorMiddleware). Every sign-in, failure, second-factor step and sign-out leaves
an audit entry, as MLPS level 3 asks of security events.
"""

import base64
import math
from urllib.parse import urlencode

import segno
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.accounts import forms, login_guard, selectors
from jiceng.accounts.middleware import SESSION_FLAG
from jiceng.accounts.services import (
    login_failure_record,
    login_record,
    logout_record,
    otp_attempt_record,
    totp_device_confirm,
    totp_device_create,
    user_requires_totp,
)
from jiceng.core.view_helpers import call_on_form, refusals_as_messages

# Lazy: the page's language is known only when the message is shown.
MSG_BAD_LOGIN = gettext_lazy("用户名或密码不正确")
MSG_BAD_CODE = gettext_lazy("验证码不正确或已过期")
MSG_BAD_ENROLL_CODE = gettext_lazy("验证码不正确，请确认手机时间准确后重试")
MSG_THROTTLED = gettext_lazy("验证码错误次数过多，请 %(seconds)s 秒后再试")
MSG_ENROLLED = gettext_lazy("双因素认证已启用")
MSG_LOGGED_OUT = gettext_lazy("已退出")
MSG_SLOW_ADDRESS = gettext_lazy("此网络登录失败次数过多，请 %(seconds)s 秒后再试")
MSG_SLOW_USERNAME = gettext_lazy("该账号登录尝试过于频繁，请 %(seconds)s 秒后再试")
ENROLL_DEVICE_NAME = "default"


def _safe_next(request: HttpRequest) -> str:
    """The `next` the visitor came with, or "" when it leads off this site: an open
    redirect after sign-in is a phishing tool."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _next_url(request: HttpRequest) -> str:
    return _safe_next(request) or reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    """Username and password; then the second factor where the user's role requires it."""
    form = forms.LoginForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        username = form.cleaned_data["username"]
        refusal = login_guard.check(request, username)
        if refusal is not None:
            login_failure_record(username=username, locked_out=False, throttled=refusal.reason)
            message = MSG_SLOW_ADDRESS if refusal.reason == "address" else MSG_SLOW_USERNAME
            form.add_error(None, message % {"seconds": refusal.seconds})
            context = {"form": form, "next": _safe_next(request)}
            return render(request, "accounts/login.html", context, status=429)
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            login_failure_record(username=username, locked_out=True)
            return locked_out(request, None)
        if user is None:
            login_failure_record(username=username, locked_out=False)
            form.add_error(None, MSG_BAD_LOGIN)
        else:
            with transaction.atomic():
                login(request, user)
                login_record(user=user)
            # A password sign-in always asks for a fresh code, even when this browser's
            # session had passed the second factor before.
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            if user_requires_totp(user):
                request.session[SESSION_FLAG] = True
                confirmed = selectors.has_confirmed_totp(user)
                step = "accounts:verify" if confirmed else "accounts:enroll"
                response = redirect(_with_next(step, _safe_next(request)))
            elif user.must_change_password:
                response = redirect(_with_next("accounts:password_change", _safe_next(request)))
            else:
                response = redirect(_next_url(request))
            # This browser now knows the password: later throttles spare it (login_guard).
            login_guard.remember_device(response, user.get_username())
            return response
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)})


def _throttled_seconds(device: TOTPDevice) -> int:
    """Seconds until the device accepts another code; 0 when it does now."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return 0
    locked_until = (data or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, math.ceil((locked_until - timezone.now()).total_seconds()))


def _finish_second_factor(request: HttpRequest, device: TOTPDevice) -> None:
    otp_login(request, device)
    request.session.pop(SESSION_FLAG, None)


@never_cache
@login_required
@sensitive_post_parameters("code")
def verify(request: HttpRequest) -> HttpResponse:
    """The second step: a 6-digit code from the authenticator app. django-otp's
    throttling doubles the wait after each wrong code, so six digits cannot be guessed."""
    user = request.user
    devices = selectors.confirmed_totp_devices(user)
    if not devices:
        return redirect(_with_next("accounts:enroll", _safe_next(request)))
    if user.is_verified():
        return redirect(_next_url(request))
    form = forms.CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        open_devices = [d for d in devices if not _throttled_seconds(d)]
        verified = next(
            (d for d in open_devices if d.verify_token(form.cleaned_data["code"])), None
        )
        if verified is not None:
            _finish_second_factor(request, verified)
            otp_attempt_record(user=user, verified=True)
            return redirect(_next_url(request))
        if open_devices:
            form.add_error("code", MSG_BAD_CODE)
        else:
            wait = min(_throttled_seconds(d) for d in devices)
            form.add_error("code", MSG_THROTTLED % {"seconds": wait})
        otp_attempt_record(user=user, verified=False, throttled=not open_devices)
    return render(request, "accounts/verify.html", {"form": form, "next": _safe_next(request)})


@never_cache
@login_required
@sensitive_post_parameters("code")
def enroll(request: HttpRequest) -> HttpResponse:
    """First sign-in of a role that needs TOTP: scan the code (or type the secret), then
    enter one code to confirm. The page holds the secret, hence never cached."""
    user = request.user
    if selectors.has_confirmed_totp(user):
        return redirect(_with_next("accounts:verify", _safe_next(request)))
    if not user_requires_totp(user):
        # A device nobody is ever asked for would only suggest protection that is not there.
        return redirect(_next_url(request))
    device = selectors.pending_totp_device(user)
    if device is None:
        device = totp_device_create(actor=user, user=user, name=ENROLL_DEVICE_NAME, confirmed=False)
    form = forms.CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        wait = _throttled_seconds(device)
        if wait:
            form.add_error("code", MSG_THROTTLED % {"seconds": wait})
        elif totp_device_confirm(actor=user, device=device, code=form.cleaned_data["code"]):
            _finish_second_factor(request, device)
            messages.success(request, MSG_ENROLLED)
            return redirect(_next_url(request))
        else:
            form.add_error("code", MSG_BAD_ENROLL_CODE)
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    context = {
        "form": form,
        "qr": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
        "next": _safe_next(request),
    }
    return render(request, "accounts/enroll.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """POST only, so that a link or an image on another page cannot sign anyone out."""
    if request.user.is_authenticated:
        logout_record(user=request.user)
    logout(request)
    messages.info(request, MSG_LOGGED_OUT)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes calls this when a username and client address are locked (with the
    original response as second argument in recent versions, hence the loose signature)."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


# ---- account administration ------------------------------------------------------------------


def _require_admin(request) -> None:
    from django.http import Http404

    from jiceng.accounts.selectors import can_administer_accounts

    if not can_administer_accounts(request.user):
        raise Http404


@login_required
def account_list(request):
    """The accounts holding roles in the viewer's territory, with a revoke button."""
    from jiceng.accounts.models import Role
    from jiceng.accounts.selectors import assignment_list

    _require_admin(request)
    from django.core.paginator import Paginator

    role = request.GET.get("role") or None
    q = request.GET.get("q", "").strip()[:50]
    rows = assignment_list(viewer=request.user, role=role, q=q or None)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/account_list.html",
        {"rows": page, "page": page, "roles": Role.choices, "role": role, "q": q},
    )


@login_required
@sensitive_post_parameters("password")
def account_new(request):
    from jiceng.accounts.models import AREA_ROLES, ORG_ROLES, Role
    from jiceng.accounts.services import account_create

    _require_admin(request)
    user = request.user
    levels = selectors.grantable_levels(viewer=user)
    roles = [
        (value, label)
        for value, label in Role.choices
        if value in ORG_ROLES or set(AREA_ROLES.get(value, ())) & levels
    ]
    form = forms.AccountForm(request.POST or None, roles=roles, viewer=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area, org = data["area"], data["org"]
        account = call_on_form(
            form,
            lambda: account_create(
                actor=user,
                username=data["username"],
                password=data["password"],
                full_name=data["full_name"],
                role=data["role"],
                area=area,
                org=org,
            ),
            propagate=(),
        )
        if account is not None:
            messages.success(request, _("已创建账号 %(name)s") % {"name": account.username})
            return redirect("accounts:account_list")
    return render(request, "accounts/account_new.html", {"form": form})


@login_required
@require_POST
def account_revoke(request, pk: int):
    from django.http import Http404

    from jiceng.accounts.selectors import assignment_list
    from jiceng.accounts.services import role_revoke

    _require_admin(request)
    assignment = assignment_list(viewer=request.user).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    with refusals_as_messages(request, not_found_is_404=False):
        role_revoke(actor=request.user, assignment=assignment)
        messages.success(request, _("已撤销该角色"))
    return redirect("accounts:account_list")
