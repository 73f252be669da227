"""The responsibility system (述职评议考核): the district's yearly scheme (考核方案), each
assessed org's assessment, task list (任务清单), report (述职) and its reviews (评议), and
the problem list (问题清单) with one rectification item (整改清单) per problem.

A scheme is versioned: an edit before it opens makes a new version (the old one stays,
superseded); opening the year's assessment freezes the open version. Scores are computed
from the registered outcomes (core.outcomes), never from another app's models."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NAME_MAX = 120
LABEL_MAX = 100
TEXT_MAX = 500
MEASURE_MAX = 500
COMMENT_MAX = 1000
REPORT_MAX = 10000
OWNER_MAX = 50
CAPTION_MAX = 100
EVIDENCE_PER_ITEM = 10


class AssessedGroup(models.TextChoices):
    """Who a scheme assesses, by the org's kind and level under the district."""

    STREET = "street", _("街道党工委")
    COMMUNITY = "community", _("社区党组织")
    UNIT = "unit", _("单位党组织")


class Grade(models.TextChoices):
    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("差")


# The points of a reviewer's grade, and the grade a mean of points falls in
# (docs/user-guide/assessment.md states both).
GRADE_POINTS = {Grade.GOOD: 100, Grade.FAIRLY_GOOD: 80, Grade.FAIR: 60, Grade.POOR: 0}
GRADE_FLOORS = ((90, Grade.GOOD), (75, Grade.FAIRLY_GOOD), (60, Grade.FAIR), (0, Grade.POOR))


class Scheme(models.Model):
    """One version of a district's scheme for a year. Exactly one version per district
    and year is current; an open one is frozen."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("考核进行中")
        SUPERSEDED = "superseded", _("已被新版本替代")

    district = models.ForeignKey(
        "core.Area", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("方案名称"), max_length=NAME_MAX)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    # AssessedGroup values, comma-separated.
    groups = models.CharField(_("考核对象"), max_length=60)
    # The share of the total score (0-100) given by the review grade; the items give the rest.
    review_weight = models.PositiveSmallIntegerField(_("评议权重"), default=30)
    opened_at = models.DateTimeField(_("开启时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("排名发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "district_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year", "version"], name="assessment_scheme_version_once"
            ),
            models.UniqueConstraint(
                fields=["district", "year"],
                condition=~models.Q(state="superseded"),
                name="assessment_scheme_current_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（v{self.version}）"

    @property
    def is_frozen(self) -> bool:
        return self.state != self.State.DRAFT

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def group_list(self) -> list[str]:
        return [g for g in self.groups.split(",") if g]


class SchemeItem(models.Model):
    """An outcome the scheme scores, its weight (the weights sum to 100) and its rule."""

    class Rule(models.TextChoices):
        LINEAR = "linear", _("线性（下限至目标）")
        THRESHOLDS = "thresholds", _("分档")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    outcome_key = models.CharField(_("指标"), max_length=80)
    label = models.CharField(_("名称"), max_length=LABEL_MAX)
    weight = models.PositiveSmallIntegerField(_("权重"))
    rule = models.CharField(_("计分规则"), max_length=16, choices=Rule.choices)
    # LINEAR: 0 at or below `floor`, full at or above `target`, linear between (the
    # other way round when lower is better). THRESHOLDS: [[value, share 0..1], ...], the
    # highest reached share counts.
    floor = models.FloatField(_("下限"), null=True, blank=True)
    target = models.FloatField(_("目标值"), null=True, blank=True)
    thresholds = models.JSONField(_("分档"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["scheme_id", "order", "id"]

    def __str__(self) -> str:
        return self.label


class Assessment(models.Model):
    """One org's assessment under a scheme: its figures, scores and grade."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="assessments")
    org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.CharField(_("考核对象类别"), max_length=16, choices=AssessedGroup.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    # [{"item": id, "key", "label", "weight", "value", "numerator", "denominator",
    #   "points", "url"}] as computed at `scored_at`.
    figures = models.JSONField(default=list, blank=True)
    item_score = models.DecimalField(
        _("指标得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    review_score = models.DecimalField(
        _("评议得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    score = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("评议等次"), max_length=16, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    scored_at = models.DateTimeField(_("计分时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["scheme_id", "group", "rank", "org_id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "org"], name="assessment_org_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.org_id}"


class TaskItem(models.Model):
    """An item of the secretary's task list: from the scheme or set by the upper level."""

    class Source(models.TextChoices):
        SCHEME = "scheme", _("考核方案")
        UPPER = "upper", _("上级交办")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="tasks")
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    scheme_item = models.ForeignKey(
        SchemeItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(_("任务"), max_length=TEXT_MAX)
    measure = models.CharField(_("举措"), max_length=MEASURE_MAX, blank=True)
    deadline = models.DateField(_("完成时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=TEXT_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任务清单事项")
        verbose_name_plural = _("任务清单")
        ordering = ["assessment_id", "deadline", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class Report(models.Model):
    """The secretary's annual report (述职): drafted from the year's data, edited,
    submitted, reviewed, published with the result."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        REVIEWED = "reviewed", _("已评议")
        PUBLISHED = "published", _("已公布")

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="report")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    text = models.TextField(_("述职报告"), max_length=REPORT_MAX, blank=True)
    drafted_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("评议完成时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("述职报告")
        verbose_name_plural = _("述职报告")

    def __str__(self) -> str:
        return f"{self.assessment_id}"


class Reviewer(models.Model):
    """Someone entitled to review a report, named explicitly, and their grade once given."""

    class Capacity(models.TextChoices):
        UPPER_COMMITTEE = "upper_committee", _("上级党组织班子成员")
        REPRESENTATIVE = "representative", _("党员群众代表")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reviewers")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评议人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    capacity = models.CharField(_("身份"), max_length=20, choices=Capacity.choices)
    grade = models.CharField(_("评议等次"), max_length=16, choices=Grade.choices, blank=True)
    comment = models.TextField(_("评议意见"), max_length=COMMENT_MAX, blank=True)
    given_at = models.DateTimeField(_("评议时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评议人")
        verbose_name_plural = _("评议人")
        ordering = ["report_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "account"], name="assessment_reviewer_once")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.account_id}"


class Problem(models.Model):
    """An entry of the problem list: what was found, where it came from, for which org
    and year. Other apps raise problems through `services.problem_raise`."""

    class Source(models.TextChoices):
        REVIEW = "review", _("述职评议")
        INSPECTION = "inspection", _("督促检查")
        WEAK_ORG = "weak_org", _("软弱涣散整顿")
        OTHER = "other", _("其他")

    org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    # The record it came from in its app ("supervision.inspection:12"), for a link back.
    source_ref = models.CharField(_("来源记录"), max_length=80, blank=True)
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    text = models.CharField(_("问题"), max_length=TEXT_MAX)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题清单")
        ordering = ["-year", "org_id", "id"]
        indexes = [models.Index(fields=["year", "source"], name="assessment_problem_year")]

    def __str__(self) -> str:
        return self.text


class Rectification(models.Model):
    """The rectification item of a problem, tracked to closure (销号): the owner submits
    it for closure with evidence, the upper level confirms (closed) or returns it.
    Overdue is derived (deadline passed, not closed); the daily check marks it once and
    escalates the item to the level above."""

    class State(models.TextChoices):
        OPEN = "open", _("整改中")
        SUBMITTED = "submitted", _("申请销号")
        CLOSED = "closed", _("已销号")
        RETURNED = "returned", _("退回整改")

    problem = models.OneToOneField(Problem, on_delete=models.CASCADE, related_name="rectification")
    org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.CharField(_("责任人"), max_length=OWNER_MAX)
    owner_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    measures = models.CharField(_("整改措施"), max_length=MEASURE_MAX)
    deadline = models.DateField(_("整改时限"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    closure_note = models.CharField(_("整改情况"), max_length=TEXT_MAX, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=TEXT_MAX, blank=True)
    submitted_at = models.DateTimeField(_("申请销号时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set once by the overdue check: the area above the org's, whose workbench shows it.
    overdue_marked_at = models.DateTimeField(_("逾期标记时间"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "core.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改清单")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["state", "deadline"], name="assessment_rect_due")]

    def __str__(self) -> str:
        return self.measures

    def is_overdue(self, today) -> bool:
        return self.state != self.State.CLOSED and self.deadline < today

    @property
    def closed_on_time(self) -> bool:
        return self.closed_at is not None and self.closed_at.date() <= self.deadline


class Evidence(models.Model):
    """A photo or PDF showing a rectification done (core.uploads checks and re-encodes)."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(upload_to="assessment/evidence/%Y/%m/")
    content_type = models.CharField(max_length=40)
    caption = models.CharField(_("说明"), max_length=CAPTION_MAX, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改佐证")
        verbose_name_plural = _("整改佐证")
        ordering = ["rectification_id", "id"]

    def __str__(self) -> str:
        return self.caption or self.file.name
