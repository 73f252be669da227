"""Typed application errors. Messages are constants that tests reuse.

Every error carries a stable `code`, a human message (Chinese by default, translated
through gettext) and, where the input was at fault, the `field` it names. The API turns
any of them into one shape: {"code": ..., "message": ..., "field": ...}.
"""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    code = "error"
    status = 400
    default_message = _("请求无法完成")

    def __init__(self, message=None, *, field: str | None = None, code: str | None = None):
        self.message = message if message is not None else self.default_message
        self.field = field
        if code is not None:
            self.code = code
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message), "field": self.field}


class ValidationFailed(ApplicationError):
    code = "invalid"
    status = 400
    default_message = _("输入有误")


class NotFound(ApplicationError):
    """Raised for missing objects AND for objects outside the viewer's scope, alike."""

    code = "not_found"
    status = 404
    default_message = _("未找到或无权查看")


class PermissionDenied(ApplicationError):
    """The object is visible but the action is not allowed for this viewer."""

    code = "forbidden"
    status = 403
    default_message = _("无权执行此操作")


class Conflict(ApplicationError):
    code = "conflict"
    status = 409
    default_message = _("与现有数据冲突")
