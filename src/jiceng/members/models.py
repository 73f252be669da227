"""Party members, their org history, transfers, mobile members and dual reporting.

ID numbers and phones are stored encrypted (core.crypto) beside a keyed blind index,
so a number can be looked up and de-duplicated without ever being stored in clear.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Member(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    class Status(models.TextChoices):
        PROBATIONARY = "probationary", _("预备党员")
        FULL = "full", _("正式党员")

    class Category(models.TextChoices):
        IN_SERVICE = "in_service", _("在职")
        RETIRED = "retired", _("离退休")
        UNEMPLOYED = "unemployed", _("无业")
        STUDENT = "student", _("学生")
        MOBILE = "mobile", _("流动")
        LOST_CONTACT = "lost_contact", _("失联")

    class Education(models.TextChoices):
        POSTGRADUATE = "postgraduate", _("研究生")
        BACHELOR = "bachelor", _("大学本科")
        COLLEGE = "college", _("大学专科")
        SECONDARY_VOCATIONAL = "secondary_vocational", _("中专")
        HIGH_SCHOOL = "high_school", _("高中")
        JUNIOR_OR_BELOW = "junior_or_below", _("初中及以下")

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=10)
    birth_date = models.DateField(_("出生日期"))
    id_number_encrypted = models.TextField(_("身份证号（密文）"), editable=False)
    id_number_index = models.CharField(
        _("身份证号索引"), max_length=64, unique=True, editable=False
    )
    phone_encrypted = models.TextField(_("手机号码（密文）"), blank=True, editable=False)
    phone_index = models.CharField(
        _("手机号码索引"), max_length=64, blank=True, db_index=True, editable=False
    )
    education = models.CharField(_("学历"), max_length=24, choices=Education.choices)
    joined_on = models.DateField(_("入党日期"))
    full_on = models.DateField(_("转正日期"), null=True, blank=True)
    status = models.CharField(_("党员状态"), max_length=16, choices=Status.choices)
    category = models.CharField(_("党员类别"), max_length=16, choices=Category.choices)
    org = models.ForeignKey(
        "orgs.PartyOrg",
        verbose_name=_("所在党组织"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    residence_community = models.ForeignKey(
        "core.Area",
        verbose_name=_("居住社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resident_members",
    )
    work_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("工作单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    work_unit_name = models.CharField(_("工作单位名称"), max_length=150, blank=True)
    post = models.CharField(_("职务"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # The member's own sign-in, opened by the org that keeps the record; through it the
    # member sees their own file (core.scope's owner lookups).
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("本人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_record",
    )

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["org_id", "name", "id"]
        indexes = [
            models.Index(fields=["org", "status"], name="members_member_org_status"),
            models.Index(fields=["residence_community"], name="members_member_residence"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One stretch of a member's belonging to one org; the open row is the current one."""

    class Reason(models.TextChoices):
        REGISTERED = "registered", _("登记")
        TRANSFER = "transfer", _("组织关系转接")
        CORRECTION = "correction", _("更正")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=16, choices=Reason.choices)

    class Meta:
        verbose_name = _("组织关系记录")
        verbose_name_plural = _("组织关系记录")
        ordering = ["member_id", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(ended_on__isnull=True),
                name="members_one_open_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.org}"


class MemberEvent(models.Model):
    """The timeline of a member's record: every workflow step, in order."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("登记")
        UPDATED = "updated", _("信息变更")
        TRANSFER_STARTED = "transfer_started", _("发起转接")
        TRANSFER_ACCEPTED = "transfer_accepted", _("接收转接")
        TRANSFER_RETURNED = "transfer_returned", _("退回转接")
        TRANSFER_CANCELLED = "transfer_cancelled", _("撤回转接")
        OUTFLOW_REGISTERED = "outflow_registered", _("外出登记")
        INFLOW_VERIFIED = "inflow_verified", _("流入核实")
        MOBILE_RETURNED = "mobile_returned", _("返回")
        DUAL_REPORTED = "dual_reported", _("双报到")
        SERVICE_RECORDED = "service_recorded", _("服务记录")
        ACCOUNT_OPENED = "account_opened", _("开通本人账号")
        APPRAISED = "appraised", _("民主评议")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=24, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("党员事件")
        verbose_name_plural = _("党员事件")
        ordering = ["member_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()}"


class Transfer(models.Model):
    """组织关系转接: started by the sending org, accepted or returned by the receiver."""

    class State(models.TextChoices):
        PENDING = "pending", _("待接收")
        ACCEPTED = "accepted", _("已接收")
        RETURNED = "returned", _("已退回")
        CANCELLED = "cancelled", _("已撤回")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name=_("转出党组织"), on_delete=models.PROTECT, related_name="+"
    )
    to_org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name=_("转入党组织"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PENDING)
    reason = models.CharField(_("转接原因"), max_length=200)
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("发起时间"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(state="pending"),
                name="members_one_pending_transfer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.from_org} → {self.to_org}"

    def can_decide(self) -> bool:
        return self.state == self.State.PENDING


class MobileOutflow(models.Model):
    """A member living away from home, registered by the home org with the certificate."""

    class State(models.TextChoices):
        OUT = "out", _("外出中")
        RETURNED = "returned", _("已返回")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="outflows")
    home_org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name=_("流出党组织"), on_delete=models.PROTECT, related_name="+"
    )
    certificate_number = models.CharField(_("活动证编号"), max_length=40)
    destination = models.CharField(_("外出地点"), max_length=150)
    reason = models.CharField(_("外出原因"), max_length=100, blank=True)
    left_on = models.DateField(_("外出日期"))
    expected_return_on = models.DateField(_("预计返回日期"), null=True, blank=True)
    returned_on = models.DateField(_("返回日期"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.OUT)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("流出登记")
        verbose_name_plural = _("流出登记")
        ordering = ["-left_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(state="out"), name="members_one_open_outflow"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.destination}"


class MobileInflow(models.Model):
    """Registration of an arriving mobile member at a community (凡进必登); it stays
    pending until checked against the home org's outflow record (凡登必核)."""

    class State(models.TextChoices):
        PENDING = "pending", _("待核实")
        VERIFIED = "verified", _("已核实")
        REJECTED = "rejected", _("核实不符")
        CLOSED = "closed", _("已离开")

    community = models.ForeignKey(
        "core.Area", verbose_name=_("流入社区"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number_encrypted = models.TextField(editable=False)
    id_number_index = models.CharField(max_length=64, db_index=True, editable=False)
    certificate_number = models.CharField(_("活动证编号"), max_length=40)
    home_org_name = models.CharField(_("流出党组织"), max_length=120)
    registered_on = models.DateField(_("登记日期"))
    outflow = models.ForeignKey(
        MobileOutflow, null=True, blank=True, on_delete=models.PROTECT, related_name="inflows"
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PENDING)
    verify_note = models.CharField(_("核实说明"), max_length=200, blank=True)
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("流入登记")
        verbose_name_plural = _("流入登记")
        ordering = ["-registered_on", "-id"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.community}"


class DualReport(models.Model):
    """双报到: a unit org, or an in-service member, reports to a residential community."""

    class Kind(models.TextChoices):
        UNIT_ORG = "unit_org", _("单位党组织报到")
        MEMBER = "member", _("在职党员报到")

    kind = models.CharField(_("报到类型"), max_length=12, choices=Kind.choices)
    community = models.ForeignKey(
        "core.Area", verbose_name=_("报到社区"), on_delete=models.PROTECT, related_name="+"
    )
    unit_org = models.ForeignKey(
        "orgs.PartyOrg",
        verbose_name=_("单位党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dual_reports",
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="dual_reports"
    )
    reported_on = models.DateField(_("报到日期"))
    service_post = models.CharField(_("认领岗位"), max_length=100, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("双报到")
        verbose_name_plural = _("双报到")
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="unit_org", unit_org__isnull=False, member__isnull=True)
                    | models.Q(kind="member", member__isnull=False, unit_org__isnull=True)
                ),
                name="members_dual_report_subject",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(ended_on__isnull=True, member__isnull=False),
                name="members_one_open_member_report",
            ),
            models.UniqueConstraint(
                fields=["unit_org", "community"],
                condition=models.Q(ended_on__isnull=True, unit_org__isnull=False),
                name="members_one_open_unit_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member or self.unit_org} → {self.community}"


class ServiceRecord(models.Model):
    """Service a reporting member did for the community: what, when, how many hours."""

    report = models.ForeignKey(DualReport, on_delete=models.PROTECT, related_name="services")
    task = models.CharField(_("服务内容"), max_length=150)
    served_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-served_on", "-id"]

    def __str__(self) -> str:
        return f"{self.task} {self.served_on}"


class ExportManifestLine(models.Model):
    """One member whose data an export held: the manifest of the export's audit entry
    (`entry_id`), which keeps the digest of these ids. `full`: whole ID number and phone,
    not masked. Read by "who saw my data" and by auditors."""

    entry_id = models.BigIntegerField(db_index=True)
    member_id = models.BigIntegerField()
    full = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("导出清单")
        verbose_name_plural = _("导出清单")
        indexes = [models.Index(fields=["member_id", "entry_id"], name="members_manifest_member")]

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.member_id}"


class MemberStat(models.Model):
    """How many members of one org fall in one group of one composition table (gender,
    ethnicity, age band, education, tenure band, status, category), kept by the member
    services in the same transaction as each change (members.rollup), so that a city's
    statistics read rows per org instead of two million members. Keyed by the org, not
    its area: an org that moves or changes kind takes its rows along without a write
    (the org kind table and the area come from the join)."""

    org = models.ForeignKey("orgs.PartyOrg", on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=16)
    key = models.CharField(max_length=24)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("党员构成统计")
        verbose_name_plural = _("党员构成统计")
        constraints = [
            models.UniqueConstraint(fields=["org", "dimension", "key"], name="members_stat_unique")
        ]
        indexes = [models.Index(fields=["dimension", "org"], name="members_stat_dimension")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.dimension}={self.key}: {self.count}"


class MemberTreeStat(models.Model):
    """MemberStat summed over each area's whole subtree by the area of the rows' orgs
    (core.tree_rollups), with the org kind table as one more dimension ("org_kind", from
    the status rows), kept in the same transaction as MemberStat: a node's tables read
    its own rows, a figure by child one row per child and key. The root has no rows."""

    area = models.ForeignKey("core.Area", on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=16)
    key = models.CharField(max_length=24)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("党员构成统计（含下级）")
        verbose_name_plural = _("党员构成统计（含下级）")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "dimension", "key"], name="members_tree_stat_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.dimension}={self.key}: {self.count}"


class MemberStatState(models.Model):
    """One row once `members.rollup.rebuild` has run: the rollup is complete from then on,
    and its age and tenure bands are those of `bands_on` (a day; the nightly rebuild moves
    it on). Without the row the figures are counted from the members."""

    bands_on = models.DateField()
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = _("党员构成统计状态")
        verbose_name_plural = _("党员构成统计状态")

    def __str__(self) -> str:
        return f"{self.bands_on}"
