"""Passwords: everyone changes their own; an administrator resets another's.

A change needs the old password and ends every other session of the account; a reset
gives a temporary password shown once, to be handed over in person, which must be
changed at the next sign-in (accounts.middleware enforces it). No e-mail is needed.
"""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jiceng.accounts import forms
from jiceng.accounts.access import get_account_for_reset
from jiceng.accounts.services import password_change, password_reset_issue
from jiceng.core.errors import NotFound
from jiceng.core.view_helpers import call_on_form

MSG_CHANGED = _("密码已修改，其他设备上的登录已退出")


@never_cache
@login_required
@sensitive_post_parameters("old_password", "new_password", "new_password2")
def password_change_view(request: HttpRequest) -> HttpResponse:
    forced = request.user.must_change_password
    form = forms.PasswordChangeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        user = call_on_form(
            form,
            lambda: password_change(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            ),
            propagate=(),
        )
        if user is not None:
            # This session stays; the others end because the password hash changed.
            update_session_auth_hash(request, user)
            messages.success(request, MSG_CHANGED)
            return redirect("dashboard:home")
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


@never_cache
@login_required
@require_POST
def password_reset_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """POST only; the answer is the one page that ever shows the temporary password."""
    try:
        account = get_account_for_reset(request.user, user_id)
    except NotFound:
        raise Http404 from None
    temporary = password_reset_issue(actor=request.user, user=account)
    return render(
        request,
        "accounts/password_reset_done.html",
        {"account": account, "temporary": temporary},
    )
