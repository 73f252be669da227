"""The members app's refusals: one stable code per refusal (MemberErrorCode) and the
messages as constants the tests reuse. Services raise core.errors classes with both, so
the API answers {"code", "message", "field"} and pages show the message."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class MemberErrorCode(StrEnum):
    """One stable code per refusal. The API answers {"code", "message", "field"}; a client
    reads the code, never the translated message. Out of scope and forbidden keep core's
    "not_found" and "forbidden" (members.access raises them); the checks core makes for
    every app (an ID number, a phone, text length and characters) keep core's codes."""

    ACCOUNT_EXISTS = "member_account_exists"
    ACCOUNT_TAKEN = "member_account_taken"
    BAD_APPRAISAL_GRADE = "member_bad_appraisal_grade"
    BAD_APPRAISAL_YEAR = "member_bad_appraisal_year"
    BAD_CATEGORY = "member_bad_category"
    BAD_EDUCATION = "member_bad_education"
    BAD_ETHNICITY = "member_bad_ethnicity"
    BAD_GENDER = "member_bad_gender"
    BAD_HOURS = "member_bad_hours"
    BAD_STATUS = "member_bad_status"
    BIRTH_MISMATCH = "member_birth_mismatch"
    CERTIFICATE_REQUIRED = "member_certificate_required"
    COMMUNITY_REQUIRED = "member_community_required"
    DATE_FUTURE = "member_date_future"
    DESTINATION_REQUIRED = "member_destination_required"
    EXPORT_NOT_READY = "export_not_ready"  # the code it had before the enum
    FIELD_LOCKED = "member_field_locked"
    FULL_BEFORE_JOINED = "member_full_before_joined"
    FULL_REQUIRED = "member_full_required"
    GENDER_MISMATCH = "member_gender_mismatch"
    ID_REPEATED = "member_id_repeated"
    ID_TAKEN = "member_id_taken"
    INFLOW_DECIDED = "member_inflow_decided"
    JOINED_FUTURE = "member_joined_future"
    JOINED_REQUIRED = "member_joined_required"
    JOINED_UNDER_18 = "member_joined_under_18"
    NAME_REQUIRED = "member_name_required"
    ORG_CLOSED = "member_org_closed"
    ORG_TAKES_NO_MEMBERS = "member_org_takes_no_members"
    OUTFLOW_OPEN = "member_outflow_open"
    OUTFLOW_RETURNED = "member_outflow_returned"
    PROBATIONARY_FULL_ON = "member_probationary_full_on"
    REASON_REQUIRED = "member_reason_required"
    REPORT_ENDED = "member_report_ended"
    REPORT_EXISTS = "member_report_exists"
    REPORT_NOT_IN_SERVICE = "member_report_not_in_service"
    RESIDENCE_LEVEL = "member_residence_level"
    RETURN_BEFORE_LEFT = "member_return_before_left"
    REVEAL_FIELD = "member_reveal_field"
    SEARCH_BY_POST = "member_search_by_post"
    TASK_REQUIRED = "member_task_required"
    TO_ORG_NOT_FOUND = "member_to_org_not_found"
    TRANSFER_DECIDED = "member_transfer_decided"
    TRANSFER_PENDING = "member_transfer_pending"
    TRANSFER_SAME_ORG = "member_transfer_same_org"


MSG_NAME = _("请填写姓名")
MSG_GENDER = _("性别应为“男”或“女”")
MSG_GENDER_MISMATCH = _("性别与身份证号不一致")
MSG_BIRTH_MISMATCH = _("出生日期与身份证号不一致")
MSG_ETHNICITY = _("民族名称无效")
MSG_EDUCATION = _("学历无效")
MSG_STATUS = _("党员状态无效")
MSG_CATEGORY = _("党员类别无效")
MSG_JOINED = _("请填写入党日期")
MSG_JOINED_FUTURE = _("入党日期不能晚于今天")
MSG_JOINED_AGE = _("入党时应年满十八周岁")
MSG_FULL_BEFORE_JOINED = _("转正日期应晚于入党日期")
MSG_FULL_REQUIRED = _("正式党员应填写转正日期")
MSG_PROBATIONARY_FULL_ON = _("预备党员不应有转正日期")
MSG_ID_TAKEN = _("该身份证号已登记为党员")
MSG_ORG_CLOSED = _("党组织已撤销")
MSG_ORG_GROUP = _("党员应编入党支部（党总支、党委），不能直接编入党小组")
MSG_RESIDENCE_LEVEL = _("居住社区应为社区")
MSG_TRANSFER_SAME_ORG = _("转入党组织与当前党组织相同")
MSG_TRANSFER_PENDING = _("该党员已有待接收的转接")
MSG_TRANSFER_DECIDED = _("该转接已办理，不能重复操作")
MSG_REASON = _("请填写原因")
MSG_CERTIFICATE = _("请填写活动证编号")
MSG_DESTINATION = _("请填写外出地点")
MSG_OUTFLOW_OPEN = _("该党员已有未返回的外出登记")
MSG_OUTFLOW_RETURNED = _("该外出登记已返回")
MSG_RETURN_BEFORE_LEFT = _("返回日期不能早于外出日期")
MSG_INFLOW_DECIDED = _("该流入登记已核实")
MSG_COMMUNITY_LEVEL = _("应选择社区")
MSG_REPORT_KIND = _("只有在职党员可以到居住社区报到")
MSG_REPORT_EXISTS = _("已在报到中，无需重复报到")
MSG_REPORT_ENDED = _("该报到已结束")
MSG_HOURS = _("服务时长应在 0.5 到 24 小时之间")
MSG_TASK = _("请填写服务内容")
MSG_DATE_FUTURE = _("日期不能晚于今天")
MSG_FIELD_LOCKED = _("不能修改该字段")
MSG_APPRAISAL_GRADE = _("评议等次应为优秀、合格、基本合格或不合格")
MSG_APPRAISAL_YEAR = _("评议年度无效")
MSG_ACCOUNT_EXISTS = _("该党员已开通本人账号")
MSG_ACCOUNT_TAKEN = _("该账号已关联其他党员")
MSG_VERIFY_NO_OUTFLOW = _("流出地尚无该党员的外出登记")
MSG_VERIFY_CERTIFICATE = _("活动证编号与流出地登记不一致")
MSG_VERIFY_NAME = _("姓名与流出地登记不一致")
MSG_BULK_ROW = _("第 {row} 行：{message}")
MSG_ID_REPEATED = _("与第 {row} 行的身份证号重复")
