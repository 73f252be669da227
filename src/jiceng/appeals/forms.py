"""Forms of the appeal pages. They only parse input; services validate the rules and
raise errors naming the field, which the views put back on the form."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.appeals.models import Appeal, Category, HandlingUnit, Mediation
from jiceng.core.idempotency import MAX_KEY_LENGTH
from jiceng.core.inputs import InputPolicyForm, max_length_of
from jiceng.core.models import Area
from jiceng.core.pickers import PickerField

# Ten names of up to 50 characters, one a line.
MEDIATION_PARTIES_MAX = 10 * 51


def category_choices() -> list:
    """Categories grouped under their major class, as a select with optgroups."""
    groups: dict[str, list] = {}
    for category in Category.objects.filter(is_active=True).order_by("sort", "code"):
        groups.setdefault(category.group, []).append((category.pk, category.name))
    return [("", _("请选择")), *list(groups.items())]


class PublicIntakeForm(InputPolicyForm):
    category = forms.TypedChoiceField(label=_("问题类别"), coerce=int)
    community = forms.IntegerField(label=_("所在社区"), widget=forms.HiddenInput, required=False)
    # Picked from the lists, or left empty when the address typed (`where`) or the
    # phone's position (latitude/longitude, WGS-84) says where (places.locate).
    area = forms.IntegerField(label=_("发生地"), required=False)
    where = forms.CharField(label=_("地址"), max_length=200, required=False)
    latitude = forms.FloatField(
        widget=forms.HiddenInput, required=False, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        widget=forms.HiddenInput, required=False, min_value=-180, max_value=180
    )
    address = forms.CharField(label=_("详细地点"), max_length=200, required=False)
    description = forms.CharField(
        label=_("问题描述"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
    )
    contact_name = forms.CharField(label=_("称呼（选填）"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("手机号码（选填，仅承办人员可见）"), max_length=20, required=False
    )
    photo = forms.FileField(label=_("照片（选填，5MB以内）"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=MAX_KEY_LENGTH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class StaffIntakeForm(PublicIntakeForm):
    """Built with `viewer=`: the place is one of the communities and grids in sight."""

    area = PickerField(label=_("发生地"), picker="filing-places")
    channel = forms.ChoiceField(
        label=_("来源"),
        choices=[(Appeal.Channel.HOTLINE, _("热线")), (Appeal.Channel.GRID, _("网格巡查"))],
    )


class RateForm(InputPolicyForm):
    resolved = forms.TypedChoiceField(
        label=_("问题是否已解决"),
        choices=[("1", _("已解决")), ("0", _("未解决"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Appeal.Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("意见（选填）"), max_length=500, required=False)


# A reason and a reply are required by the lifecycle (appeals.states), which refuses an
# empty one with its own code; the forms only parse, so the page and the API answer alike.
# The browser still asks for them (the widget's `required`).
class ReasonForm(InputPolicyForm):
    reason = forms.CharField(
        label=_("原因"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )


class ReplyForm(InputPolicyForm):
    reply = forms.CharField(
        label=_("答复内容（居民可见）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "required": True}),
    )


class PublishForm(InputPolicyForm):
    public_description = forms.CharField(
        label=_("公开描述（删去姓名、地址、门牌、电话和证件号后公开；留空则撤回）"),
        max_length=max_length_of(Appeal, "public_description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DispatchForm(InputPolicyForm):
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=HandlingUnit.objects.none())
    note = forms.CharField(label=_("派单说明"), max_length=500, required=False)

    def __init__(self, *args, appeal: Appeal, **kwargs):
        super().__init__(*args, **kwargs)
        street = appeal.street
        self.fields["unit"].queryset = HandlingUnit.objects.filter(
            is_active=True, area__path__in=_ancestors_and(street)
        ) | HandlingUnit.objects.filter(is_active=True, area__path__startswith=street.path)


class SummonsForm(InputPolicyForm):
    units = forms.ModelMultipleChoiceField(
        label=_("吹哨部门"),
        queryset=HandlingUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("吹哨事由"), max_length=300)
    report_hours = forms.IntegerField(label=_("报到时限（小时）"), min_value=1, initial=24)
    act_working_days = forms.IntegerField(label=_("处置时限（工作日）"), min_value=1, initial=3)

    def __init__(self, *args, appeal: Appeal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = HandlingUnit.objects.filter(
            is_active=True,
            kind=HandlingUnit.Kind.DEPARTMENT,
            area__path__in=_ancestors_and(appeal.street),
        )


class MediationForm(InputPolicyForm):
    parties = forms.CharField(
        label=_("当事人（每行一人）"),
        max_length=MEDIATION_PARTIES_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.ChoiceField(
        label=_("调解结果"),
        choices=[("", _("尚未调解")), *Mediation.Outcome.choices],
        required=False,
    )
    agreement = forms.CharField(
        label=_("协议内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    mediator = forms.CharField(label=_("调解员"), max_length=50, required=False)
    mediated_on = forms.DateField(
        label=_("调解日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class StartForm(InputPolicyForm):
    note = forms.CharField(label=_("说明（选填）"), max_length=500, required=False)


class NoteForm(InputPolicyForm):
    note = forms.CharField(
        label=_("处置情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _ancestors_and(area: Area) -> list[str]:
    from jiceng.appeals.routing import ancestor_paths

    return ancestor_paths(area)


# Where each form's text is stored (jiceng.core.field_inventory: the user guide's field
# table and the test that holds each limit to its column's). An action's reason or note
# goes into the case's timeline, whose note column (2000) holds the longer texts of other
# steps; an action keeps 500 of it, so those fields name no column of their own.
PublicIntakeForm.column_model = Appeal
PublicIntakeForm.columns = {
    "contact_phone": None,  # stored encrypted
    "idempotency_key": "appeals.Appeal.idempotency_key",
}
PublishForm.columns = {"public_description": "appeals.Appeal.public_description"}
ReplyForm.columns = {"reply": "appeals.Appeal.public_reply"}
MediationForm.column_model = Mediation
MediationForm.columns = {"parties": None}  # a list of names, at most ten of 50
RateForm.columns = {"comment": None}
ReasonForm.columns = {"reason": None}
DispatchForm.columns = {"note": None}
StartForm.columns = {"note": None}
SummonsForm.columns = {"reason": "appeals.Summons.reason"}
NoteForm.columns = {"note": "appeals.SummonsTarget.action_note"}


class PlaceForm(InputPolicyForm):
    """Placing a queued case: a community from the list, or a text the registry places
    (a standard address, an alias)."""

    area = forms.IntegerField(label=_("社区"), required=False)
    where = forms.CharField(label=_("或输入标准地址"), max_length=200, required=False)
    remember = forms.BooleanField(label=_("记住该地址写法（作为别名）"), required=False)
