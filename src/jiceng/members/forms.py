"""Forms of the member pages. Services validate the rules; views put their errors back
on the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.inputs import InputPolicyForm
from jiceng.core.pickers import PickerField
from jiceng.members.models import (
    DualReport,
    Member,
    MobileInflow,
    MobileOutflow,
    ServiceRecord,
)

DATE = forms.DateInput(attrs={"type": "date"})


class MemberForm(InputPolicyForm):
    """Built with `viewer=`: the org is one the viewer may change (`member-orgs`)."""

    org = PickerField(label=_("所在党组织"), picker="member-orgs")
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=24)
    ethnicity = forms.CharField(label=_("民族"), max_length=10, initial="汉族")
    education = forms.ChoiceField(
        label=_("学历"), choices=Member.Education.choices, initial=Member.Education.BACHELOR
    )
    joined_on = forms.DateField(label=_("入党日期"), widget=DATE)
    status = forms.ChoiceField(
        label=_("党员状态"), choices=Member.Status.choices, initial=Member.Status.FULL
    )
    full_on = forms.DateField(label=_("转正日期"), widget=DATE, required=False)
    category = forms.ChoiceField(
        label=_("党员类别"), choices=Member.Category.choices, initial=Member.Category.IN_SERVICE
    )
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    work_unit_name = forms.CharField(label=_("工作单位"), max_length=150, required=False)
    post = forms.CharField(label=_("职务"), max_length=60, required=False)


class ImportForm(InputPolicyForm):
    """A roster to import into an org the viewer may change; built with `viewer=`. The
    file itself is checked by `core.uploads.accept_workbook`, the rows by the job."""

    org = PickerField(label=_("导入到党组织"), picker="member-orgs")
    file = forms.FileField(
        label=_("名册文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class AccountForm(InputPolicyForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(
        max_length=128,
        label=_("初始密码"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("请当面告知本人，并提醒其首次登录后修改。"),
    )


class TransferForm(InputPolicyForm):
    to_org = forms.IntegerField(label=_("转入党组织编号"))
    reason = forms.CharField(label=_("转接原因"), max_length=200)


class ReasonForm(InputPolicyForm):
    reason = forms.CharField(label=_("退回原因"), max_length=200)


class OutflowForm(InputPolicyForm):
    certificate_number = forms.CharField(label=_("活动证编号"), max_length=40)
    destination = forms.CharField(label=_("外出地点"), max_length=150)
    left_on = forms.DateField(label=_("外出日期"), widget=DATE)
    expected_return_on = forms.DateField(label=_("预计返回日期"), widget=DATE, required=False)
    reason = forms.CharField(label=_("外出原因"), max_length=100, required=False)


class InflowForm(InputPolicyForm):
    community = forms.TypedChoiceField(label=_("流入社区"), coerce=int)
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=24)
    certificate_number = forms.CharField(label=_("活动证编号"), max_length=40)
    home_org_name = forms.CharField(label=_("流出党组织"), max_length=120)
    registered_on = forms.DateField(label=_("登记日期"), widget=DATE, required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]


class ServiceForm(InputPolicyForm):
    task = forms.CharField(label=_("服务内容"), max_length=150)
    served_on = forms.DateField(label=_("服务日期"), widget=DATE)
    hours = forms.DecimalField(label=_("时长（小时）"), max_digits=5, decimal_places=1)


class PostForm(InputPolicyForm):
    service_post = forms.CharField(label=_("认领岗位"), max_length=100)


# Where each form's text is stored (jiceng.core.field_inventory: the user guide's field
# table and the test that holds each limit to its column's). ID numbers and phones are
# stored encrypted, so their limit is that of the typed text.
MemberForm.column_model = Member
MemberForm.columns = {"id_number": None, "phone": None}
AccountForm.columns = {"username": "accounts.User.username", "password": None}
TransferForm.columns = {"reason": "members.Transfer.reason"}
ReasonForm.columns = {"reason": "members.Transfer.return_reason"}
OutflowForm.column_model = MobileOutflow
InflowForm.column_model = MobileInflow
InflowForm.columns = {"id_number": None}
ServiceForm.column_model = ServiceRecord
PostForm.column_model = DualReport
