"""Duty admission (职责下沉准入), the streets' duty lists, reports of tasks outside the
list, and the street's five powers over department field offices.

A state changes only in `duties.services`, through the table in `duties.states`, and
every change leaves an audit entry in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 100
TEXT_MAX = 2000
BASIS_MAX = 1000
VOLUME_MAX = 200
NOTE_MAX = 300
REASON_MAX = 500
REFERENCE_MAX = 100
NAME_MAX = 50
OFFICE_MAX = 80
COMMENT_MAX = 1000


class Duty(models.Model):
    """A department's application to push a duty (事项) down to streets or communities,
    with the people and funds that go with it to each target street."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        ADMITTED = "admitted", _("已准入")
        REFUSED = "refused", _("未准入")
        WITHDRAWN = "withdrawn", _("已撤回")
        REVOKED = "revoked", _("已撤销准入")

    class Level(models.TextChoices):
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")

    department = models.ForeignKey(
        "appeals.HandlingUnit",
        verbose_name=_("申请部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The district whose organization department reviews it: the department's own.
    district = models.ForeignKey(
        "core.Area", verbose_name=_("审核区"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("事项名称"), max_length=TITLE_MAX)
    description = models.TextField(_("事项内容"), max_length=TEXT_MAX)
    legal_basis = models.TextField(_("法律依据"), max_length=BASIS_MAX)
    expected_volume = models.CharField(_("预计工作量"), max_length=VOLUME_MAX)
    target_level = models.CharField(_("下沉层级"), max_length=12, choices=Level.choices)
    # What follows the duty to each target street (人随事转、费随事转).
    staff_count = models.PositiveIntegerField(_("随事下沉人员编制（每街道）"), default=0)
    funds_yuan = models.DecimalField(
        _("随事下拨经费（元/年，每街道）"), max_digits=12, decimal_places=2, default=0
    )
    # The powers that go with it (权随事转) and how the people and funds are provided.
    resources_note = models.TextField(_("权限、人员与经费说明"), max_length=BASIS_MAX, blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    # The reason of the last refusal or revocation.
    reason = models.TextField(_("理由"), max_length=REASON_MAX, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("下沉事项")
        verbose_name_plural = _("下沉事项")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["district", "state"], name="duties_district_state")]

    def __str__(self) -> str:
        return self.title


class DutyTarget(models.Model):
    """A street the duty goes down to (for a community-level duty: the communities of
    that street). An admitted duty's targets make up the streets' duty lists."""

    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="targets")
    street = models.ForeignKey(
        "core.Area", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("下沉街道")
        verbose_name_plural = _("下沉街道")
        constraints = [
            models.UniqueConstraint(fields=["duty", "street"], name="duties_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.duty_id} → {self.street_id}"


class OutsideListReport(models.Model):
    """A street marks a task it received as outside its duty list (清单外事项)."""

    street = models.ForeignKey(
        "core.Area", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "appeals.HandlingUnit",
        verbose_name=_("派任务的部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("情况说明"), max_length=COMMENT_MAX)
    # The task it is about: the linkage app's task number, or a document number.
    task_reference = models.CharField(_("任务编号或文号"), max_length=REFERENCE_MAX, blank=True)
    reported_on = models.DateField(_("报告日期"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("清单外事项")
        verbose_name_plural = _("清单外事项")
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.street_id} {self.task_reference}"


class FieldOfficeAssessment(models.Model):
    """人事考核权: the street's yearly assessment of a department field office's head."""

    class Grade(models.TextChoices):
        GOOD = "good", _("好")
        FAIRLY_GOOD = "fairly_good", _("较好")
        AVERAGE = "average", _("一般")
        POOR = "poor", _("差")

    street = models.ForeignKey(
        "core.Area", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "appeals.HandlingUnit",
        verbose_name=_("职能部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    office_name = models.CharField(_("派出机构"), max_length=OFFICE_MAX)
    head_name = models.CharField(_("负责人"), max_length=NAME_MAX)
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("考核等次"), max_length=12, choices=Grade.choices)
    comment = models.TextField(_("考核意见"), max_length=COMMENT_MAX, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(_("考核时间"))

    class Meta:
        verbose_name = _("派出机构负责人考核")
        verbose_name_plural = _("派出机构负责人考核")
        ordering = ["-year", "office_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "office_name", "year"], name="duties_assessment_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.office_name} {self.get_grade_display()}"


class PowerRequest(models.Model):
    """A request with a deadline and an answer between a street and a department (or the
    district): consent asked by a department of the street, or the street's planning
    participation, major-matter proposal or coordination request."""

    class Kind(models.TextChoices):
        CONSENT = "consent", _("征得同意")
        PLANNING = "planning", _("规划参与")
        MAJOR_MATTER = "major_matter", _("重大事项建议")
        COORDINATION = "coordination", _("综合管理统筹协调")

    class State(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Answer(models.TextChoices):
        AGREE = "agree", _("同意（采纳）")
        PARTLY = "partly", _("部分采纳")
        DISAGREE = "disagree", _("不同意（不采纳）")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    street = models.ForeignKey(
        "core.Area", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "core.Area", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    # None: a proposal addressed to the district itself.
    department = models.ForeignKey(
        "appeals.HandlingUnit",
        verbose_name=_("职能部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("事由"), max_length=TITLE_MAX)
    body = models.TextField(_("具体内容"), max_length=TEXT_MAX)
    due_on = models.DateField(_("答复时限"))
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.OPEN, db_index=True
    )
    answer = models.CharField(_("答复意见"), max_length=12, choices=Answer.choices, blank=True)
    answer_reason = models.TextField(_("答复理由"), max_length=COMMENT_MAX, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("街道权力事项")
        verbose_name_plural = _("街道权力事项")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "due_on"], name="duties_request_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject}"

    @property
    def asked_of_street(self) -> bool:
        """Consent is asked by a department of the street; the rest by the street."""
        return self.kind == self.Kind.CONSENT
