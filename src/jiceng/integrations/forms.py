"""The pages' forms; the services check again (the API calls them without forms)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.inputs import InputPolicyForm
from jiceng.core.pickers import PickerField
from jiceng.integrations.models import Subscription, SystemToken

PERMISSIONS = [
    ("read", _("读取（本辖区诉求与区域）")),
    ("file", _("报送诉求（本辖区内）")),
    ("update", _("办理诉求（指定承办单位的诉求：签收、答复、退单）")),
]


def _area() -> PickerField:
    """A district the viewer manages or one of its streets (`integration-areas`)."""
    return PickerField(label=_("辖区"), picker="integration-areas")


def _unit(label) -> PickerField:
    """A handling unit in the districts the viewer manages (`integration-units`),
    searched by name: a city has hundreds, too many for one select. The service checks
    it lies in the area chosen."""
    return PickerField(label=label, picker="integration-units", required=False, empty_label="—")


class TokenForm(InputPolicyForm):
    """Built with `viewer=` (whose districts the area and the unit are chosen from)."""

    name = forms.CharField(
        label=_("系统名称"), max_length=SystemToken._meta.get_field("name").max_length
    )
    area = _area()
    permissions = forms.MultipleChoiceField(
        label=_("权限"), choices=PERMISSIONS, widget=forms.CheckboxSelectMultiple
    )
    unit = _unit(_("承办单位（办理权限须选）"))
    expires_on = forms.DateField(
        label=_("到期日期（可不填）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    rate_per_minute = forms.IntegerField(
        label=_("每分钟限次"), min_value=1, max_value=6000, initial=120
    )

    @staticmethod
    def expires_at_of(data: dict) -> datetime.datetime | None:
        """The end of the chosen day, local time."""
        day = data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


class SubscriptionForm(InputPolicyForm):
    """Built with `viewer=` (whose districts the area and the unit are chosen from)."""

    name = forms.CharField(
        label=_("名称"), max_length=Subscription._meta.get_field("name").max_length
    )
    url = forms.CharField(
        label=_("接收地址（https://…）"),
        max_length=Subscription._meta.get_field("url").max_length,
        widget=forms.URLInput,
    )
    events = forms.MultipleChoiceField(
        label=_("事件"), choices=Subscription.Event.choices, widget=forms.CheckboxSelectMultiple
    )
    area = _area()
    unit = _unit(_("承办单位（可不选）"))
    include_personal = forms.BooleanField(
        label=_("推送联系人姓名和电话（仅限该承办单位的办理系统）"), required=False
    )


class HotlineImportForm(InputPolicyForm):
    district = forms.TypedChoiceField(label=_("导入到"), coerce=int)
    file = forms.FileField(label=_("工单文件（Excel .xlsx 或 JSON）"))

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [(d.pk, d.name) for d in districts]
