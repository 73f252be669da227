"""Forms of the configuration pages (办理设置): categories and their deadlines, handling
units and their handlers, routing rules. They parse input; services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.appeals.forms import category_choices
from jiceng.appeals.models import Category, HandlingUnit
from jiceng.core.inputs import InputPolicyForm
from jiceng.core.pickers import PickerField


class CategoryForm(InputPolicyForm):
    code = forms.CharField(
        label=_("编码"),
        max_length=40,
        help_text=_("小写字母、数字、下划线或连字符，创建后不能修改（Open311 的 service_code）"),
    )
    name = forms.CharField(label=_("名称"), max_length=50)
    group = forms.CharField(label=_("大类"), max_length=30)
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    response_hours = forms.IntegerField(label=_("响应时限（小时）"), min_value=1, max_value=720)
    resolution_amount = forms.IntegerField(label=_("办结时限"), min_value=1, max_value=365)
    resolution_unit = forms.ChoiceField(
        label=_("办结时限单位"), choices=Category.DeadlineUnit.choices
    )
    reopen_days = forms.IntegerField(
        label=_("不满意可重办天数"), min_value=0, max_value=90, initial=7
    )
    is_mediation = forms.BooleanField(label=_("矛盾纠纷（需记录调解）"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    sort = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]


class UnitForm(InputPolicyForm):
    name = forms.CharField(label=_("名称"), max_length=80)
    kind = forms.ChoiceField(label=_("类型"), choices=HandlingUnit.Kind.choices)
    area = PickerField(label=_("负责区域"), picker="setup-areas", params={"grids": "0"})


class HandlerForm(InputPolicyForm):
    username = forms.CharField(label=_("用户名"), max_length=150)


class RuleForm(InputPolicyForm):
    area = PickerField(label=_("区域"), picker="setup-areas")
    category = forms.TypedChoiceField(label=_("类别"), coerce=int, required=False, empty_value=None)
    unit = PickerField(label=_("承办单位"), picker="routable-units")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = category_choices()
        self.fields["category"].choices = [("", _("全部类别")), *choices[1:]]


class PreviewForm(InputPolicyForm):
    area = PickerField(label=_("发生地"), picker="setup-areas")
    category = forms.TypedChoiceField(label=_("类别"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


def category_facts(cleaned: dict):
    """The facts a category form gives, for the category services (page and API)."""
    from jiceng.appeals.services import CategoryFacts

    return CategoryFacts(
        name=cleaned["name"],
        group=cleaned["group"],
        description=cleaned.get("description") or "",
        response_hours=cleaned["response_hours"],
        resolution_amount=cleaned["resolution_amount"],
        resolution_unit=cleaned["resolution_unit"],
        reopen_days=cleaned["reopen_days"],
        is_mediation=cleaned.get("is_mediation", False),
        is_active=cleaned.get("is_active", False),
        sort=cleaned.get("sort") or 0,
    )


# Where each form's text is stored (jiceng.core.field_inventory).
CategoryForm.column_model = Category
UnitForm.column_model = HandlingUnit
HandlerForm.columns = {"username": None}  # a lookup of an existing account
