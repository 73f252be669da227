"""Forms of the registry pages: they parse; the services check and name the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.inputs import InputPolicyForm


class AddressForm(InputPolicyForm):
    building = forms.CharField(label=_("楼栋编码（18位）"), max_length=24)
    text = forms.CharField(label=_("标准地址"), max_length=200)
    compound = forms.CharField(label=_("小区（选填）"), max_length=100, required=False)
    latitude = forms.DecimalField(
        label=_("纬度（WGS-84，选填）"), max_digits=9, decimal_places=6, required=False
    )
    longitude = forms.DecimalField(
        label=_("经度（WGS-84，选填）"), max_digits=9, decimal_places=6, required=False
    )


class AliasForm(InputPolicyForm):
    text = forms.CharField(label=_("别名（其他写法）"), max_length=200)


class SearchForm(InputPolicyForm):
    q = forms.CharField(label=_("搜索地址、小区或楼栋"), max_length=100, required=False)
