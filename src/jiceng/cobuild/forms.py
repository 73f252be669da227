"""Forms of the co-building pages. They only parse input (types, lengths, choices the
viewer may pick from); the services check every rule and raise errors naming the field,
which the views put back on the form."""

import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.cobuild.models import (
    Agreement,
    AgreementReview,
    Booking,
    Category,
    Commitment,
    JointMeeting,
    MeetingTask,
    Need,
    Project,
    Resource,
    Room,
    Venue,
)
from jiceng.core.idempotency import MAX_KEY_LENGTH
from jiceng.core.inputs import InputPolicyForm
from jiceng.core.pickers import PickerField, get_picker, offered

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def _blank(label=None) -> list:
    return [("", label or _("请选择"))]


def _textarea(rows: int, max_length: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": max_length})


def _preselect_only_one(form: forms.BaseForm, name: str) -> None:
    """An unbound form whose picker offers the viewer a single candidate starts with it
    chosen (two rows read)."""
    field = form.fields[name]
    if form.is_bound or field.user is None:
        return
    found = offered(get_picker(field.picker_name), field.user, params=field.params, limit=1)
    if len(found) == 1:
        form.initial.setdefault(name, found[0].pk)


# The picker fields' parameters (core.area_pickers): where needs, agreements, resources
# and service centres sit.
COMMUNITIES = {"levels": "community"}
STREETS_AND_COMMUNITIES = {"levels": "community,street"}


class IdempotentForm(InputPolicyForm):
    """A hidden key made when the form is shown: a retry of the same submission (a
    double tap, a resend after a dropped connection) carries it and files nothing new."""

    idempotency_key = forms.CharField(
        label=_("提交标识"), widget=forms.HiddenInput, max_length=MAX_KEY_LENGTH
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


# ---- needs ----------------------------------------------------------------------------------


class NeedFieldsForm(IdempotentForm):
    title = forms.CharField(label=_("需求名称"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=[*_blank(), *Category.choices])
    place = forms.CharField(label=_("地点（选填）"), max_length=200, required=False)
    beneficiaries = forms.IntegerField(
        label=_("受益人数"), min_value=1, max_value=100_000, initial=1
    )
    window_start = forms.DateField(label=_("需求开始日期"), widget=DATE)
    window_end = forms.DateField(label=_("需求结束日期"), widget=DATE)
    description = forms.CharField(
        label=_("需求描述（选填）"), max_length=2000, required=False, widget=_textarea(4, 2000)
    )
    contact_name = forms.CharField(label=_("联系人（选填）"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("手机号码（选填，仅社区工作人员可见）"), max_length=20, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("window_start", today)
            self.initial.setdefault("window_end", today + datetime.timedelta(days=30))


class ResidentNeedForm(NeedFieldsForm):
    """A resident's need: the community comes from the place picker (district → street →
    community), like the appeal report."""

    community = forms.IntegerField(label=_("所在社区"), widget=forms.HiddenInput)

    field_order = ["title", "category", "community", "place", "beneficiaries"]


class StaffNeedForm(NeedFieldsForm):
    community = PickerField(label=_("社区"), picker="manageable-areas", params=COMMUNITIES)

    field_order = ["title", "category", "community", "place", "beneficiaries"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _preselect_only_one(self, "community")


class AppealToNeedForm(InputPolicyForm):
    title = forms.CharField(label=_("需求名称"), max_length=100)
    category = forms.ChoiceField(label=_("需求类别"), choices=[*_blank(), *Category.choices])
    beneficiaries = forms.IntegerField(
        label=_("受益人数"), min_value=1, max_value=100_000, initial=1
    )
    window_start = forms.DateField(label=_("需求开始日期"), widget=DATE)
    window_end = forms.DateField(label=_("需求结束日期"), widget=DATE)


class NeedCloseForm(InputPolicyForm):
    reason = forms.CharField(label=_("关闭原因"), max_length=200)


# ---- resources ------------------------------------------------------------------------------


MSG_NO_PROVIDER = _("请选择提供方党组织或报到的在职党员")
MSG_TWO_PROVIDERS = _("提供方只能选一个")


class ResourceForm(InputPolicyForm):
    """The provider is chosen in one of two pickers, an org or a member's dual report:
    at city scale one select of both was slow to build and cut at 500."""

    org = PickerField(
        label=_("提供方党组织"),
        required=False,
        picker="manageable-orgs",
        params={"groups": "0"},
    )
    dual_report = PickerField(
        label=_("或：报到的在职党员"), required=False, picker="provider-reports"
    )
    title = forms.CharField(label=_("资源名称"), max_length=100)
    kind = forms.ChoiceField(label=_("资源类型"), choices=[*_blank(), *Resource.Kind.choices])
    category = forms.ChoiceField(label=_("服务类别"), choices=[*_blank(), *Category.choices])
    # Streets and communities only: a grid-level place is the provider's own (the default).
    area = PickerField(
        label=_("所在区域（不选则为提供方所在地）"),
        required=False,
        picker="manageable-areas",
        params=STREETS_AND_COMMUNITIES,
        empty_label=_("与提供方相同"),
    )
    capacity = forms.IntegerField(
        label=_("可同时服务需求数"), min_value=1, max_value=1000, initial=1
    )
    available_from = forms.DateField(label=_("可用开始日期"), widget=DATE)
    available_until = forms.DateField(label=_("可用结束日期"), widget=DATE)
    description = forms.CharField(
        label=_("资源描述（选填）"), max_length=2000, required=False, widget=_textarea(4, 2000)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("available_from", today)
            self.initial.setdefault("available_until", today + datetime.timedelta(days=365))
            self._preselect_the_only_provider()

    def _preselect_the_only_provider(self) -> None:
        """A viewer with a single provider, one org and no report (a unit org's
        secretary) or the reverse, starts with it chosen, as when both were one select:
        up to two candidates read of each picker, the reports not when the orgs are two."""
        found: dict[str, list] = {}
        for name in ("org", "dual_report"):
            field = self.fields[name]
            if field.user is None:  # built without a viewer
                return
            picker = get_picker(field.picker_name)
            found[name] = offered(picker, field.user, params=field.params, limit=1)
            if sum(len(items) for items in found.values()) > 1:
                return
        for name, items in found.items():
            if items:
                self.initial.setdefault(name, items[0].pk)

    def clean(self):
        cleaned = super().clean()
        # The API parses without the pickers (core.pickers.without_pickers): it takes ids,
        # and the service checks that exactly one provider is given.
        if "org" not in self.fields or self.has_error("org") or self.has_error("dual_report"):
            return cleaned
        org, report = cleaned.get("org"), cleaned.get("dual_report")
        if org is None and report is None:
            self.add_error("org", MSG_NO_PROVIDER)
        elif org is not None and report is not None:
            self.add_error("dual_report", MSG_TWO_PROVIDERS)
        return cleaned


class ResourceEditForm(InputPolicyForm):
    title = forms.CharField(label=_("资源名称"), max_length=100)
    capacity = forms.IntegerField(label=_("可同时服务需求数"), min_value=1, max_value=1000)
    available_from = forms.DateField(label=_("可用开始日期"), widget=DATE)
    available_until = forms.DateField(label=_("可用结束日期"), widget=DATE)
    description = forms.CharField(
        label=_("资源描述（选填）"), max_length=2000, required=False, widget=_textarea(4, 2000)
    )


class ReasonForm(InputPolicyForm):
    reason = forms.CharField(label=_("原因（选填）"), max_length=200, required=False)


# ---- projects -------------------------------------------------------------------------------


class ProjectStepForm(InputPolicyForm):
    note = forms.CharField(
        label=_("说明（选填）"), max_length=2000, required=False, widget=_textarea(2, 2000)
    )


class ProjectEvaluateForm(InputPolicyForm):
    score = forms.TypedChoiceField(
        label=_("受益群众评分"),
        choices=[(n, f"{n} ★") for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价意见（选填）"), max_length=500, required=False, widget=_textarea(2, 500)
    )


class ProjectPlanForm(InputPolicyForm):
    title = forms.CharField(label=_("项目名称"), max_length=100)
    plan = forms.CharField(
        label=_("实施方案"), max_length=4000, required=False, widget=_textarea(4, 4000)
    )
    budget = forms.DecimalField(label=_("预算（元）"), min_value=0, max_digits=12, decimal_places=2)


class ProjectCreateForm(InputPolicyForm):
    resources = forms.TypedMultipleChoiceField(
        label=_("承接资源"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(label=_("项目名称（不填则同需求名称）"), max_length=100, required=False)
    budget = forms.DecimalField(
        label=_("预算（元）"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )

    def __init__(self, *args, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resources"].choices = resources


class ProposalChangeForm(InputPolicyForm):
    """Staff pick another resource than the solver's; the project is set up at once."""

    resource = forms.TypedChoiceField(label=_("改用资源"), coerce=int, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("改选理由（选填）"), max_length=200, required=False, widget=_textarea(2, 200)
    )

    def __init__(self, *args, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = resources


# ---- agreements -----------------------------------------------------------------------------


class AgreementForm(InputPolicyForm):
    title = forms.CharField(label=_("协议名称"), max_length=120)
    community = PickerField(label=_("社区"), picker="manageable-areas", params=COMMUNITIES)
    unit = PickerField(label=_("共建单位"), picker="cobuild-units")
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)
    valid_from = forms.DateField(
        label=_("生效日期（不填则同签订日期）"), widget=DATE, required=False
    )
    valid_until = forms.DateField(label=_("到期日期（选填）"), widget=DATE, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("signed_on", timezone.localdate())


class CommitmentForm(InputPolicyForm):
    side = forms.ChoiceField(label=_("承诺方"), choices=Commitment.Side.choices)
    content = forms.CharField(label=_("承诺内容"), max_length=300)
    target = forms.DecimalField(label=_("目标值"), max_digits=12, decimal_places=2)
    measure = forms.CharField(label=_("计量单位"), max_length=20)


class OptionalCommitmentForm(CommitmentForm):
    """A row of the new agreement's commitments; a row left empty is skipped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("content", "target", "measure"):
            self.fields[name].required = False

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(data.get(n) not in (None, "") for n in ("content", "target", "measure"))


CommitmentFormSet = forms.formset_factory(OptionalCommitmentForm, extra=3, max_num=20)


class AchievedForm(InputPolicyForm):
    achieved = forms.DecimalField(label=_("完成值"), max_digits=12, decimal_places=2)


class ReviewForm(InputPolicyForm):
    year = forms.IntegerField(label=_("考核年度"), min_value=1949, max_value=9999)
    reviewer = forms.ChoiceField(label=_("评价方"), choices=AgreementReview.Reviewer.choices)
    score = forms.IntegerField(label=_("得分（0–100）"), min_value=0, max_value=100)
    comment = forms.CharField(
        label=_("评价意见（选填）"), max_length=500, required=False, widget=_textarea(2, 500)
    )

    def __init__(self, *args, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reviewers is not None:
            self.fields["reviewer"].choices = [
                c for c in AgreementReview.Reviewer.choices if c[0] in reviewers
            ]
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)


class EndForm(InputPolicyForm):
    ended_on = forms.DateField(label=_("终止日期"), widget=DATE)


# ---- joint meetings -------------------------------------------------------------------------


class MeetingForm(InputPolicyForm):
    committee = PickerField(label=_("大党委"), picker="joint-committees")
    title = forms.CharField(label=_("会议名称"), max_length=120)
    held_on = forms.DateField(label=_("会议日期"), widget=DATE)
    place = forms.CharField(label=_("会议地点（选填）"), max_length=120, required=False)
    agenda = forms.CharField(label=_("议程"), max_length=4000, widget=_textarea(5, 4000))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())
        _preselect_only_one(self, "committee")


class AttendanceForm(InputPolicyForm):
    attendees = forms.TypedMultipleChoiceField(
        label=_("出席委员"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(
        label=_("会议纪要"), max_length=8000, required=False, widget=_textarea(6, 8000)
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = [
            (m.pk, f"{m.name}{'（' + m.unit.name + '）' if m.unit_id else ''}") for m in members
        ]


class TaskForm(InputPolicyForm):
    decision = forms.CharField(label=_("议定事项"), max_length=300)
    owner_member = forms.TypedChoiceField(
        label=_("责任委员"), coerce=int, required=False, empty_value=None
    )
    owner_name = forms.CharField(
        label=_("责任人（单位），未选责任委员时必填"), max_length=100, required=False
    )
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_member"].choices = [
            *_blank(_("不指定")),
            *((m.pk, m.name) for m in members),
        ]


class TaskDoneForm(InputPolicyForm):
    note = forms.CharField(label=_("完成情况（选填）"), max_length=500, required=False)


# ---- venues ---------------------------------------------------------------------------------


class VenueForm(InputPolicyForm):
    kind = forms.ChoiceField(label=_("类型"), choices=[*_blank(), *Venue.Kind.choices])
    name = forms.CharField(label=_("阵地名称"), max_length=120)
    area = PickerField(
        label=_("所在街道或社区（党群服务中心必选）"),
        required=False,
        picker="manageable-areas",
        params=STREETS_AND_COMMUNITIES,
    )
    unit = PickerField(
        label=_("开放单位（单位开放阵地必选）"), required=False, picker="venue-units"
    )
    floor_area = forms.DecimalField(label=_("建筑面积（平方米）"), max_digits=9, decimal_places=2)
    address = forms.CharField(label=_("地址（选填）"), max_length=200, required=False)
    opening_hours = forms.CharField(label=_("开放时间（选填）"), max_length=100, required=False)


class VenueEditForm(InputPolicyForm):
    floor_area = forms.DecimalField(label=_("建筑面积（平方米）"), max_digits=9, decimal_places=2)
    opening_hours = forms.CharField(label=_("开放时间"), max_length=100, required=False)


class RoomForm(InputPolicyForm):
    name = forms.CharField(label=_("功能室名称"), max_length=60)
    floor_area = forms.DecimalField(
        label=_("面积（平方米，选填）"), max_digits=8, decimal_places=2, required=False
    )
    seats = forms.IntegerField(label=_("容纳人数"), min_value=0, max_value=100_000, initial=0)
    uses = forms.CharField(label=_("用途（选填）"), max_length=200, required=False)


class BookingForm(InputPolicyForm):
    room = forms.TypedChoiceField(label=_("功能室"), coerce=int)
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    purpose = forms.CharField(label=_("用途"), max_length=200)
    booked_for = forms.CharField(label=_("使用单位（人）（选填）"), max_length=100, required=False)

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].choices = [*_blank(), *((r.pk, r.name) for r in rooms)]
        if len(rooms) == 1 and not self.is_bound:
            self.initial.setdefault("room", rooms[0].pk)


# Where each form's text is stored (jiceng.core.field_inventory: the user guide's field
# table and the test that holds each limit to its column's).
IdempotentForm.columns = {"idempotency_key": "cobuild.Need.idempotency_key"}
NeedFieldsForm.column_model = Need
NeedFieldsForm.columns = {
    "idempotency_key": "cobuild.Need.idempotency_key",
    "contact_phone": None,  # stored encrypted
}
AppealToNeedForm.column_model = Need
NeedCloseForm.columns = {"reason": "cobuild.Need.closed_reason"}
ResourceForm.column_model = Resource
ResourceEditForm.column_model = Resource
ReasonForm.columns = {"reason": None}  # a withdrawn resource's reason: the audit row only
ProjectStepForm.columns = {"note": "cobuild.ProjectEvent.note"}
ProjectEvaluateForm.columns = {"comment": "cobuild.Project.evaluation"}
ProjectPlanForm.column_model = Project
ProjectCreateForm.column_model = Project
ProposalChangeForm.columns = {"note": "cobuild.MatchProposal.decision_note"}
AgreementForm.column_model = Agreement
CommitmentForm.column_model = Commitment
ReviewForm.column_model = AgreementReview
MeetingForm.column_model = JointMeeting
AttendanceForm.column_model = JointMeeting
TaskForm.column_model = MeetingTask
TaskDoneForm.columns = {"note": "cobuild.MeetingTask.done_note"}
VenueForm.column_model = Venue
VenueEditForm.column_model = Venue
RoomForm.column_model = Room
BookingForm.column_model = Booking
