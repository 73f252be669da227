"""How the JSON API knows who calls: the signed-in session, on the pages' terms."""

from django.utils.translation import gettext_lazy as _
from ninja.security import SessionAuth

from jiceng.accounts.middleware import needs_password_change, needs_second_factor
from jiceng.core.errors import ApplicationError


class SecondFactorRequired(ApplicationError):
    status = 401
    code = "second_factor_required"


class PasswordChangeRequired(ApplicationError):
    status = 403
    code = "password_change_required"


class VerifiedSessionAuth(SessionAuth):
    """The signed-in session, on the same terms as the pages (accounts.middleware): a
    role that requires TOTP must have passed it, and an account with a password chosen by
    an administrator must have changed it, whatever login path opened the session."""

    allow_password_change_pending = False

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        if needs_second_factor(request):
            raise SecondFactorRequired(_("需要完成双因素认证"))
        if not self.allow_password_change_pending and needs_password_change(request):
            raise PasswordChangeRequired(_("请先修改初始密码"), field="password")
        return user


class PasswordChangeSessionAuth(VerifiedSessionAuth):
    """For the one operation that clears a pending password change."""

    allow_password_change_pending = True
