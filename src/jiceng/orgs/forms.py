"""Forms of the territory pages. They parse input only (types, lengths, the choices the
viewer may pick from); the services check every rule and raise errors naming the
field, which the views put back on the form beside that field."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.inputs import InputPolicyForm
from jiceng.core.pickers import PickerField
from jiceng.orgs.models import BigCommittee, GridPost, PartTimeMember, PartyOrg, Unit
from jiceng.orgs.services.party_orgs import ORG_AREA_LEVELS
from jiceng.orgs.services.units import UNIT_AREA_LEVELS

UNIT_AREAS = {"levels": ",".join(sorted(UNIT_AREA_LEVELS))}

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = forms.NumberInput(attrs={"inputmode": "numeric"})


def _blank(label=None) -> list:
    return [("", label or _("请选择"))]


def _area_label(area) -> str:
    return f"{area.name}（{area.get_level_display()}）"


class OrgForm(InputPolicyForm):
    """Register a party organization (条) at a place (块)."""

    name = forms.CharField(label=_("组织名称"), max_length=120)
    kind = forms.ChoiceField(label=_("组织类别"), choices=[*_blank(), *PartyOrg.Kind.choices])
    domain = forms.ChoiceField(label=_("所属领域"), choices=[*_blank(), *PartyOrg.Domain.choices])
    form = forms.ChoiceField(
        label=_("组建形式"), choices=PartyOrg.Form.choices, initial=PartyOrg.Form.SINGLE
    )
    parent = PickerField(
        label=_("上级党组织"),
        required=False,
        picker="manageable-orgs",
        empty_label=_("无（最上级）"),
    )
    area = PickerField(
        label=_("所在区域"),
        required=False,
        picker="manageable-areas",
        params={"levels": ",".join(sorted(ORG_AREA_LEVELS))},
        empty_label=_("与上级党组织相同"),
    )
    secretary_name = forms.CharField(label=_("书记（选填）"), max_length=50, required=False)
    established_on = forms.DateField(label=_("成立日期（选填）"), required=False, widget=DATE)


class OrgEditForm(InputPolicyForm):
    """What `org_update` may change; kind and place in the tree are not edits."""

    name = forms.CharField(label=_("组织名称"), max_length=120)
    domain = forms.ChoiceField(label=_("所属领域"), choices=PartyOrg.Domain.choices)
    form = forms.ChoiceField(label=_("组建形式"), choices=PartyOrg.Form.choices)
    secretary_name = forms.CharField(label=_("书记（选填）"), max_length=50, required=False)


class OrgMoveForm(InputPolicyForm):
    parent = PickerField(
        label=_("新的上级党组织"),
        required=False,
        picker="manageable-orgs",
        empty_label=_("无（最上级）"),
    )
    area = PickerField(
        label=_("新的所在区域"),
        required=False,
        picker="manageable-areas",
        params={"levels": ",".join(sorted(ORG_AREA_LEVELS))},
        empty_label=_("不变"),
    )


class OrgCloseForm(InputPolicyForm):
    reason = forms.CharField(
        label=_("撤销原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 200}),
    )
    closed_on = forms.DateField(label=_("撤销日期"), widget=DATE, initial=timezone.localdate)


class UnitForm(InputPolicyForm):
    """Register a unit that arrived in the territory (增加一个，组建一个)."""

    name = forms.CharField(label=_("单位名称"), max_length=150)
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(label=_("单位类别"), choices=[*_blank(), *Unit.Kind.choices])
    area = PickerField(label=_("所在区域"), picker="manageable-areas", params=UNIT_AREAS)
    address = forms.CharField(label=_("地址（选填）"), max_length=200, required=False)
    employees = forms.IntegerField(label=_("从业人员数"), min_value=0, initial=0, widget=NUMBER)
    formal_members = forms.IntegerField(
        label=_("正式党员数"), min_value=0, initial=0, widget=NUMBER
    )


class UnitEditForm(InputPolicyForm):
    name = forms.CharField(label=_("单位名称"), max_length=150)
    kind = forms.ChoiceField(label=_("单位类别"), choices=Unit.Kind.choices)
    address = forms.CharField(label=_("地址（选填）"), max_length=200, required=False)
    employees = forms.IntegerField(label=_("从业人员数"), min_value=0, widget=NUMBER)
    formal_members = forms.IntegerField(label=_("正式党员数"), min_value=0, widget=NUMBER)


class UnitMoveForm(InputPolicyForm):
    area = PickerField(label=_("新的所在区域"), picker="manageable-areas", params=UNIT_AREAS)


class UnitCoverageForm(InputPolicyForm):
    """Own org, joint org, or neither (uncovered): the two are exclusive."""

    own_org = PickerField(
        label=_("本单位党组织"), required=False, picker="manageable-orgs", empty_label=_("无")
    )
    covering_org = PickerField(
        label=_("覆盖的联合党组织"),
        required=False,
        picker="manageable-orgs",
        params={"joint": "1"},
        empty_label=_("无"),
    )


class GridPostForm(InputPolicyForm):
    """Appoint a grid leader, a grid worker or a lane chief (街巷长)."""

    user = PickerField(label=_("人员（账号）"), picker="post-people")
    duty = forms.ChoiceField(label=_("职责"), choices=[*_blank(), *GridPost.Duty.choices])
    lane = forms.CharField(
        label=_("街巷路段（街巷长填写）"),
        max_length=100,
        required=False,
        help_text=_("例如：武康路（湖南路—兴国路）"),
    )
    started_on = forms.DateField(label=_("任职日期"), widget=DATE, initial=timezone.localdate)


class EndForm(InputPolicyForm):
    ended_on = forms.DateField(label=_("离任日期"), widget=DATE, initial=timezone.localdate)


class BigCommitteeForm(InputPolicyForm):
    area = PickerField(
        label=_("街道或社区"), picker="manageable-areas", params={"levels": "street,community"}
    )
    org = PickerField(label=_("依托党组织"), picker="manageable-orgs")
    name = forms.CharField(label=_("名称（选填）"), max_length=120, required=False)


class PartTimeMemberForm(InputPolicyForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    source = forms.ChoiceField(label=_("来源"), choices=[*_blank(), *PartTimeMember.Source.choices])
    unit = PickerField(
        label=_("所在单位（来自驻区单位时必选）"),
        picker="committee-units",
        required=False,
        empty_label=_("无"),
    )
    position = forms.CharField(label=_("单位职务（选填）"), max_length=60, required=False)
    started_on = forms.DateField(label=_("任职日期"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        # The units under the committee's street or community.
        self.fields["unit"].params = {"area": committee.area_id}


class UploadForm(InputPolicyForm):
    """An Excel file to import into a place the viewer manages."""

    area = PickerField(label=_("导入到"), picker="manageable-areas")
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].params = {"levels": ",".join(sorted(levels))}


# Where each form's text is stored (jiceng.core.field_inventory: the user guide's field
# table and the test that holds each limit to its column's).
OrgForm.column_model = PartyOrg
OrgEditForm.column_model = PartyOrg
OrgCloseForm.columns = {"reason": "orgs.PartyOrg.closed_reason"}
UnitForm.column_model = Unit
# Typed with spaces or full-width characters; the service keeps the 18 of the column.
UnitForm.columns = {"uscc": None}
UnitEditForm.column_model = Unit
GridPostForm.column_model = GridPost
BigCommitteeForm.column_model = BigCommittee
PartTimeMemberForm.column_model = PartTimeMember
