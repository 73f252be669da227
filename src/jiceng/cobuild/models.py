"""Regional co-building (区域化党建、共驻共建): the three lists (needs, resources, projects)
and the matching runs that bridge them; co-building agreements with their two-way yearly
review; joint meetings of big committees and the tasks their decisions become; venues,
their rooms and bookings.

States change only in `cobuild.services`: a project through the transition table in
`cobuild.states`, each step written as a ProjectEvent in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What a need asks for and what a resource offers; matching requires equality."""

    ELDERLY_CARE = "elderly_care", _("为老服务")
    CHILD_CARE = "child_care", _("青少年托管")
    HEALTH = "health", _("医疗健康")
    CULTURE = "culture", _("文体活动")
    LEGAL = "legal", _("法律服务")
    ENVIRONMENT = "environment", _("环境整治")
    EMPLOYMENT = "employment", _("就业帮扶")
    VENUE = "venue", _("场地")
    VOLUNTEERS = "volunteers", _("志愿服务")
    FUNDS = "funds", _("资金")
    MATERIALS = "materials", _("物资")


# ---- the three lists (三张清单) -----------------------------------------------------------


class Need(models.Model):
    """需求清单: what residents or a community need, where, for how many, and when."""

    class Source(models.TextChoices):
        RESIDENT = "resident", _("居民提出")
        STAFF = "staff", _("社区收集")
        APPEAL = "appeal", _("诉求转化")

    class Status(models.TextChoices):
        OPEN = "open", _("待对接")
        MATCHED = "matched", _("已对接")
        CLOSED = "closed", _("已关闭")

    title = models.CharField(_("需求名称"), max_length=100)
    description = models.TextField(_("需求描述"), max_length=2000, blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    community = models.ForeignKey(
        "core.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    beneficiaries = models.PositiveIntegerField(_("受益人数"), default=1)
    window_start = models.DateField(_("需求开始日期"))
    window_end = models.DateField(_("需求结束日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    # The appeal this need was converted from; its events stay the need's early history.
    appeal = models.OneToOneField(
        "appeals.Appeal",
        verbose_name=_("来源诉求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="need",
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    # A resident's phone, SM4-encrypted; shown masked, and only to the staff who see the need.
    contact_phone_encrypted = models.TextField(blank=True, editable=False)
    # The key the need was filed with; core.idempotency keeps it per client with the
    # request's digest, so a retry never files twice.
    idempotency_key = models.CharField(max_length=255, blank=True, editable=False)
    closed_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求清单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "category", "window_end"], name="cobuild_need_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gte=models.F("window_start")),
                name="cobuild_need_window_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Resource(models.Model):
    """资源清单: what a unit's party org, or an in-service member through their dual
    report, offers: a venue, skilled volunteers, funds, a service or materials."""

    class Kind(models.TextChoices):
        VENUE = "venue", _("场地")
        SKILLED_VOLUNTEERS = "skilled_volunteers", _("专业志愿者")
        FUNDS = "funds", _("资金")
        SERVICES = "services", _("服务")
        MATERIALS = "materials", _("物资")

    title = models.CharField(_("资源名称"), max_length=100)
    description = models.TextField(_("资源描述"), max_length=2000, blank=True)
    kind = models.CharField(_("资源类型"), max_length=20, choices=Kind.choices)
    category = models.CharField(_("服务类别"), max_length=20, choices=Category.choices)
    offered_by_org = models.ForeignKey(
        "orgs.PartyOrg",
        verbose_name=_("提供党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cobuild_resources",
    )
    dual_report = models.ForeignKey(
        "members.DualReport",
        verbose_name=_("在职党员报到"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cobuild_resources",
    )
    area = models.ForeignKey(
        "core.Area", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.PositiveIntegerField(_("可同时服务需求数"), default=1)
    available_from = models.DateField(_("可用开始日期"))
    available_until = models.DateField(_("可用结束日期"))
    is_active = models.BooleanField(_("有效"), default=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源清单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["is_active", "category", "available_until"], name="cobuild_resource_open"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(offered_by_org__isnull=False, dual_report__isnull=True)
                    | models.Q(offered_by_org__isnull=True, dual_report__isnull=False)
                ),
                name="cobuild_resource_one_provider",
            ),
            models.CheckConstraint(
                condition=models.Q(available_until__gte=models.F("available_from")),
                name="cobuild_resource_window_order",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="cobuild_resource_capacity"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Project(models.Model):
    """项目清单: a need met by one or more resources, with an owner, plan and budget."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("已立项")
        CLAIMED = "claimed", _("已认领")
        IN_PROGRESS = "in_progress", _("实施中")
        COMPLETED = "completed", _("已完成")
        EVALUATED = "evaluated", _("已评价")

    # States in which a project occupies its resources' capacity.
    ACTIVE_STATES = (State.PROPOSED, State.CLAIMED, State.IN_PROGRESS)

    title = models.CharField(_("项目名称"), max_length=100)
    need = models.ForeignKey(
        Need, verbose_name=_("需求"), on_delete=models.PROTECT, related_name="projects"
    )
    resources = models.ManyToManyField(
        Resource, through="ProjectResource", verbose_name=_("资源"), related_name="projects"
    )
    # The org that provides the first resource: it claims the project and, with its
    # affiliation line, sees it.
    provider_org = models.ForeignKey(
        "orgs.PartyOrg",
        verbose_name=_("承接党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan = models.TextField(_("实施方案"), max_length=4000, blank=True)
    budget = models.DecimalField(_("预算（元）"), max_digits=12, decimal_places=2, default=0)
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    score = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    evaluation = models.CharField(_("评价意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("立项时间"), auto_now_add=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目清单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="cobuild_project_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES


class ProjectResource(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="resource_links")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="project_links")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("项目资源")
        verbose_name_plural = _("项目资源")
        constraints = [
            models.UniqueConstraint(fields=["project", "resource"], name="cobuild_project_resource")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} ← {self.resource_id}"


class ProjectEvent(models.Model):
    """One step of a project: who did what, when, from which state to which."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=80, blank=True)
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("项目进展")
        verbose_name_plural = _("项目进展")
        ordering = ["project_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.action}"


# ---- matching (供需对接) -------------------------------------------------------------------


class MatchRun(models.Model):
    """One run of the solver for a street (or a whole district): the proposals it made."""

    area = models.ForeignKey(
        "core.Area", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("运行时间"), auto_now_add=True)
    needs_considered = models.PositiveIntegerField(_("参与需求数"), default=0)
    resources_considered = models.PositiveIntegerField(_("参与资源数"), default=0)
    matched = models.PositiveIntegerField(_("建议对接数"), default=0)
    total_distance = models.PositiveIntegerField(_("总距离"), default=0)
    solver_ms = models.PositiveIntegerField(_("求解耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("供需匹配")
        verbose_name_plural = _("供需匹配")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.area} {self.created_at:%Y-%m-%d %H:%M}"


class MatchProposal(models.Model):
    """A proposed pairing of a need with a resource, with the reason shown to staff, who
    accept it (it becomes a project), change its resource, or reject it."""

    class State(models.TextChoices):
        PENDING = "pending", _("待确认")
        ACCEPTED = "accepted", _("已采纳")
        CHANGED = "changed", _("调整后采纳")
        REJECTED = "rejected", _("已驳回")

    # A district run writes ~10⁵ rows at once, so only the indexes that reads use: the
    # unique (run, need) index serves "a run's proposals"; need and resource have theirs.
    run = models.ForeignKey(
        MatchRun, on_delete=models.CASCADE, related_name="proposals", db_index=False
    )
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="proposals")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="proposals")
    proposed_resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("原建议资源"),
        db_index=False,
    )
    distance = models.PositiveSmallIntegerField(_("距离"))
    reason = models.CharField(_("推荐理由"), max_length=300)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.CharField(_("处理说明"), max_length=200, blank=True)
    project = models.OneToOneField(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal"
    )

    class Meta:
        verbose_name = _("对接建议")
        verbose_name_plural = _("对接建议")
        ordering = ["run_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "need"], name="cobuild_proposal_need_once")
        ]

    def __str__(self) -> str:
        return f"{self.need_id} → {self.resource_id}"


# ---- agreements (共建协议) ---------------------------------------------------------------------


class Agreement(models.Model):
    """A co-building agreement (契约化共建) between a community and a resident unit."""

    title = models.CharField(_("协议名称"), max_length=120)
    community = models.ForeignKey(
        "core.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("共建单位"), on_delete=models.PROTECT, related_name="+"
    )
    signed_on = models.DateField(_("签订日期"))
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("到期日期"), null=True, blank=True)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("共建协议")
        verbose_name_plural = _("共建协议")
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    """What one side promises, with a measurable target (e.g. 12 次 activities a year)."""

    class Side(models.TextChoices):
        COMMUNITY = "community", _("社区")
        UNIT = "unit", _("单位")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments")
    side = models.CharField(_("承诺方"), max_length=10, choices=Side.choices)
    content = models.CharField(_("承诺内容"), max_length=300)
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    measure = models.CharField(_("计量单位"), max_length=20)
    achieved = models.DecimalField(_("完成值"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("共建承诺")
        verbose_name_plural = _("共建承诺")
        ordering = ["agreement_id", "side", "id"]

    def __str__(self) -> str:
        return self.content


class AgreementReview(models.Model):
    """双向考核: once a year each side scores the other (0–100) with a comment."""

    class Reviewer(models.TextChoices):
        COMMUNITY = "community", _("社区评价单位")
        UNIT = "unit", _("单位评价社区")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("考核年度"))
    reviewer = models.CharField(_("评价方"), max_length=10, choices=Reviewer.choices)
    score = models.PositiveSmallIntegerField(_("得分"))
    comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("双向考核")
        verbose_name_plural = _("双向考核")
        ordering = ["agreement_id", "-year", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "year", "reviewer"], name="cobuild_review_once_a_year"
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="cobuild_review_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.year} {self.reviewer}"


# ---- joint meetings (联席会议) -----------------------------------------------------------------


class JointMeeting(models.Model):
    """A joint meeting of a street's or community's big committee."""

    committee = models.ForeignKey(
        "orgs.BigCommittee",
        verbose_name=_("大党委"),
        on_delete=models.PROTECT,
        related_name="joint_meetings",
    )
    title = models.CharField(_("会议名称"), max_length=120)
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("会议地点"), max_length=120, blank=True)
    agenda = models.TextField(_("议程"), max_length=4000)
    minutes = models.TextField(_("会议纪要"), max_length=8000, blank=True)
    attendees = models.ManyToManyField(
        "orgs.PartTimeMember",
        through="MeetingAttendance",
        verbose_name=_("出席委员"),
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("orgs.PartTimeMember", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="cobuild_attend_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.member_id}"


class MeetingTask(models.Model):
    """A decision of a joint meeting, become a task with an owner and a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已完成")

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="tasks")
    decision = models.CharField(_("议定事项"), max_length=300)
    owner_member = models.ForeignKey(
        "orgs.PartTimeMember",
        verbose_name=_("责任委员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_name = models.CharField(_("责任人（单位）"), max_length=100, blank=True)
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_member__isnull=False) | ~models.Q(owner_name=""),
                name="cobuild_task_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.decision


# ---- venues (阵地) ---------------------------------------------------------------------------


class Venue(models.Model):
    """A party–mass service centre (党群服务中心) or a venue a unit opens to residents."""

    class Kind(models.TextChoices):
        SERVICE_CENTRE = "service_centre", _("党群服务中心")
        UNIT_VENUE = "unit_venue", _("单位开放阵地")

    name = models.CharField(_("阵地名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    area = models.ForeignKey(
        "core.Area", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("开放单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    floor_area = models.DecimalField(_("建筑面积（平方米）"), max_digits=9, decimal_places=2)
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    closed_on = models.DateField(_("停用日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("阵地")
        verbose_name_plural = _("阵地")
        ordering = ["area_id", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="service_centre", unit__isnull=True)
                    | models.Q(kind="unit_venue", unit__isnull=False)
                ),
                name="cobuild_venue_kind_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    """A bookable room of a venue (one room, many uses: 一室多用)."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(_("功能室名称"), max_length=60)
    floor_area = models.DecimalField(
        _("面积（平方米）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    seats = models.PositiveIntegerField(_("容纳人数"), default=0)
    uses = models.CharField(_("用途"), max_length=200, blank=True)
    is_active = models.BooleanField(_("可预约"), default=True)

    class Meta:
        verbose_name = _("功能室")
        verbose_name_plural = _("功能室")
        ordering = ["venue_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="cobuild_room_name_in_venue")
        ]

    def __str__(self) -> str:
        return f"{self.venue} · {self.name}"


class Booking(models.Model):
    """A room booked for a time; no two live bookings of a room overlap."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    purpose = models.CharField(_("用途"), max_length=200)
    booked_for = models.CharField(_("使用单位（人）"), max_length=100, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["room", "starts_at"], name="cobuild_booking_room_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="cobuild_booking_time_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.starts_at:%Y-%m-%d %H:%M}"
