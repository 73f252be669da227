"""Typed application errors. Messages are constants that tests reuse.

Every error carries a stable `code`, a human message (Chinese by default, translated
through gettext) and, where the input was at fault, the `field` it names. The API turns
any of them into one shape: {"code": ..., "message": ..., "field": ...}.
"""

from enum import StrEnum

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


class TooManyRequests(ApplicationError):
    """A public endpoint's rate limit: the client waits `retry_after` seconds."""

    code = "rate_limited"
    status = 429
    default_message = _("操作过于频繁，请稍后再试")

    def __init__(self, message=None, *, retry_after: int = 60, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class CoreErrorCode(StrEnum):
    """The refusals core makes for every app: territory, addresses, uploads, spreadsheets,
    exports and the checked identifiers (ID numbers, credit codes, phones). Text that
    breaks the one input policy (too long, control characters) keeps the generic
    "invalid" with the field it names, as the API's schema validation answers."""

    ADDRESS_BUILDING = "address_building"
    ADDRESS_LONG = "address_long"
    ADDRESS_TAKEN = "address_taken"
    AREA_CODE_FORMAT = "area_code_format"
    AREA_CODE_PREFIX = "area_code_prefix"
    AREA_CODE_TAKEN = "area_code_taken"
    AREA_LEVEL_ORDER = "area_level_order"
    AREA_MOVE_INTO_SELF = "area_move_into_self"
    AREA_MOVE_LEVEL = "area_move_level"
    AREA_NAME_REQUIRED = "area_name_required"
    CONTACT_PHONE = "contact_phone"
    EXCEL_BOMB = "excel_bomb"
    EXCEL_EMPTY = "excel_empty"
    EXCEL_FORMULA = "excel_formula"
    EXCEL_HEADER_NOT_FOUND = "excel_header_not_found"
    EXCEL_MISSING_COLUMN = "excel_missing_column"
    EXCEL_NOT_XLSX = "excel_not_xlsx"
    EXCEL_TOO_BIG = "excel_too_big"
    EXCEL_TOO_MANY_ROWS = "excel_too_many_rows"
    EXPORT_PURPOSE = "export_purpose"
    EXPORT_PURPOSE_NOTE = "export_purpose_note"
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_TOO_LONG = "idempotency_key_too_long"
    ID_NUMBER_BIRTH = "id_number_birth"
    ID_NUMBER_CHARS = "id_number_chars"
    ID_NUMBER_CHECK = "id_number_check"
    ID_NUMBER_LENGTH = "id_number_length"
    ID_NUMBER_REGION = "id_number_region"
    # A background job's result asked for before the job has succeeded (core.jobs).
    JOB_NOT_READY = "job_not_ready"
    # A ledger's period (core.ledgers.parse_period): not a year, quarter or month.
    LEDGER_PERIOD = "ledger_period"
    MOBILE_PHONE = "mobile_phone"
    UPLOAD_DOCUMENT_SIZE = "upload_document_size"
    UPLOAD_DOCUMENT_TYPE = "upload_document_type"
    UPLOAD_IMAGE_BROKEN = "upload_image_broken"
    UPLOAD_IMAGE_PIXELS = "upload_image_pixels"
    UPLOAD_IMAGE_SIZE = "upload_image_size"
    UPLOAD_IMAGE_TYPE = "upload_image_type"
    USCC_AUTHORITY = "uscc_authority"
    USCC_CHARS = "uscc_chars"
    USCC_CHECK = "uscc_check"
    USCC_LENGTH = "uscc_length"
