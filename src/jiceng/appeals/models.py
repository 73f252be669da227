"""Residents' appeals (群众诉求, 接诉即办): categories, handling units, routing rules,
cases with their events, summons (吹哨报到) and mediation records.

A case's state changes only in `appeals.services`, through the transition table in
`appeals.states`, and every change writes an AppealEvent in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """What an appeal is about, with its deadlines. `code` doubles as Open311 service_code."""

    class DeadlineUnit(models.TextChoices):
        HOURS = "hours", _("小时")
        WORKING_DAYS = "working_days", _("工作日")

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    group = models.CharField(_("大类"), max_length=30)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    response_hours = models.PositiveSmallIntegerField(_("响应时限（小时）"))
    resolution_amount = models.PositiveSmallIntegerField(_("办结时限"))
    resolution_unit = models.CharField(
        _("办结时限单位"), max_length=16, choices=DeadlineUnit.choices
    )
    reopen_days = models.PositiveSmallIntegerField(_("不满意可重办天数"), default=7)
    is_mediation = models.BooleanField(_("矛盾纠纷"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class HandlingUnit(models.Model):
    """Who handles cases: a community (居委会), a street office, or a department."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("社区")
        STREET = "street", _("街道")
        DEPARTMENT = "department", _("职能部门")

    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    # The territory the unit answers for: its community, its street, or the district
    # (or street) a department serves.
    area = models.ForeignKey(
        "core.Area", verbose_name=_("负责区域"), on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["area_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="appeals_unit_name_in_area")
        ]

    def __str__(self) -> str:
        return self.name


class HandlerMembership(models.Model):
    """A user working in a handling unit's queue (department staff, community workers)."""

    unit = models.ForeignKey(HandlingUnit, on_delete=models.CASCADE, related_name="handlers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="handler_memberships"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("承办人员")
        verbose_name_plural = _("承办人员")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "user"],
                condition=models.Q(ended_at__isnull=True),
                name="appeals_one_open_handler_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"


class RoutingRule(models.Model):
    """Category × area subtree → handling unit. The deepest area wins; at equal depth a
    rule naming the category beats one for any category."""

    category = models.ForeignKey(
        Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.CASCADE
    )
    area = models.ForeignKey(
        "core.Area", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        HandlingUnit, verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="rules"
    )

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area"], name="appeals_rule_unique", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} @ {self.area} → {self.unit}"


class Appeal(models.Model):
    class Channel(models.TextChoices):
        RESIDENT = "resident", _("居民自助")
        HOTLINE = "hotline", _("热线")
        GRID = "grid", _("网格巡查")
        API = "api", _("系统对接")
        OPEN311 = "open311", _("Open311")

    class State(models.TextChoices):
        RECEIVED = "received", _("已受理")
        DISPATCHED = "dispatched", _("已派单")
        ACCEPTED = "accepted", _("已签收")
        IN_PROGRESS = "in_progress", _("办理中")
        REPLIED = "replied", _("已答复")
        RATED = "rated", _("已评价")
        CLOSED = "closed", _("已办结")
        RETURNED = "returned", _("已退单")
        REOPENED = "reopened", _("重办")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True)
    channel = models.CharField(_("来源"), max_length=12, choices=Channel.choices)
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT)
    area = models.ForeignKey(
        "core.Area", verbose_name=_("发生地"), on_delete=models.PROTECT, related_name="appeals"
    )
    # The street and community of the place, kept for the street's queue and the monthly
    # rates and ranking (rolled up per community and month in AppealMonthStat).
    # Empty only while a case waits to be placed (placement_pending) and no street was
    # found near what the caller said.
    street = models.ForeignKey(
        "core.Area",
        verbose_name=_("所属街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "core.Area",
        verbose_name=_("所属社区"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("详细地点"), max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("诉求内容"), max_length=2000)
    photo = models.FileField(_("照片"), upload_to="appeals/%Y/%m/", blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone_encrypted = models.TextField(blank=True, editable=False)
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    unroutable_reason = models.CharField(_("未能自动派单原因"), max_length=200, blank=True)
    # Received through the fast intake path (Open311) and not yet routed: routing, the
    # duplicate check, dispatch, the audit entries and the monthly counters follow in
    # `jiceng process-intake` (appeals.intake), in batches.
    routing_pending = models.BooleanField(_("待自动派单"), default=False)
    # Filed with an address or a position the registry could not place below a district
    # (places.locate): the case sits at the district, in its placement queue (待定位),
    # with the reason, until a person places it (appeals.services.placement).
    placement_pending = models.BooleanField(_("待定位"), default=False)
    placement_reason = models.CharField(_("待定位原因"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("受理时间"), db_index=True)
    response_due_at = models.DateTimeField(_("响应时限"))
    resolution_due_at = models.DateTimeField(_("办结时限"))
    responded_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolved = models.BooleanField(_("问题是否解决"), null=True, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    public_reply = models.TextField(_("答复内容"), max_length=2000, blank=True)
    # What the public feed (Open311) may show of the description: empty until a staff
    # member publishes an edit with the personal data taken out (appeal_publish_description).
    public_description = models.TextField(_("公开描述"), max_length=2000, blank=True)
    description_published_at = models.DateTimeField(_("描述公开时间"), null=True, blank=True)
    description_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("描述公开人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    response_overdue = models.BooleanField(_("响应超时"), default=False)
    resolution_overdue = models.BooleanField(_("办结超时"), default=False)
    escalated_to = models.ForeignKey(
        "core.Area",
        verbose_name=_("督办层级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    # A client's retry carries the same key; the pair is unique, so a retry never
    # creates a second case.
    client = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("群众诉求")
        verbose_name_plural = _("群众诉求")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["street", "received_at"], name="appeals_street_month"),
            models.Index(fields=["unit", "state"], name="appeals_unit_queue"),
            models.Index(fields=["state", "resolution_due_at"], name="appeals_due"),
            # Only the few cases waiting for `process-intake` are in it.
            models.Index(
                fields=["id"],
                condition=models.Q(routing_pending=True),
                name="appeals_routing_pending",
            ),
            models.Index(
                fields=["area", "received_at"],
                condition=models.Q(placement_pending=True),
                name="appeals_placement_pending",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="appeals_idempotent_intake",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.category}"

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CLOSED


class AppealMonthStat(models.Model):
    """Counters behind the rates, per community and month of receipt, kept up to date by
    the services in the same transaction as each change (appeals.rollup), so that a
    district-month reads a few hundred rows instead of a million cases."""

    community = models.ForeignKey("core.Area", on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey("core.Area", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # first day of the month, local time
    received = models.IntegerField(default=0)
    responded_on_time = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    on_time_due = models.IntegerField(default=0)
    on_time_met = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("诉求月度统计")
        verbose_name_plural = _("诉求月度统计")
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="appeals_stat_unique")
        ]
        indexes = [models.Index(fields=["street", "month"], name="appeals_stat_street_month")]

    def __str__(self) -> str:
        return f"{self.community_id} {self.month:%Y-%m}"


class AppealCategoryMonthStat(models.Model):
    """Cases received per street, month and category, counted as AppealMonthStat counts
    them (appeals.rollup, same transaction), for the categories chart of a street or
    above: a city's year reads these rows instead of its cases. Per street, not per
    community: a fifth of the rows (a community's few cases are counted directly)."""

    street = models.ForeignKey("core.Area", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # first day of the month, local time
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    received = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("诉求类别月度统计")
        verbose_name_plural = _("诉求类别月度统计")
        constraints = [
            models.UniqueConstraint(
                fields=["street", "month", "category"], name="appeals_category_stat_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.street_id} {self.month:%Y-%m} {self.category_id}"


class OpenCounts(models.Model):
    """Open cases and the overdue among them: of one area (AppealOpenStat) or of its whole
    subtree (AppealOpenTreeStat)."""

    area = models.OneToOneField(
        "core.Area", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    open = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.area_id} {self.open}/{self.overdue}"


class AppealOpenStat(OpenCounts):
    """Open cases, and the overdue among them, per area where they happened, kept up to
    date by the services in the same transaction as each change (appeals.open_rollup), so
    that the city's open and overdue figures read a row per area instead of its cases."""

    class Meta:
        verbose_name = _("未办结诉求统计")
        verbose_name_plural = _("未办结诉求统计")


class AppealOpenTreeStat(OpenCounts):
    """AppealOpenStat summed over each area's whole subtree (core.tree_rollups), kept in
    the same transaction, so that the open and overdue cases by child read one row per
    child. The root has no row."""

    class Meta:
        verbose_name = _("未办结诉求统计（含下级）")
        verbose_name_plural = _("未办结诉求统计（含下级）")


class AppealEvent(models.Model):
    """One step of a case: who did what, when, from which state to which."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=80, blank=True)
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    # Public notes are what a resident sees when looking up the tracking code.
    is_public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["appeal_id", "at", "id"]
        indexes = [
            # The cases a unit was sent or returned: what a department's staff see
            # (appeals.own_work), found without reading every event of the district.
            models.Index(
                Cast(KeyTextTransform("unit", "data"), models.IntegerField()),
                models.F("appeal"),
                condition=models.Q(action__in=["dispatch", "return"]),
                name="appeals_event_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.action}"


class Summons(models.Model):
    """吹哨: a street calls departments to a case; each must report (报到) by a deadline."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="summonses")
    street = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("吹哨事由"), max_length=300)
    created_at = models.DateTimeField(_("吹哨时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.appeal} {self.reason[:20]}"


class SummonsTarget(models.Model):
    summons = models.ForeignKey(Summons, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, related_name="summonses")
    report_due_at = models.DateTimeField(_("报到时限"))
    act_due_at = models.DateTimeField(_("处置时限"))
    reported_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    acted_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    action_note = models.TextField(_("处置情况"), max_length=2000, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("吹哨报到")
        verbose_name_plural = _("吹哨报到")
        constraints = [
            models.UniqueConstraint(fields=["summons", "unit"], name="appeals_summons_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.summons_id} → {self.unit}"


class Mediation(models.Model):
    """The record of a dispute (矛盾纠纷) case: parties and outcome."""

    class Outcome(models.TextChoices):
        AGREED = "agreed", _("调解成功")
        PARTIAL = "partial", _("部分达成")
        FAILED = "failed", _("调解不成")
        REFERRED = "referred", _("引导诉讼或仲裁")

    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, related_name="mediation")
    parties = models.JSONField(_("当事人"), default=list)
    outcome = models.CharField(_("调解结果"), max_length=12, choices=Outcome.choices, blank=True)
    agreement = models.TextField(_("协议内容"), max_length=2000, blank=True)
    mediator = models.CharField(_("调解员"), max_length=50, blank=True)
    mediated_on = models.DateField(_("调解日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("矛盾纠纷调解")
        verbose_name_plural = _("矛盾纠纷调解")

    def __str__(self) -> str:
        return f"{self.appeal} {self.get_outcome_display()}"


class Open311Key(models.Model):
    """A key for another system to file appeals through Open311. Only its SHA-256 is
    stored: the key itself is shown once, when `jiceng open311-key create` makes it."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Optionally limited to a part of the territory (a district's system files there only).
    area = models.ForeignKey(
        "core.Area",
        verbose_name=_("限定区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 密钥")
        verbose_name_plural = _("Open311 密钥")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
