"""The registry's refusals: one stable code each (PlaceErrorCode), messages as constants
the tests reuse, raised as core.errors classes so pages and the API answer alike."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import Conflict, ValidationFailed


class PlaceErrorCode(StrEnum):
    ADDRESS_REQUIRED = "place_address_required"
    ADDRESS_TAKEN = "place_address_taken"
    BUILDING_LEVEL = "place_building_level"
    POSITION = "place_position_invalid"
    ALIAS_REQUIRED = "place_alias_required"
    ALIAS_TAKEN = "place_alias_taken"
    ALIAS_TARGET = "place_alias_target"
    ALIAS_IS_ADDRESS = "place_alias_is_address"
    IMPORT_AREA_LEVEL = "place_import_area_level"


MSG_ADDRESS_REQUIRED = _("请填写标准地址")
MSG_ADDRESS_TAKEN = _("该标准地址已登记（可能写法不同，如全角数字、“幢”与“号”）")
MSG_BUILDING_LEVEL = _("标准地址应对应到楼栋")
MSG_POSITION = _("经度、纬度应同时填写，且为有效的 WGS-84 坐标（如 纬度 31.19，经度 121.43）")
MSG_ALIAS_REQUIRED = _("请填写别名")
MSG_ALIAS_TAKEN = _("该别名已指向其他地点")
MSG_ALIAS_TARGET = _("别名应指向一个标准地址，或街道、社区、网格、楼栋之一")
MSG_ALIAS_IS_ADDRESS = _("该写法本身就是已登记的标准地址，无需别名")
MSG_IMPORT_AREA_LEVEL = _("请选择要导入到的区、街道或社区")


def invalid(message, code: PlaceErrorCode, field: str | None = None) -> ValidationFailed:
    return ValidationFailed(message, field=field, code=str(code))


def conflict(message, code: PlaceErrorCode, field: str | None = None) -> Conflict:
    return Conflict(message, field=field, code=str(code))
