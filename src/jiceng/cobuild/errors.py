"""The co-building app's refusals: one stable code per refusal (CobuildErrorCode) and the
messages as constants the tests reuse. Services raise core.errors classes with both, so
the API answers {"code", "message", "field"} and pages show the message."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class CobuildErrorCode(StrEnum):
    """One stable code per refusal. The API answers {"code", "message", "field"}; a client
    reads the code, never the translated message. Out of scope and forbidden keep core's
    "not_found" and "forbidden" (core.access and cobuild.access raise them)."""

    AGREEMENT_ENDED = "cobuild_agreement_ended"
    APPEAL_CONVERTED = "cobuild_appeal_converted"
    AREA_LEVEL = "cobuild_area_level"
    ATTENDEE_NOT_SERVING = "cobuild_attendee_not_serving"
    BAD_ACHIEVED = "cobuild_bad_achieved"
    BAD_BENEFICIARIES = "cobuild_bad_beneficiaries"
    BAD_BUDGET = "cobuild_bad_budget"
    BAD_CAPACITY = "cobuild_bad_capacity"
    BAD_CATEGORY = "cobuild_bad_category"
    BAD_FLOOR_AREA = "cobuild_bad_floor_area"
    BAD_KIND = "cobuild_bad_kind"
    BAD_OWNER = "cobuild_bad_owner"
    BAD_REVIEWER = "cobuild_bad_reviewer"
    BAD_REVIEW_SCORE = "cobuild_bad_review_score"
    BAD_REVIEW_YEAR = "cobuild_bad_review_year"
    BAD_SCORE = "cobuild_bad_score"
    BAD_SEATS = "cobuild_bad_seats"
    BAD_SIDE = "cobuild_bad_side"
    BAD_SOURCE = "cobuild_bad_source"
    BAD_TARGET = "cobuild_bad_target"
    BOOKING_CANCELLED = "cobuild_booking_cancelled"
    BOOKING_CONFLICT = "booking_conflict"  # the code it had before the enum
    BOOKING_ENDS_BEFORE_START = "cobuild_booking_ends_before_start"
    BOOKING_TOO_LONG = "cobuild_booking_too_long"
    CAPACITY_FULL = "cobuild_capacity_full"
    CAPACITY_IN_USE = "cobuild_capacity_in_use"
    CATEGORY_MISMATCH = "cobuild_category_mismatch"
    CATEGORY_REQUIRED = "cobuild_category_required"
    COMMUNITY_REQUIRED = "cobuild_community_required"
    DATE_REQUIRED = "cobuild_date_required"
    DEADLINE_BEFORE_MEETING = "cobuild_deadline_before_meeting"
    ENDS_BEFORE_START = "cobuild_ends_before_start"
    ILLEGAL_TRANSITION = "illegal_transition"  # the code it had before the enum
    NEED_NOT_OPEN = "cobuild_need_not_open"
    ONE_PROVIDER_REQUIRED = "cobuild_one_provider_required"
    ORG_CLOSED = "cobuild_org_closed"
    OTHER_DISTRICT = "cobuild_other_district"
    PROJECT_FINISHED = "cobuild_project_finished"
    PROPOSAL_DECIDED = "cobuild_proposal_decided"
    REPORT_ENDED = "cobuild_report_ended"
    REPORT_KIND = "cobuild_report_kind"
    RESOURCES_REQUIRED = "cobuild_resources_required"
    RESOURCE_LINKED = "cobuild_resource_linked"
    RESOURCE_WITHDRAWN = "cobuild_resource_withdrawn"
    REVIEW_EXISTS = "cobuild_review_exists"
    ROOM_INACTIVE = "cobuild_room_inactive"
    ROOM_NAME_TAKEN = "cobuild_room_name_taken"
    RUN_AREA_LEVEL = "cobuild_run_area_level"
    SAME_RESOURCE = "cobuild_same_resource"
    TASK_DONE = "cobuild_task_done"
    TASK_OWNER_NOT_ON_COMMITTEE = "cobuild_task_owner_not_on_committee"
    TASK_OWNER_REQUIRED = "cobuild_task_owner_required"
    TEXT_CONTROL_CHARACTERS = "cobuild_text_control_characters"
    TEXT_REQUIRED = "cobuild_text_required"
    TEXT_TOO_LONG = "cobuild_text_too_long"
    TIME_REQUIRED = "cobuild_time_required"
    UNIT_CLOSED = "cobuild_unit_closed"
    UNIT_DISTRICT = "cobuild_unit_district"
    VENUE_CLOSED = "cobuild_venue_closed"
    VENUE_LEVEL = "cobuild_venue_level"
    VENUE_UNIT = "cobuild_venue_unit"
    WINDOW_DISJOINT = "cobuild_window_disjoint"
    WINDOW_TOO_LONG = "cobuild_window_too_long"


MSG_TITLE = _("请填写名称")
MSG_TEXT_LONG = _("内容过长")
MSG_CATEGORY = _("类别无效")
MSG_CATEGORY_REQUIRED = _("该诉求类别不能自动对应需求类别，请选择需求类别")
MSG_COMMUNITY = _("应选择社区")
MSG_BENEFICIARIES = _("受益人数应为 1 到 100000 之间的整数")
MSG_DATE_REQUIRED = _("请填写日期")
MSG_WINDOW_ORDER = _("结束日期不能早于开始日期")
MSG_WINDOW_LONG = _("时间范围不能超过三年")
MSG_SOURCE = _("需求来源无效")
MSG_REASON = _("请填写原因")
MSG_NEED_NOT_OPEN = _("该需求已对接或已关闭")
MSG_APPEAL_CONVERTED = _("该诉求已转为需求")
MSG_AREA_LEVEL = _("所在区域应为区、街道、社区、网格或楼栋")
MSG_KIND = _("类型无效")
MSG_CAPACITY = _("容量应为 1 到 1000 之间的整数")
MSG_CAPACITY_IN_USE = _("容量不能少于正在承接的项目数（{used}）")
MSG_PROVIDER = _("资源应由一个单位党组织或一名在职党员报到提供")
MSG_ORG_CLOSED = _("党组织已撤销")
MSG_REPORT_KIND = _("只能选择在职党员的双报到")
MSG_REPORT_ENDED = _("该报到已结束")
MSG_RESOURCE_WITHDRAWN = _("该资源已撤回")
MSG_CATEGORY_MISMATCH = _("资源类别与需求类别不符")
MSG_WINDOW_DISJOINT = _("资源可用时间与需求时间不重叠")
MSG_OTHER_DISTRICT = _("资源与需求不在同一区，不能对接")
MSG_CAPACITY_FULL = _("该资源的容量已用完")
MSG_RESOURCES_REQUIRED = _("请至少选择一项资源")
MSG_RESOURCE_LINKED = _("该资源已在项目中")
MSG_BUDGET = _("预算应为不小于 0 的金额")
MSG_OWNER = _("负责人账号无效")
MSG_PROJECT_FINISHED = _("项目已完成，不能修改")
MSG_SCORE = _("评分应为 1 到 5 的整数")
MSG_RUN_LEVEL = _("只能对街道或区运行供需匹配")
MSG_PROPOSAL_DECIDED = _("该建议已处理")
MSG_SAME_RESOURCE = _("请选择与原建议不同的资源")
MSG_UNIT_CLOSED = _("该单位已注销")
MSG_UNIT_DISTRICT = _("共建单位应在社区所在区内")
MSG_AGREEMENT_ENDED = _("该协议已终止")
MSG_SIDE = _("承诺方无效")
MSG_TARGET = _("目标值应为大于 0 的数")
MSG_ACHIEVED = _("完成值应为不小于 0 的数")
MSG_MEASURE = _("请填写计量单位")
MSG_CONTENT = _("请填写内容")
MSG_REVIEWER = _("评价方无效")
MSG_REVIEW_YEAR = _("考核年度应在协议有效期内且不晚于今年")
MSG_REVIEW_SCORE = _("得分应为 0 到 100 的整数")
MSG_REVIEW_EXISTS = _("该年度本方已评价")
MSG_AGENDA = _("请填写议程")
MSG_ATTENDEE = _("出席人员应为该大党委在会议当日在任的兼职委员")
MSG_TASK_OWNER = _("请指定责任委员或填写责任人")
MSG_TASK_OWNER_COMMITTEE = _("责任委员应为该大党委的兼职委员")
MSG_DEADLINE = _("完成时限不能早于会议日期")
MSG_TASK_DONE = _("该事项已完成")
MSG_VENUE_UNIT = _("单位开放阵地应选择开放单位；党群服务中心不属于单位")
MSG_VENUE_LEVEL = _("党群服务中心应设在街道或社区")
MSG_FLOOR_AREA = _("面积应为大于 0 的数")
MSG_SEATS = _("容纳人数应为不小于 0 的整数")
MSG_ROOM_NAME_TAKEN = _("该阵地已有同名功能室")
MSG_VENUE_CLOSED = _("该阵地已停用")
MSG_ROOM_INACTIVE = _("该功能室不可预约")
MSG_TIME_REQUIRED = _("请填写时间")
MSG_BOOKING_ORDER = _("结束时间应晚于开始时间")
MSG_BOOKING_LONG = _("单次预约不能超过24小时")
MSG_BOOKING_CONFLICT = _("该时段与已有预约冲突：{start} 至 {end}（{purpose}）")
MSG_BOOKING_CANCELLED = _("该预约已取消")
MSG_PURPOSE = _("请填写用途")
