"""Dynamic management and supervision (动态管理、督促检查): weak-and-lax org detection with
its rules as data and the rectification of confirmed orgs, star ratings by criteria the
deployment configures, spot checks (inspections) and talks (约谈)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NAME_MAX = 50
TITLE_MAX = 100
REASON_MAX = 500
TEXT_MAX = 2000


class WeakOrgRule(models.Model):
    """One rule of weak-org detection. The rule's logic is code (supervision.rules, by
    `code`); what the district tunes is data: whether it runs and its parameters
    (months, thresholds)."""

    code = models.CharField(_("规则代码"), max_length=40, unique=True)
    name = models.CharField(_("规则名称"), max_length=TITLE_MAX)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=100)

    class Meta:
        verbose_name = _("软弱涣散研判规则")
        verbose_name_plural = _("软弱涣散研判规则")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class WeakOrgCase(models.Model):
    """An org flagged by the rules in a year, and what the district made of it."""

    class State(models.TextChoices):
        CANDIDATE = "candidate", _("待研判")
        CONFIRMED = "confirmed", _("已认定")
        DISMISSED = "dismissed", _("已排除")
        RECTIFYING = "rectifying", _("整顿中")
        CLEARED = "cleared", _("已销号")

    org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "core.Area", verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.CANDIDATE, db_index=True
    )
    # [{"rule", "name", "value", "detail", "url"}]: each hit names its evidence.
    hits = models.JSONField(_("命中规则"), default=list)
    evaluated_at = models.DateTimeField(_("研判时间"))
    decision_reason = models.CharField(_("认定或排除理由"), max_length=REASON_MAX, blank=True)
    decided_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    leader = models.CharField(_("整顿责任领导"), max_length=NAME_MAX, blank=True)
    measures = models.TextField(_("整顿措施"), max_length=TEXT_MAX, blank=True)
    deadline = models.DateField(_("整顿时限"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    review_hits = models.JSONField(_("验收时仍命中的规则"), default=list, blank=True)
    override_reason = models.CharField(
        _("区委组织部确认销号理由"), max_length=REASON_MAX, blank=True
    )

    class Meta:
        verbose_name = _("软弱涣散党组织")
        verbose_name_plural = _("软弱涣散党组织")
        ordering = ["-year", "state", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="supervision_weak_once")
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.year}"


class WeakOrgEvent(models.Model):
    """One step of a weak-org case: who did what, from which state to which, why."""

    case = models.ForeignKey(WeakOrgCase, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    note = models.CharField(_("说明"), max_length=REASON_MAX, blank=True)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("软弱涣散整顿记录")
        verbose_name_plural = _("软弱涣散整顿记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class StarCriterion(models.Model):
    """One criterion of the star rating (星级支部): an outcome (core.outcomes key) meeting
    a threshold, or a weak-org rule that must not hit. Each criterion met is one star."""

    name = models.CharField(_("标准名称"), max_length=TITLE_MAX)
    outcome_key = models.CharField(_("结果指标"), max_length=60, blank=True)
    threshold = models.DecimalField(
        _("达标值"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    rule_code = models.CharField(_("不得命中的研判规则"), max_length=40, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=100)

    class Meta:
        verbose_name = _("星级评定标准")
        verbose_name_plural = _("星级评定标准")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class StarRating(models.Model):
    org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "core.Area", verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    stars = models.PositiveSmallIntegerField(_("星级"), default=0)
    # [{"criterion", "name", "value", "threshold", "met", "url"}]
    evidence = models.JSONField(_("依据"), default=list)
    computed_at = models.DateTimeField(_("评定时间"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("星级评定")
        verbose_name_plural = _("星级评定")
        ordering = ["-year", "-stars", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="supervision_star_once")
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.year} {self.stars}"


class Inspection(models.Model):
    """A spot check (督促检查): planned for an org on a day, then recorded with what was
    found; each problem found becomes a rectification item."""

    class State(models.TextChoices):
        PLANNED = "planned", _("已计划")
        RECORDED = "recorded", _("已检查")

    org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name=_("被检查党组织"), on_delete=models.PROTECT, related_name="+"
    )
    inspectors = models.CharField(_("检查人员"), max_length=TITLE_MAX)
    planned_on = models.DateField(_("计划日期"))
    focus = models.CharField(_("检查内容"), max_length=REASON_MAX, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PLANNED)
    held_on = models.DateField(_("检查日期"), null=True, blank=True)
    findings = models.TextField(_("检查发现"), max_length=TEXT_MAX, blank=True)
    # The problems found, one a line, as handed to the rectification list.
    problems = models.JSONField(_("发现问题"), default=list, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("督促检查")
        verbose_name_plural = _("督促检查")
        ordering = ["-planned_on", "-id"]

    def __str__(self) -> str:
        return f"{self.org} {self.planned_on}"


class Talk(models.Model):
    """A talk (约谈) with an org's secretary: who talked to whom, why, what was promised,
    and the follow-up on the day set for it."""

    org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("约谈日期"))
    talker = models.CharField(_("约谈人"), max_length=NAME_MAX)
    talked_to = models.CharField(_("被约谈人"), max_length=NAME_MAX)
    reason = models.CharField(_("约谈事由"), max_length=REASON_MAX)
    commitments = models.TextField(_("整改承诺"), max_length=TEXT_MAX, blank=True)
    follow_up_on = models.DateField(_("回访日期"))
    follow_up_result = models.TextField(_("回访结果"), max_length=TEXT_MAX, blank=True)
    followed_up_at = models.DateTimeField(_("回访登记时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("约谈")
        verbose_name_plural = _("约谈")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.org} {self.held_on}"
