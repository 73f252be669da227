from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.inputs import InputPolicyForm
from jiceng.core.pickers import PickerField


class LoginForm(InputPolicyForm):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(InputPolicyForm):
    code = forms.RegexField(
        label=_("验证码"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("请输入6位数字验证码")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 6}
        ),
    )


class AccountForm(InputPolicyForm):
    """A new account with one role. The anchor is an area for territorial roles and an
    org for org roles; the service checks the level and the granter's territory."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    password = forms.CharField(
        label=_("初始密码"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "至少10位，包含大写字母、小写字母、数字、符号中的三类；请当面告知本人，"
            "本人首次登录时须修改"
        ),
    )
    role = forms.ChoiceField(label=_("角色"))
    area = PickerField(
        label=_("所属区域"), required=False, picker="grantable-areas", empty_label="—"
    )
    org = PickerField(
        label=_("所属党组织"), required=False, picker="grantable-orgs", empty_label="—"
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = list(roles)


class PasswordChangeForm(InputPolicyForm):
    """The person's own new password. The rules are the service's (Django's validators
    plus three character classes); the form only checks the two entries agree."""

    old_password = forms.CharField(
        label=_("原密码"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("新密码"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少10位，包含大写字母、小写字母、数字、符号中的三类，不能与用户名相近"),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        first, second = data.get("new_password"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data


# Where each form's text is stored (jiceng.core.field_inventory: the user guide's field
# table and the test that holds each limit to its column's).
AccountForm.columns = {
    "username": "accounts.User.username",
    "full_name": "accounts.User.full_name",
    "password": None,  # stored only as a hash
}
LoginForm.columns = {"username": None, "password": None}
CodeForm.columns = {"code": None}
PasswordChangeForm.columns = dict.fromkeys(["old_password", "new_password", "new_password2"])
