"""Organizational life (组织生活): meetings and lectures with attendance from the register,
the required frequencies as data, decisions become tasks; residents' deliberation
(四议两公开) with its ordered steps and public disclosures; leaders' contact points and
members' household links and visits."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Column widths shared by models, schemas and services (one place for each limit).
TOPIC_MAX = 200
PLACE_MAX = 120
NAME_MAX = 50
MINUTES_MAX = 8000
DECISIONS_MAX = 4000
REASON_MAX = 200
TEXT_MAX = 1000
LONG_TEXT_MAX = 2000
TASK_MAX = 300
OWNER_MAX = 100
HOUSEHOLD_MAX = 100
PARTICIPANTS_MAX = 500
CAPTION_MAX = 100
# Photos and files a meeting may carry (optional, never required).
ATTACHMENTS_PER_MEETING = 20


class MeetingKind(models.TextChoices):
    MEMBER_MEETING = "member_meeting", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支部委员会会议")
    GROUP_MEETING = "group_meeting", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEMED_DAY = "themed_day", _("主题党日")
    ORG_LIFE_REVIEW = "org_life_review", _("组织生活会")
    MEMBER_APPRAISAL = "member_appraisal", _("民主评议党员")
    PARTY_COMMITTEE = "party_committee", _("党委会")
    CONGRESS = "congress", _("党员代表大会")


class MeetingRequirement(models.Model):
    """How often an org of the given kinds must hold a meeting kind. Data, not code: the
    2018 branch regulation's frequencies are seeded by a migration; a deployment's city
    administrators may tighten them (services.requirement_update)."""

    class Period(models.TextChoices):
        MONTH = "month", _("每月")
        QUARTER = "quarter", _("每季度")
        YEAR = "year", _("每年")

    kind = models.CharField(_("会议类型"), max_length=24, choices=MeetingKind.choices, unique=True)
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices)
    times = models.PositiveSmallIntegerField(_("每周期次数"), default=1)
    # PartyOrg.Kind values the requirement applies to, comma-separated.
    org_kinds = models.CharField(_("适用组织类别"), max_length=120)
    basis = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("组织生活频次要求")
        verbose_name_plural = _("组织生活频次要求")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_period_display()}{self.times}"

    def applies_to(self, org_kind: str) -> bool:
        return org_kind in {k.strip() for k in self.org_kinds.split(",")}


class ComplianceYear(models.Model):
    """An org's organizational life for a calendar year, kept by the meeting services in
    the same transaction (orglife.rollup), so that a street's or a district's compliance
    reads one row per org instead of every meeting.

    The row depends on stored facts only, never on the clock: the end dates of the
    periods the org is due for (`due_ends`) and of those that fell short (`gap_ends`:
    [end, meeting kind, period label], short by the meetings held so far). As of any
    day, what is due are the periods ended before it, what is missing the gaps ended
    before it, and the org is behind when its first gap ended before it. The org's kind
    and dates and a digest of the requirements it was computed from are kept too: a row
    that no longer matches them is not used."""

    org = models.ForeignKey("orgs.PartyOrg", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    org_kind = models.CharField(max_length=24)
    established_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    requirements_key = models.CharField(max_length=40)
    due_ends = models.JSONField(default=list)
    gap_ends = models.JSONField(default=list)
    first_gap = models.DateField(null=True, blank=True)
    held = models.PositiveIntegerField(default=0)
    register = models.PositiveIntegerField(default=0)
    attended = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("组织生活年度统计")
        verbose_name_plural = _("组织生活年度统计")
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="orglife_compliance_once")
        ]
        indexes = [
            models.Index(fields=["year", "first_gap"], name="orglife_compliance_gap"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year}"


class ComplianceTreeStat(models.Model):
    """The ComplianceYear rows counted over each area's whole subtree (core.tree_rollups),
    kept in the same transaction as the rows (orglife.rollup): per year, requirements and
    first gap, how many orgs due in the year, so that a city's or a district's orgs due
    and behind by child read a few rows per child instead of every org's row. An org
    with no gap counts under NO_GAP. Only rows whose org existed in the year (by the
    row's own copies of its dates) count. The root has no row."""

    NO_GAP = datetime.date.max

    area = models.ForeignKey("core.Area", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    requirements_key = models.CharField(max_length=40)
    # Which kinds the requirements apply to is read with the current requirements.
    org_kind = models.CharField(max_length=24)
    first_gap = models.DateField()
    orgs = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("组织生活年度统计（含下级）")
        verbose_name_plural = _("组织生活年度统计（含下级）")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "requirements_key", "org_kind", "first_gap"],
                name="orglife_compliance_tree_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year} {self.first_gap}: {self.orgs}"


class ComplianceState(models.Model):
    """A year whose rows were all rebuilt (`rollup.rebuild`) with the requirements of
    `requirements_key`: from then on the services keep every org's row of the year (a
    meeting, an org founded or closed, a move), so its tree may be read instead of the
    orgs. Without the row (a new year before the nightly rebuild, a change of the
    requirements) the figures are computed from the orgs and their rows."""

    year = models.PositiveSmallIntegerField(unique=True)
    requirements_key = models.CharField(max_length=40)
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = _("组织生活年度统计状态")
        verbose_name_plural = _("组织生活年度统计状态")

    def __str__(self) -> str:
        return f"{self.year} {self.built_at:%Y-%m-%d %H:%M}"


class Meeting(models.Model):
    """One meeting or lecture of a party org, entered once."""

    org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("会议类型"), max_length=24, choices=MeetingKind.choices)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=PLACE_MAX, blank=True)
    venue = models.ForeignKey(
        "cobuild.Venue",
        verbose_name=_("阵地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    topic = models.CharField(_("主题"), max_length=TOPIC_MAX)
    presider = models.CharField(_("主持人"), max_length=NAME_MAX, blank=True)
    lecturer = models.CharField(_("授课人"), max_length=NAME_MAX, blank=True)
    minutes = models.TextField(_("会议记录"), max_length=MINUTES_MAX, blank=True)
    decisions = models.TextField(_("决定事项"), max_length=DECISIONS_MAX, blank=True)
    # Kept beside the attendance rows in the same transaction, so compliance over many
    # orgs reads two numbers per meeting instead of every row.
    register_count = models.PositiveIntegerField(_("应到人数"), default=0)
    attended_count = models.PositiveIntegerField(_("实到人数"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("组织生活记录")
        verbose_name_plural = _("组织生活记录")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["org", "kind", "held_on"], name="orglife_meeting_org")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()} {self.topic}"

    @property
    def attendance_rate(self) -> float | None:
        if not self.register_count:
            return None
        return self.attended_count / self.register_count


class Attendance(models.Model):
    """One member of the org's register on the meeting day."""

    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        ELSEWHERE = "elsewhere", _("在流入地参加")
        EXCUSED = "excused", _("请假")
        ABSENT = "absent", _("缺席")

    ATTENDED = frozenset({Status.PRESENT, Status.ELSEWHERE})

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("出席情况"), max_length=12, choices=Status.choices)
    reason = models.CharField(_("请假事由或参加地点"), max_length=REASON_MAX, blank=True)
    probationary = models.BooleanField(_("预备党员"), default=False)

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        ordering = ["meeting_id", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="orglife_attend_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.member_id} · {self.status}"


class MeetingEvent(models.Model):
    """The timeline of a record: entered, then each edit with the version it replaced."""

    class Action(models.TextChoices):
        RECORDED = "recorded", _("登记")
        UPDATED = "updated", _("修改")
        APPRAISED = "appraised", _("评议结果")
        TASK_ADDED = "task_added", _("决定转为任务")
        ATTACHED = "attached", _("添加附件")
        DETACHED = "detached", _("删除附件")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    version = models.PositiveIntegerField(_("版本"))
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    # For an edit: the record as it stood before (fields and attendance).
    previous = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("组织生活记录事件")
        verbose_name_plural = _("组织生活记录事件")
        ordering = ["meeting_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.action} v{self.version}"


class MeetingAttachment(models.Model):
    """A photo or a file (PDF) kept with a meeting record: optional, never required. The
    stored file is what core.uploads produced (a photo decoded and encoded again, a PDF
    checked by content), under a generated name; it is served only through a view that
    checks the viewer's scope."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        DOCUMENT = "document", _("文件（PDF）")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="orglife/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=CAPTION_MAX, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.kind} {self.pk}"

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1].lower()


class MeetingTask(models.Model):
    """A decision of a meeting, become a task with an owner and a deadline (the shape of
    co-building's joint-meeting tasks)."""

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已完成")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="tasks")
    decision = models.CharField(_("议定事项"), max_length=TASK_MAX)
    owner_member = models.ForeignKey(
        "members.Member",
        verbose_name=_("责任党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_name = models.CharField(_("责任人"), max_length=OWNER_MAX, blank=True)
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("会议决定任务")
        verbose_name_plural = _("会议决定任务")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_member__isnull=False) | ~models.Q(owner_name=""),
                name="orglife_task_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.decision


# ---- residents' deliberation (协商议事, 四议两公开) --------------------------------------------


class Topic(models.Model):
    """A matter a community deliberates through 四议两公开."""

    class State(models.TextChoices):
        DRAFT = "draft", _("待提议")
        PROPOSED = "proposed", _("党组织已提议")
        DISCUSSED = "discussed", _("联席会议已商议")
        REVIEWED = "reviewed", _("党员大会已审议")
        DECIDED = "decided", _("居民（代表）会议已决议")
        RESOLUTION_DISCLOSED = "resolution_disclosed", _("决议已公开")
        RESULT_DISCLOSED = "result_disclosed", _("实施结果已公开")
        REJECTED = "rejected", _("未通过")

    community = models.ForeignKey(
        "core.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.PartyOrg",
        verbose_name=_("提议党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("议题"), max_length=TOPIC_MAX)
    description = models.TextField(_("议题说明"), max_length=LONG_TEXT_MAX, blank=True)
    state = models.CharField(
        _("进度"), max_length=24, choices=State.choices, default=State.DRAFT, db_index=True
    )
    resolution = models.TextField(_("决议内容"), max_length=LONG_TEXT_MAX, blank=True)
    resolution_published_on = models.DateField(_("决议公开日期"), null=True, blank=True)
    result = models.TextField(_("实施结果"), max_length=LONG_TEXT_MAX, blank=True)
    result_published_on = models.DateField(_("结果公开日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("协商议题")
        verbose_name_plural = _("协商议题")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Issue(models.Model):
    """A matter raised for deliberation: by residents, from an appeal that is really a
    common matter, or from a household visit or a contact-point problem."""

    class Source(models.TextChoices):
        RESIDENT = "resident", _("居民提出")
        APPEAL = "appeal", _("诉求转入")
        VISIT = "visit", _("走访收集")
        STAFF = "staff", _("工作人员收集")

    community = models.ForeignKey(
        "core.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("问题内容"), max_length=TEXT_MAX)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    appeal = models.OneToOneField(
        "appeals.Appeal",
        verbose_name=_("来源诉求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("议题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("议事问题")
        verbose_name_plural = _("议事问题")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


class Step(models.Model):
    """One step of the procedure, in the order of `Step.Kind`."""

    class Kind(models.TextChoices):
        PROPOSE = "propose", _("党组织提议")
        DISCUSS = "discuss", _("联席会议商议")
        REVIEW = "review", _("党员大会审议")
        DECIDE = "decide", _("居民（代表）会议决议")
        DISCLOSE_RESOLUTION = "disclose_resolution", _("决议公开")
        DISCLOSE_RESULT = "disclose_result", _("实施结果公开")

    class Assembly(models.TextChoices):
        RESIDENTS = "residents", _("居民会议")
        REPRESENTATIVES = "representatives", _("居民代表会议")

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("步骤"), max_length=24, choices=Kind.choices)
    held_on = models.DateField(_("日期"))
    participants = models.CharField(_("参加人员"), max_length=PARTICIPANTS_MAX, blank=True)
    assembly = models.CharField(_("会议形式"), max_length=16, choices=Assembly.choices, blank=True)
    eligible = models.PositiveIntegerField(_("应到人数"), null=True, blank=True)
    attended = models.PositiveIntegerField(_("实到人数"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("弃权"), null=True, blank=True)
    passed = models.BooleanField(_("通过"), null=True, blank=True)
    note = models.TextField(_("说明"), max_length=LONG_TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("议事步骤")
        verbose_name_plural = _("议事步骤")
        ordering = ["topic_id", "held_on", "id"]
        constraints = [models.UniqueConstraint(fields=["topic", "kind"], name="orglife_step_once")]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.get_kind_display()}"


# ---- contact points (联系点) and household links (党员联户) -----------------------------------


class ContactPoint(models.Model):
    """A district or street official's assigned community org."""

    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联系领导账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    official_name = models.CharField(_("联系领导"), max_length=NAME_MAX)
    official_title = models.CharField(_("职务"), max_length=60, blank=True)
    official_area = models.ForeignKey(
        "core.Area", verbose_name=_("领导所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name=_("联系党组织"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("建立日期"))
    # Ending keeps the row, its visits and problems: the history stays readable.
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=REASON_MAX, blank=True)

    class Meta:
        verbose_name = _("联系点")
        verbose_name_plural = _("联系点")
        ordering = ["org_id", "id"]

    def __str__(self) -> str:
        return f"{self.official_name} → {self.org_id}"


class ContactVisit(models.Model):
    point = models.ForeignKey(ContactPoint, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("日期"))
    notes = models.TextField(_("调研情况"), max_length=LONG_TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("联系点调研")
        verbose_name_plural = _("联系点调研")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.point_id} {self.visited_on}"


class ContactProblem(models.Model):
    """A problem found at a contact point, tracked to resolution; it may be handed to the
    appeals workflow or become a task with an owner and a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("待解决")
        RESOLVED = "resolved", _("已解决")

    point = models.ForeignKey(ContactPoint, on_delete=models.CASCADE, related_name="problems")
    visit = models.ForeignKey(
        ContactVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    text = models.TextField(_("问题"), max_length=TEXT_MAX)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    owner_name = models.CharField(_("责任人"), max_length=OWNER_MAX, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    appeal = models.OneToOneField(
        "appeals.Appeal",
        verbose_name=_("转为诉求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution = models.TextField(_("解决情况"), max_length=TEXT_MAX, blank=True)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联系点问题")
        verbose_name_plural = _("联系点问题")
        ordering = ["status", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


class HouseholdLink(models.Model):
    """A member linked to a household in the grid (党员联户)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(
        "core.Area", verbose_name=_("网格"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.CharField(_("户（门牌）"), max_length=HOUSEHOLD_MAX)
    started_on = models.DateField(_("联系起始日期"))
    # Ending keeps the row and its visits; a new link to the same household may follow.
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=REASON_MAX, blank=True)

    class Meta:
        verbose_name = _("党员联户")
        verbose_name_plural = _("党员联户")
        ordering = ["grid_id", "household", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "grid", "household"],
                condition=models.Q(ended_on__isnull=True),
                name="orglife_link_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.household}"


class HouseholdVisit(models.Model):
    """A visit (走访): date, household, what was raised, and where it went next."""

    link = models.ForeignKey(HouseholdLink, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    raised = models.TextField(_("反映的问题"), max_length=TEXT_MAX, blank=True)
    appeal = models.OneToOneField(
        "appeals.Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    need = models.OneToOneField(
        "cobuild.Need", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issue = models.OneToOneField(
        Issue, null=True, blank=True, on_delete=models.PROTECT, related_name="visit"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.link_id} {self.visited_on}"

    @property
    def forwarded(self) -> bool:
        return bool(self.appeal_id or self.need_id or self.issue_id)
