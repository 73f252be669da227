"""The kernel's tables: the territory tree (Area), the hash-chained audit log and the
background jobs people start."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PATH_SEPARATOR = "/"


class Area(models.Model):
    """A node of the territory tree (块): city → district → street → community → grid → building.

    `code` follows the 12-digit national statistical division code down to community;
    a grid extends its community's code with 3 digits, a building its grid's with 3
    more. `path` is the codes from the root joined and ended by "/", so the subtree of a
    node is one indexed prefix query on SQLite and PostgreSQL alike.
    """

    class Level(models.TextChoices):
        CITY = "city", _("市")
        DISTRICT = "district", _("区")
        STREET = "street", _("街道（镇）")
        COMMUNITY = "community", _("社区（村）")
        GRID = "grid", _("网格")
        BUILDING = "building", _("楼栋")

    code = models.CharField(_("区划代码"), max_length=24, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=200, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["level", "path"], name="core_area_level_path"),
            models.Index(
                fields=["path"], name="core_area_path_like", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    LEVEL_ORDER = ("city", "district", "street", "community", "grid", "building")

    @classmethod
    def child_level(cls, level: str) -> str | None:
        order = cls.LEVEL_ORDER
        index = order.index(level)
        return order[index + 1] if index + 1 < len(order) else None

    def subtree_q(self, prefix: str = "") -> Q:
        """Q matching this node and everything below it; `prefix` names the relation."""
        return Q(**{f"{prefix}path__startswith": self.path})

    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.split(PATH_SEPARATOR) if code]

    def is_within(self, other: "Area") -> bool:
        return self.path.startswith(other.path)


def area_path(parent: Area | None, code: str) -> str:
    return (parent.path if parent else "") + code + PATH_SEPARATOR


class AreaTreeStat(models.Model):
    """The areas of each area's subtree, the area itself included, counted by level
    (core.area_counts, a tree of core.tree_rollups), kept by the area services in their
    transaction, so that a district's or the city's "so many streets, communities, grids
    and buildings" reads a row instead of counting 124,000 areas. The root has no row."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="+", primary_key=True)
    district = models.IntegerField(default=0)
    street = models.IntegerField(default=0)
    community = models.IntegerField(default=0)
    grid = models.IntegerField(default=0)
    building = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("区域层级统计（含下级）")
        verbose_name_plural = _("区域层级统计（含下级）")

    def __str__(self) -> str:
        return f"{self.area_id}"


class AuditEntry(models.Model):
    """One append-only line of the audit log, chained to the previous by a keyed hash.

    `hash` is HMAC-SM3, under a key kept outside the database, of the previous entry's
    hash and this entry's content, so editing or deleting any line breaks every hash
    after it and nobody without the key can mend them; `jiceng audit verify` names the
    first line that no longer matches, and signed checkpoints outside the database catch
    a chain cut at its end (core.audit, core.audit_evidence).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        CLOSE = "close", _("撤销")
        MOVE = "move", _("移动")
        BULK_CREATE = "bulk_create", _("批量新增")
        EXPORT = "export", _("导出")
        REVEAL = "reveal", _("查看敏感信息")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        GRANT = "grant", _("授权")
        REVOKE = "revoke", _("撤权")
        OTP = "otp", _("双因素认证")
        # A search by a full ID number or phone: it confirms a person is in scope.
        LOOKUP = "lookup", _("按证件号或手机号查询")
        PASSWORD_CHANGE = "password_change", _("修改密码")
        PASSWORD_RESET = "password_reset", _("重置密码")
        # The audit chain's own upkeep: a new chaining key, a signed checkpoint, an archive.
        KEY_CHANGE = "key_change", _("更换审计密钥")
        CHECKPOINT = "checkpoint", _("审计检查点")
        ARCHIVE = "archive", _("审计归档")
        # A background job's result fetched by the person who started it (core.jobs).
        DOWNLOAD = "download", _("下载")

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_label = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="core_audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.target_label}"


class AuditHead(models.Model):
    """A single row locked while appending, so concurrent writers never fork the chain.

    `count` is every entry ever appended, archived ones included. `key_id` names the key
    the last entry was chained with (a different configured key appends a key_change
    entry first); `checkpoint_*` say when the last signed checkpoint was claimed."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
    key_id = models.CharField(max_length=32, blank=True, default="")
    checkpoint_count = models.BigIntegerField(default=0)
    checkpoint_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self) -> str:
        return f"{self.count} · {self.last_hash[:12]}"


class StandardAddress(models.Model):
    """A standard address (标准地址): a road and house number, or a compound's building,
    mapped to the building it names, and through it to a grid and a community, so a
    case described by its address lands in the right grid."""

    building = models.ForeignKey(
        Area,
        verbose_name=_("楼栋"),
        on_delete=models.PROTECT,
        related_name="addresses",
        limit_choices_to={"level": Area.Level.BUILDING},
    )
    text = models.CharField(_("标准地址"), max_length=200, unique=True)
    # The residential compound (小区) the address is in, when it has one: callers often
    # name the compound and not the road ("徐汇苑3号楼").
    compound = models.CharField(_("小区"), max_length=100, blank=True)
    # Where the door is, in WGS-84 (GPS; places.geo converts for the GCJ-02 polygons), for
    # placing a case filed by coordinates at the nearest registered address.
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("标准地址")
        verbose_name_plural = _("标准地址")
        ordering = ["text"]

    def __str__(self) -> str:
        return self.text


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key, the digest of the request it came with, and what that
    request made (`target_type`, `target_id`). While `target_id` is blank the first
    request is still being handled (core.idempotency)."""

    client = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    digest = models.CharField(max_length=64)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="core_idempotency_client_key")
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.key[:40]}"


class Job(models.Model):
    """A long piece of work a person started (an import, a large export, a ledger): who
    asked, what, how far it has got, and how it ended. Run by django-tasks (core.jobs);
    `task_id` is its TaskResult. The result file lives under MEDIA_ROOT/jobs, named by
    this id, and is handed to `owner` alone."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # A kind an app registered (core.jobs.register_job_kind), e.g. "members.import".
    kind = models.CharField(_("任务"), max_length=40)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    # Rows (or steps) done of `total`; total stays empty while the job cannot know it yet.
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), null=True, blank=True)
    # What the kind reports when it ends (rows written, the import's counts): no personal data.
    outcome = models.JSONField(_("结果摘要"), default=dict, blank=True)
    result_name = models.CharField(_("结果文件名"), max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    error_code = models.CharField(max_length=60, blank=True)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("提交时间"), db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written when the work starts and with each progress write: a running job whose
    # worker died stops beating (core.jobs.interrupted).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [models.Index(fields=["owner", "-created_at"], name="core_job_owner_created")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)
