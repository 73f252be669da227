"""The orglife app's errors: one stable code per refusal (OrgLifeErrorCode), messages as
constants the tests reuse. Each is raised as a core.errors class, so the API answers
{"code", "message", "field"} and pages show the message."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import Conflict, ValidationFailed


class OrgLifeErrorCode(StrEnum):
    TEXT_REQUIRED = "orglife_text_required"
    TEXT_TOO_LONG = "orglife_text_too_long"
    TEXT_CONTROL = "orglife_text_control_characters"
    BAD_CHOICE = "orglife_bad_choice"
    DATE_REQUIRED = "orglife_date_required"
    DATE_FUTURE = "orglife_date_in_future"
    DATE_BEFORE_FOUNDING = "orglife_date_before_founding"
    ORG_CLOSED = "orglife_org_closed"
    KIND_NOT_FOR_ORG = "orglife_kind_not_for_org"
    VENUE_ELSEWHERE = "orglife_venue_elsewhere"
    NOT_ON_REGISTER = "orglife_not_on_register"
    ELSEWHERE_NOT_MOBILE = "orglife_elsewhere_not_mobile"
    REASON_REQUIRED = "orglife_reason_required"
    NOT_APPRAISAL = "orglife_not_appraisal"
    TASK_OWNER = "orglife_task_owner"
    DEADLINE_BEFORE_MEETING = "orglife_deadline_before_meeting"
    TASK_DONE = "orglife_task_done"
    STALE_VERSION = "orglife_stale_version"
    STEP_OUT_OF_ORDER = "orglife_step_out_of_order"
    NO_QUORUM = "orglife_no_quorum"
    VOTES_EXCEED = "orglife_votes_exceed_attendance"
    TOPIC_CLOSED = "orglife_topic_closed"
    COMMUNITY_REQUIRED = "orglife_community_required"
    ISSUE_CONVERTED = "orglife_issue_already_converted"
    ISSUE_TAKEN = "orglife_issue_on_other_topic"
    ALREADY_FORWARDED = "orglife_already_forwarded"
    NOTHING_RAISED = "orglife_nothing_raised"
    PROBLEM_RESOLVED = "orglife_problem_resolved"
    OFFICIAL_LEVEL = "orglife_official_level"
    GRID_REQUIRED = "orglife_grid_required"
    LINK_EXISTS = "orglife_link_exists"
    LINK_ENDED = "orglife_link_ended"
    POINT_ENDED = "orglife_point_ended"
    END_BEFORE_START = "orglife_end_before_start"
    ATTACHMENT_TYPE = "orglife_attachment_type"
    ATTACHMENT_SIZE = "orglife_attachment_size"
    ATTACHMENT_BROKEN = "orglife_attachment_broken"
    ATTACHMENT_REQUIRED = "orglife_attachment_required"
    ATTACHMENTS_FULL = "orglife_attachments_full"
    END_BEFORE_VISIT = "orglife_end_before_visit"
    PERIOD = "orglife_bad_period"


MSG_TEXT_REQUIRED = _("请填写此项")
MSG_TEXT_TOO_LONG = _("内容过长，最多 {limit} 字")
MSG_TEXT_CONTROL = _("内容含有不可见的控制字符")
MSG_BAD_CHOICE = _("选项无效")
MSG_DATE_REQUIRED = _("请填写日期")
MSG_DATE_FUTURE = _("日期不能晚于今天")
MSG_DATE_BEFORE_FOUNDING = _("日期早于党组织成立日期")
MSG_ORG_CLOSED = _("党组织已撤销")
MSG_KIND_NOT_FOR_ORG = _("该类会议不适用于此类党组织")
MSG_VENUE_ELSEWHERE = _("所选阵地不在本组织所在区（街道）")
MSG_NOT_ON_REGISTER = _("出席名单只能来自会议当日本组织的党员名册")
MSG_ELSEWHERE_NOT_MOBILE = _("只有流动党员可以记为在流入地参加")
MSG_REASON_REQUIRED = _("请假应填写事由，在流入地参加应填写参加的组织")
MSG_NOT_APPRAISAL = _("只有民主评议党员会议可以登记评议结果")
MSG_TASK_OWNER = _("请指定责任党员或填写责任人")
MSG_DEADLINE_BEFORE_MEETING = _("完成时限不能早于会议日期")
MSG_TASK_DONE = _("该事项已完成")
MSG_STALE_VERSION = _("该记录已被他人修改，请刷新后重试")
MSG_STEP_OUT_OF_ORDER = _("四议两公开须依次进行：“{step}”应在“{previous}”之后")
MSG_STEP_DONE = _("“{step}”已登记，不能重复")
MSG_QUORUM_MEMBERS = _(
    "党员大会须有半数以上有表决权的党员到会方能举行（应到 {eligible} 人，实到 {attended} 人）"
)
MSG_QUORUM_RESIDENTS = _(
    "居民会议须有本居住地区过半数的十八周岁以上居民或户代表参加（应到 {eligible}，实到 {attended}）"
)
MSG_QUORUM_REPRESENTATIVES = _(
    "居民代表会议须有三分之二以上的组成人员参加方能举行（应到 {eligible} 人，实到 {attended} 人）"
)
MSG_ATTENDANCE_REQUIRED = _("请填写应到和实到人数")
MSG_ATTENDED_EXCEEDS = _("实到人数不能多于应到人数")
MSG_VOTES_EXCEED = _("赞成、反对、弃权票数之和不能多于实到人数")
MSG_VOTES_REQUIRED = _("请填写表决票数")
MSG_ASSEMBLY_REQUIRED = _("请选择居民会议或居民代表会议")
MSG_TOPIC_CLOSED = _("该议题未获通过，程序已终止")
MSG_COMMUNITY_REQUIRED = _("应选择社区")
MSG_ISSUE_CONVERTED = _("该诉求已转为议事问题")
MSG_ISSUE_TAKEN = _("该问题已列入其他议题")
MSG_ALREADY_FORWARDED = _("该走访反映的问题已转办")
MSG_NOTHING_RAISED = _("该走访没有记录反映的问题")
MSG_PROBLEM_RESOLVED = _("该问题已解决")
MSG_OFFICIAL_LEVEL = _("联系领导应为区或街道层级")
MSG_GRID_REQUIRED = _("联户应选择网格或楼栋")
MSG_LINK_EXISTS = _("该党员已联系此户")
MSG_LINK_ENDED = _("该联户关系已结束")
MSG_POINT_ENDED = _("该联系点已结束")
MSG_END_BEFORE_START = _("结束日期不能早于建立日期")
MSG_ATTACHMENT_TYPE = _("附件应为照片（JPG、PNG、WebP）或 PDF 文件")
MSG_ATTACHMENT_REQUIRED = _("请选择要上传的照片或文件")
MSG_ATTACHMENTS_FULL = _("每次会议最多保存 {limit} 个附件")
MSG_END_BEFORE_VISIT = _("结束日期不能早于最近一次走访或调研的日期")
MSG_PERIOD = _("统计期间无效")


def invalid(message, code: OrgLifeErrorCode, field: str | None = None) -> ValidationFailed:
    return ValidationFailed(message, field=field, code=str(code))


def conflict(message, code: OrgLifeErrorCode, field: str | None = None) -> Conflict:
    return Conflict(message, field=field, code=str(code))
