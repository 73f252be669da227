"""Party organizations (条), units in the territory, grids' staff and big committees."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyOrg(models.Model):
    """A party organization: an affiliation parent (条) and a territory location (块)."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        WORKING_COMMITTEE = "working_committee", _("党工委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        JOINT_BRANCH = "joint_branch", _("联合党支部")
        GROUP = "group", _("党小组")

    class Domain(models.TextChoices):
        COMMUNITY = "community", _("社区")
        AGENCY = "agency", _("机关")
        STATE_ENTERPRISE = "state_enterprise", _("国有企业")
        PUBLIC_INSTITUTION = "public_institution", _("事业单位")
        PRIVATE_ENTERPRISE = "private_enterprise", _("非公企业")
        SOCIAL_ORGANIZATION = "social_organization", _("社会组织")
        OFFICE_BUILDING = "office_building", _("商务楼宇")
        PARK = "park", _("园区")
        MARKET = "market", _("商圈市场")
        INTERNET = "internet", _("互联网企业")

    class Form(models.TextChoices):
        SINGLE = "single", _("单独组建")
        JOINT = "joint", _("联合组建")
        CO_BUILT = "co_built", _("联建型")
        INDUSTRY = "industry", _("产业型")
        MOBILE = "mobile", _("流动型")
        ONLINE = "online", _("网络型")

    name = models.CharField(_("组织名称"), max_length=120)
    kind = models.CharField(_("组织类别"), max_length=24, choices=Kind.choices)
    domain = models.CharField(_("所属领域"), max_length=24, choices=Domain.choices)
    form = models.CharField(_("组建形式"), max_length=16, choices=Form.choices, default=Form.SINGLE)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Affiliation path: ids from the root joined and ended by "/", e.g. "12/40/".
    path = models.CharField(_("隶属路径"), max_length=255, db_index=True, editable=False)
    area = models.ForeignKey(
        "core.Area", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="orgs"
    )
    secretary_name = models.CharField(_("书记"), max_length=50, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    closed_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["area", "closed_on"], name="orgs_org_area_open"),
            models.Index(
                fields=["path"], name="orgs_org_path_like", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def can_close(self) -> bool:
        return self.closed_on is None

    def can_cover_units(self) -> bool:
        """Only an open joint-form or joint-branch org covers units other than its own."""
        return self.is_open and (
            self.kind == self.Kind.JOINT_BRANCH or self.form != self.Form.SINGLE
        )


class Unit(models.Model):
    """A resident unit (驻区单位): agency, company or organization in the territory."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("机关")
        PUBLIC_INSTITUTION = "public_institution", _("事业单位")
        STATE_ENTERPRISE = "state_enterprise", _("国有企业")
        PRIVATE_ENTERPRISE = "private_enterprise", _("非公企业")
        SOCIAL_ORGANIZATION = "social_organization", _("社会组织")
        OTHER = "other", _("其他")

    class Coverage(models.TextChoices):
        OWN = "own", _("单独建立党组织")
        JOINT = "joint", _("联合党组织覆盖")
        UNCOVERED = "uncovered", _("未覆盖")

    name = models.CharField(_("单位名称"), max_length=150)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    kind = models.CharField(_("单位类别"), max_length=24, choices=Kind.choices)
    area = models.ForeignKey(
        "core.Area", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="units"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    employees = models.PositiveIntegerField(_("从业人员数"), default=0)
    formal_members = models.PositiveIntegerField(_("正式党员数"), default=0)
    own_org = models.OneToOneField(
        PartyOrg,
        verbose_name=_("本单位党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_unit",
    )
    covering_org = models.ForeignKey(
        PartyOrg,
        verbose_name=_("覆盖的联合党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="covered_units",
    )
    registered_at = models.DateTimeField(_("登记时间"), db_index=True)
    closed_on = models.DateField(_("注销日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("驻区单位")
        verbose_name_plural = _("驻区单位")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["area", "closed_on"], name="orgs_unit_area_open"),
            # The register lists open units by name, 50 at a time: read in order from
            # here instead of sorting a district's or the city's 64,000 for each page.
            models.Index(
                fields=["name", "id"],
                condition=models.Q(closed_on__isnull=True),
                name="orgs_unit_open_by_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def coverage(self) -> str:
        if self.own_org_id:
            return self.Coverage.OWN
        if self.covering_org_id:
            return self.Coverage.JOINT
        return self.Coverage.UNCOVERED

    def get_coverage_display(self) -> str:
        return self.Coverage(self.coverage).label

    @property
    def must_form_own_org(self) -> bool:
        return not self.own_org_id and self.formal_members >= settings.OWN_ORG_MIN_MEMBERS


class GridPost(models.Model):
    """A person's duty in a grid: one grid leader, one or more grid workers, and lane
    chiefs (街巷长), each answering for one street or lane segment (`lane`) of the grid."""

    class Duty(models.TextChoices):
        LEADER = "leader", _("网格长")
        WORKER = "worker", _("网格员")
        LANE_CHIEF = "lane_chief", _("街巷长")

    grid = models.ForeignKey(
        "core.Area", verbose_name=_("网格"), on_delete=models.PROTECT, related_name="grid_posts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="grid_posts",
    )
    duty = models.CharField(_("职责"), max_length=16, choices=Duty.choices)
    # The street or lane segment a lane chief answers for, e.g. "武康路（湖南路—兴国路）";
    # empty for the other duties.
    lane = models.CharField(_("街巷路段"), max_length=100, blank=True)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("网格人员")
        verbose_name_plural = _("网格人员")
        constraints = [
            models.UniqueConstraint(
                fields=["grid"],
                condition=models.Q(duty="leader", ended_on__isnull=True),
                name="orgs_one_grid_leader",
            ),
            models.UniqueConstraint(
                fields=["grid", "lane"],
                condition=models.Q(duty="lane_chief", ended_on__isnull=True),
                name="orgs_one_lane_chief",
            ),
            models.CheckConstraint(
                condition=(models.Q(duty="lane_chief") & ~models.Q(lane=""))
                | (~models.Q(duty="lane_chief") & models.Q(lane="")),
                name="orgs_lane_only_for_lane_chief",
            ),
        ]

    def __str__(self) -> str:
        lane = f" · {self.lane}" if self.lane else ""
        return f"{self.grid} · {self.get_duty_display()}{lane} · {self.user}"


class BigCommittee(models.Model):
    """The big party committee (大党委) of a street or community."""

    area = models.OneToOneField(
        "core.Area",
        verbose_name=_("街道或社区"),
        on_delete=models.PROTECT,
        related_name="big_committee",
    )
    org = models.ForeignKey(
        PartyOrg, verbose_name=_("依托党组织"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=120)
    created_at = models.DateTimeField(_("成立时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("大党委")
        verbose_name_plural = _("大党委")

    def __str__(self) -> str:
        return self.name


class PartTimeMember(models.Model):
    """A part-time member (兼职委员) drawn from a unit, the police, owners' committee…"""

    class Source(models.TextChoices):
        UNIT = "unit", _("驻区单位")
        POLICE = "police", _("派出所")
        OWNERS_COMMITTEE = "owners_committee", _("业委会")
        PROPERTY_COMPANY = "property_company", _("物业公司")
        OTHER = "other", _("其他")

    committee = models.ForeignKey(
        BigCommittee,
        verbose_name=_("大党委"),
        on_delete=models.PROTECT,
        related_name="part_time_members",
    )
    name = models.CharField(_("姓名"), max_length=50)
    source = models.CharField(_("来源"), max_length=24, choices=Source.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.CharField(_("单位职务"), max_length=60, blank=True)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("兼职委员")
        verbose_name_plural = _("兼职委员")
        ordering = ["committee", "started_on", "id"]

    def __str__(self) -> str:
        return self.name


class CoverageCounts(models.Model):
    """The coverage counters: of one area (CoverageStat) or of its whole subtree
    (CoverageTreeStat)."""

    area = models.OneToOneField(
        "core.Area", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    orgs = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    own = models.IntegerField(default=0)
    joint = models.IntegerField(default=0)
    uncovered = models.IntegerField(default=0)
    must_form = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.area_id}: {self.units}"


class CoverageStat(CoverageCounts):
    """The open party orgs and the open units of one area, with the units' coverage (两个
    覆盖), kept by the org and unit services in the same transaction as each change
    (orgs.rollup), so that a district's or the city's coverage reads a row per area
    instead of every unit. "New and uncovered" depends on the clock and is counted from
    the units (an index on the registration time keeps that small). Keyed by its own id
    (it came first), the area a unique column."""

    area = models.OneToOneField("core.Area", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("覆盖统计")
        verbose_name_plural = _("覆盖统计")


class CoverageTreeStat(CoverageCounts):
    """CoverageStat summed over each area's whole subtree (core.tree_rollups), kept in the
    same transaction as CoverageStat, so that a figure by child reads one row per child
    instead of grouping every row under the area. The root has no row."""

    class Meta:
        verbose_name = _("覆盖统计（含下级）")
        verbose_name_plural = _("覆盖统计（含下级）")


class CoverageStatState(models.Model):
    """One row once `orgs.rollup.rebuild` has run: from then on the rows are complete
    and the pages read them. Without it the figures are counted from the units."""

    built_at = models.DateTimeField()

    class Meta:
        verbose_name = _("覆盖统计状态")
        verbose_name_plural = _("覆盖统计状态")

    def __str__(self) -> str:
        return f"{self.built_at}"
