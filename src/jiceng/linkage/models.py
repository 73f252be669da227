"""Dispatch and notification (调度通报): notices and tasks sent down from an upper level
to chosen lower areas or orgs, each recipient's receipt (回执) and, for a task, its
report back pre-filled from the outcome registry; the bulletin (通报) that summarizes
the results; and the in-app inbox with its optional outbox for email, SMS and WeCom.

Receipts live in a table of their own (`Receipt`) and are read only by the sender's
delivery view: no outcome, ranking, bulletin or indicator reads them (a test guards it).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Column widths shared by models, schemas and services (one place for each limit).
TITLE_MAX = 200
BODY_MAX = 8000
REASON_MAX = 500
LABEL_MAX = 100
CHOICES_MAX = 500
ANSWER_MAX = 2000
NOTE_MAX = 500
CAPTION_MAX = 100
DUTY_MAX = 100
OUTCOME_KEY_MAX = 64
PERIOD_MAX = 16
SUMMARY_MAX = 4000
NOTIFICATION_TITLE_MAX = 200
NOTIFICATION_BODY_MAX = 1000
LINK_MAX = 300
ADDRESS_MAX = 500
ERROR_MAX = 500
# How many attachments and report fields a dispatch may carry.
ATTACHMENTS_PER_DISPATCH = 10
FIELDS_PER_TASK = 30


class Dispatch(models.Model):
    """A notice or a task from an upper level's area to lower areas or orgs."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("通知")
        TASK = "task", _("任务")

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SENT = "sent", _("已下发")
        CLOSED = "closed", _("已结束")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Targeting(models.TextChoices):
        LIST = "list", _("指定名单")
        CHILDREN = "children", _("辖区内全部")
        RULE = "rule", _("按指标规则")
        ORG_RULE = "org_rule", _("按党组织指标规则")

    class Level(models.TextChoices):
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")

    class OrgGroup(models.TextChoices):
        """Which orgs under the sender an org rule looks at."""

        ALL = "all", _("全部党组织")
        COMMUNITY = "community", _("社区党组织")
        UNIT = "unit", _("驻区单位党组织")

    class Comparison(models.TextChoices):
        BELOW = "lt", _("低于")
        AT_MOST = "le", _("不高于")
        ABOVE = "gt", _("高于")
        AT_LEAST = "ge", _("不低于")

    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    body = models.TextField(_("正文"), max_length=BODY_MAX, blank=True)
    sender_area = models.ForeignKey(
        "core.Area", verbose_name=_("发出单位"), on_delete=models.PROTECT, related_name="+"
    )
    # A department sending from the area it serves (a handling unit of kind department,
    # appeals.HandlingUnit); None when the district or the street sends as itself. Only
    # that department's staff act on it, and a task of it cites an admitted duty.
    sender_department = models.ForeignKey(
        "appeals.HandlingUnit",
        verbose_name=_("发出部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    # The period a task's figures are for ("2026-Q1", "2026-03", "2026").
    period = models.CharField(_("统计期间"), max_length=PERIOD_MAX, blank=True)
    targeting = models.CharField(_("下发范围"), max_length=10, choices=Targeting.choices)
    target_level = models.CharField(
        _("下发层级"), max_length=10, choices=Level.choices, default=Level.COMMUNITY
    )
    # For an explicit list: the chosen areas and orgs (kept on the draft, expanded at
    # sending into one Recipient each).
    target_areas = models.ManyToManyField("core.Area", blank=True, related_name="+")
    target_orgs = models.ManyToManyField("orgs.PartyOrg", blank=True, related_name="+")
    # For a rule: the outcome (for an org rule, the org measure of core.org_measures),
    # its period, the comparison and the threshold; an org rule also says which orgs.
    target_org_group = models.CharField(
        _("党组织范围"), max_length=10, choices=OrgGroup.choices, default=OrgGroup.ALL
    )
    rule_outcome = models.CharField(_("规则指标"), max_length=OUTCOME_KEY_MAX, blank=True)
    rule_period = models.CharField(_("规则期间"), max_length=PERIOD_MAX, blank=True)
    rule_comparison = models.CharField(
        _("比较"), max_length=2, choices=Comparison.choices, blank=True
    )
    rule_threshold = models.DecimalField(
        _("阈值"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    # The admitted duty a department's dispatch cites (the duties app's duty number),
    # checked through linkage.admission when it is sent.
    duty_reference = models.CharField(_("准入职责编号"), max_length=DUTY_MAX, null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=REASON_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("下发时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调度事项")
        verbose_name_plural = _("调度事项")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sender_area", "state"], name="linkage_dispatch_sender")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}"

    @property
    def is_task(self) -> bool:
        return self.kind == self.Kind.TASK


class DispatchAttachment(models.Model):
    """A photo or a PDF sent with a dispatch, as core.uploads made it safe to keep."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        DOCUMENT = "document", _("文件（PDF）")

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="linkage/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=CAPTION_MAX, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("调度附件")
        verbose_name_plural = _("调度附件")
        ordering = ["dispatch_id", "id"]

    def __str__(self) -> str:
        return f"{self.dispatch_id} {self.kind} {self.pk}"


class ReportField(models.Model):
    """What a task asks back: an outcome the system computes for the recipient, or a
    question only people can answer."""

    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("系统指标（自动预填）")
        TEXT = "text", _("文字")
        NUMBER = "number", _("数字")
        YES_NO = "yes_no", _("是/否")
        CHOICE = "choice", _("单选")

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    label = models.CharField(_("名称"), max_length=LABEL_MAX)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    outcome_key = models.CharField(_("指标"), max_length=OUTCOME_KEY_MAX, blank=True)
    # A choice question's options, one per line.
    choices = models.TextField(_("选项"), max_length=CHOICES_MAX, blank=True)
    required = models.BooleanField(_("必填"), default=True)

    class Meta:
        verbose_name = _("回报项")
        verbose_name_plural = _("回报项")
        ordering = ["dispatch_id", "position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.split("\n") if line.strip()]


class Recipient(models.Model):
    """One area or org a dispatch went to, fixed at sending. Who in it may answer is
    said by core.roles: those holding a managing role at that area (or that org)."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="recipients")
    area = models.ForeignKey(
        "core.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.PartyOrg", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("接收单位"), max_length=LABEL_MAX)
    # 清单外事项: a recipient street marked a department's dispatch as outside its duty
    # list; the sending department and the district see the mark and its reason.
    outside_list_reason = models.CharField(_("清单外说明"), max_length=REASON_MAX, blank=True)
    outside_list_marked_at = models.DateTimeField(_("标记清单外时间"), null=True, blank=True)
    outside_list_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("接收单位")
        verbose_name_plural = _("接收单位")
        ordering = ["dispatch_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area__isnull=False, org__isnull=True)
                | models.Q(area__isnull=True, org__isnull=False),
                name="linkage_recipient_area_or_org",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_outside_list(self) -> bool:
        return self.outside_list_marked_at is not None

    @property
    def subject(self):
        """What outcomes are measured for: the area, or the org."""
        return self.area if self.area_id else self.org


class Receipt(models.Model):
    """回执: that a dispatch reached its recipient. For delivery only, never appraisal:
    nothing that scores, ranks or bulletins reads this table."""

    recipient = models.OneToOneField(Recipient, on_delete=models.CASCADE, related_name="receipt")
    opened_at = models.DateTimeField(_("打开时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("回执")
        verbose_name_plural = _("回执")

    def __str__(self) -> str:
        return f"{self.recipient_id}"


class Report(models.Model):
    """A recipient's report back on a task."""

    class State(models.TextChoices):
        PENDING = "pending", _("待填报")
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("已退回修改")
        ACCEPTED = "accepted", _("已采纳")

    recipient = models.OneToOneField(Recipient, on_delete=models.CASCADE, related_name="report")
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.CharField(_("退回原因"), max_length=REASON_MAX, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    last_chased_at = models.DateTimeField(_("最近催报时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("报送")
        verbose_name_plural = _("报送")

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.state}"


class ReportValue(models.Model):
    """One answer of a report. For an outcome, `computed` is the figure the system gave
    and `value` what the recipient confirmed or corrected it to (a correction needs a
    note and keeps the computed figure beside it)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    field = models.ForeignKey(ReportField, on_delete=models.CASCADE, related_name="+")
    computed = models.DecimalField(max_digits=16, decimal_places=6, null=True, blank=True)
    computed_numerator = models.BigIntegerField(null=True, blank=True)
    computed_denominator = models.BigIntegerField(null=True, blank=True)
    value = models.TextField(_("填报值"), max_length=ANSWER_MAX, blank=True)
    corrected = models.BooleanField(_("已更正"), default=False)
    note = models.CharField(_("更正说明"), max_length=NOTE_MAX, blank=True)

    class Meta:
        verbose_name = _("报送内容")
        verbose_name_plural = _("报送内容")
        ordering = ["report_id", "field__position", "field_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "field"], name="linkage_value_once")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.field_id}"


class Bulletin(models.Model):
    """通报: the results of a task, published by the sender. The figures are a snapshot
    of the accepted reports at publication: outcomes per recipient and their totals,
    never read times or any activity on the platform."""

    dispatch = models.OneToOneField(Dispatch, on_delete=models.CASCADE, related_name="bulletin")
    summary = models.TextField(_("通报内容"), max_length=SUMMARY_MAX, blank=True)
    figures = models.JSONField(_("汇总数据"), default=dict)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")

    def __str__(self) -> str:
        return f"{self.dispatch_id}"


# ---- notifications ------------------------------------------------------------------------


class Notification(models.Model):
    """One message in a user's inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("标题"), max_length=NOTIFICATION_TITLE_MAX)
    body = models.TextField(_("内容"), max_length=NOTIFICATION_BODY_MAX, blank=True)
    link = models.CharField(_("链接"), max_length=LINK_MAX, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The unread count on every page reads this index only.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="linkage_notif_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="linkage_notif_inbox"),
        ]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信")


class DeliveryPreference(models.Model):
    """A user's opt-in to receive notifications on another channel too."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    # Encrypted at rest (core.crypto), like other personal data.
    address_encrypted = models.TextField(max_length=ADDRESS_MAX, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="linkage_pref_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel}"


class OutboxMessage(models.Model):
    """A notification to deliver on another channel, by `jiceng outbox deliver`.

    A message is marked `sending` in a committed transaction before it is handed to the
    channel, so a crash between the two can never send it twice: one left in `sending`
    past the timeout becomes `failed_unknown` for an operator to check, never resent."""

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        FAILED_UNKNOWN = "failed_unknown", _("结果不明（需人工核查）")

    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    address_encrypted = models.TextField(max_length=ADDRESS_MAX)
    subject = models.CharField(_("标题"), max_length=NOTIFICATION_TITLE_MAX)
    body = models.TextField(_("内容"), max_length=NOTIFICATION_BODY_MAX + LINK_MAX + 2)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=ERROR_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息")
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="linkage_outbox_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.state} {self.pk}"
