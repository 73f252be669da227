"""Sign in, the TOTP second factor (enrol and verify), sign out, and the lockout page.

The password is checked by Django's `authenticate`, so django-axes counts failures and
locks out repeated guessing; a role that requires TOTP reaches nothing but these pages
until the code is verified (SecondFactorMiddleware).
"""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.accounts import forms
from jiceng.accounts.middleware import SESSION_FLAG
from jiceng.accounts.services import totp_device_create, user_requires_totp
from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry

MSG_BAD_LOGIN = _("用户名或密码不正确")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
def login_view(request):
    form = forms.LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            return locked_out(request, None)
        if user is None:
            form.add_error(None, MSG_BAD_LOGIN)
        else:
            with transaction.atomic():
                login(request, user)
                audit_record(actor=user, action=AuditEntry.Action.LOGIN, target=user)
            if user_requires_totp(user):
                request.session[SESSION_FLAG] = True
                confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
                step = "accounts:verify" if confirmed else "accounts:enroll"
                return redirect(f"{reverse(step)}?next={_next_url(request)}")
            return redirect(_next_url(request))
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


def _verify_code(user, code: str) -> TOTPDevice | None:
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, _data = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            return device
    return None


@login_required
@sensitive_post_parameters("code")
def verify(request):
    """The second step: a 6-digit code from the authenticator app."""
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:enroll")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _verify_code(request.user, form.cleaned_data["code"])
        if device is None:
            form.add_error("code", _("验证码不正确或已过期"))
            audit_record(
                actor=request.user, action=AuditEntry.Action.OTP, target=request.user,
                changes={"verified": False},
            )  # fmt: skip
        else:
            otp_login(request, device)
            request.session.pop(SESSION_FLAG, None)
            audit_record(
                actor=request.user, action=AuditEntry.Action.OTP, target=request.user,
                changes={"verified": True},
            )  # fmt: skip
            return redirect(_next_url(request))
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


@login_required
@sensitive_post_parameters("code")
def enroll(request):
    """First sign-in of a role that needs TOTP: scan the code, enter one code to confirm."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        with transaction.atomic():
            device = totp_device_create(actor=user, user=user, name="default", confirmed=False)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record(
                    actor=user, action=AuditEntry.Action.OTP, target=user,
                    changes={"device": device.name, "confirmed": True},
                )  # fmt: skip
            otp_login(request, device)
            request.session.pop(SESSION_FLAG, None)
            messages.success(request, _("双因素认证已启用"))
            return redirect(_next_url(request))
        form.add_error("code", _("验证码不正确，请确认手机时间准确后重试"))
    uri = device.config_url
    svg = segno.make(uri, error="m").svg_inline(scale=4)
    qr = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {"form": form, "qr": qr, "secret": secret, "next": _next_url(request)}
    return render(request, "accounts/enroll.html", context)


@require_POST
def logout_view(request):
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        audit_record(actor=user, action=AuditEntry.Action.LOGOUT, target=user)
    logout(request)
    messages.info(request, _("已退出"))
    return redirect("accounts:login")


def locked_out(request, credentials, *args, **kwargs):
    """django-axes calls this when an account or address is locked."""
    minutes = int(float(getattr(settings, "AXES_COOLOFF_TIME", 0.5) or 0) * 60)
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
    role = request.GET.get("role") or None
    rows = assignment_list(viewer=request.user, role=role)[:500]
    return render(
        request,
        "accounts/account_list.html",
        {"rows": rows, "roles": Role.choices, "role": role},
    )


@login_required
@sensitive_post_parameters("password")
def account_new(request):
    from jiceng.accounts.models import AREA_ROLES, ORG_ROLES, Role
    from jiceng.accounts.services import role_grant, user_create
    from jiceng.core.access import can_manage_area
    from jiceng.core.errors import ApplicationError
    from jiceng.core.models import Area
    from jiceng.core.scope import scope_for
    from jiceng.orgs.access import can_manage_org
    from jiceng.orgs.models import PartyOrg

    _require_admin(request)
    user = request.user
    scope = scope_for(user)
    areas = [
        a
        for a in scope.filter(Area.objects.exclude(level=Area.Level.BUILDING)).order_by("path")[
            :2000
        ]
        if can_manage_area(user, a)
    ]
    orgs = [
        o
        for o in scope.filter(PartyOrg.objects.filter(closed_on__isnull=True)).order_by("path")[
            :1000
        ]
        if can_manage_org(user, o)
    ]
    levels = {a.level for a in areas}
    roles = [
        (value, label)
        for value, label in Role.choices
        if value in ORG_ROLES or set(AREA_ROLES.get(value, ())) & levels
    ]
    form = forms.AccountForm(request.POST or None, roles=roles, areas=areas, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = next((a for a in areas if a.pk == data.get("area")), None)
        org = next((o for o in orgs if o.pk == data.get("org")), None)
        try:
            with transaction.atomic():
                account = user_create(
                    actor=user,
                    username=data["username"],
                    password=data["password"],
                    full_name=data["full_name"],
                )
                role_grant(
                    actor=user,
                    user=account,
                    role=data["role"],
                    area=area if data["role"] in AREA_ROLES else None,
                    org=org if data["role"] in ORG_ROLES else None,
                )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("已创建账号 %(name)s") % {"name": account.username})
            return redirect("accounts:account_list")
    return render(request, "accounts/account_new.html", {"form": form})


@login_required
@require_POST
def account_revoke(request, pk: int):
    from django.http import Http404

    from jiceng.accounts.selectors import assignment_list
    from jiceng.accounts.services import role_revoke
    from jiceng.core.errors import ApplicationError

    _require_admin(request)
    assignment = assignment_list(viewer=request.user).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    try:
        role_revoke(actor=request.user, assignment=assignment)
        messages.success(request, _("已撤销该角色"))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("accounts:account_list")
