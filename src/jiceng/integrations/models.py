"""Other systems: tokens they call with, subscriptions to the appeal events they receive
(with the outbox of deliveries), and the work orders exchanged with the 12345 hotline.

No secret is stored in the clear: a token only as a keyed hash (core.crypto's blind
index key), a subscription's signing secret encrypted (it must be read back to sign).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SystemToken(models.Model):
    """A system's credential: one territory, a set of permissions, optionally the handling
    unit whose cases it may update. It acts through its own account (never able to sign
    in), so the cases' events and the audit name it like anyone else."""

    name = models.CharField(_("系统名称"), max_length=80)
    area = models.ForeignKey(
        "core.Area", verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+"
    )
    can_read = models.BooleanField(_("读取"), default=True)
    can_file = models.BooleanField(_("报送诉求"), default=False)
    can_update = models.BooleanField(_("办理诉求"), default=False)
    unit = models.ForeignKey(
        "appeals.HandlingUnit",
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="system_token"
    )
    prefix = models.CharField(_("前缀"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_per_minute = models.PositiveIntegerField(_("每分钟限次"), default=120)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("系统令牌")
        verbose_name_plural = _("系统令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def permissions(self) -> frozenset[str]:
        chosen = {"read": self.can_read, "file": self.can_file, "update": self.can_update}
        return frozenset(name for name, on in chosen.items() if on)


class Subscription(models.Model):
    """A system that receives the appeal events of a territory at a URL, signed with
    its secret."""

    class Event(models.TextChoices):
        RECEIVED = "case.received", _("受理")
        DISPATCHED = "case.dispatched", _("派单")
        REPLIED = "case.replied", _("答复")
        CLOSED = "case.closed", _("办结")
        RATED = "case.rated", _("评价")

    name = models.CharField(_("名称"), max_length=80)
    url = models.URLField(_("接收地址"), max_length=500)
    secret_encrypted = models.TextField(editable=False)
    events = models.JSONField(_("事件"), default=list)
    area = models.ForeignKey(
        "core.Area", verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+"
    )
    # A handling system of this unit may receive its cases' personal data (contact name
    # and phone) when `include_personal` is set; nobody else ever does.
    unit = models.ForeignKey(
        "appeals.HandlingUnit",
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    include_personal = models.BooleanField(_("含联系人信息"), default=False)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("事件订阅")
        verbose_name_plural = _("事件订阅")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One event for one subscription: the outbox row. Its body is fixed when enqueued,
    so every retry sends the same bytes and the same delivery id."""

    class State(models.TextChoices):
        PENDING = "pending", _("待推送")
        DELIVERED = "delivered", _("已送达")
        DEAD = "dead", _("推送失败")

    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("事件"), max_length=32)
    # The appeal event it reports ("case id:action:time"): one delivery per subscription
    # and event, so hearing an event twice adds nothing.
    source = models.CharField(max_length=80)
    body = models.TextField()
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("事件推送")
        verbose_name_plural = _("事件推送")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="integ_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "source"], name="integ_one_delivery_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id}"


class HotlineWorkOrder(models.Model):
    """A 12345 work order as the city platform sent it, and the case it became (placed,
    or waiting in its district's placement queue). Unique by the platform's number:
    importing it again changes nothing."""

    number = models.CharField(_("工单编号"), max_length=64, unique=True)
    appeal = models.OneToOneField(
        "appeals.Appeal",
        verbose_name=_("诉求"),
        on_delete=models.PROTECT,
        related_name="hotline_order",
    )
    district = models.ForeignKey(
        "core.Area", verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    called_at = models.DateTimeField(_("来电时间"))
    category_text = models.CharField(_("诉求类别"), max_length=50)
    address = models.CharField(_("地址"), max_length=200)
    content = models.TextField(_("诉求内容"), max_length=2000)
    phone_encrypted = models.TextField(blank=True, editable=False)
    # SHA-256 of the row as first imported: a re-import with other values is reported.
    digest = models.CharField(max_length=64)
    imported_at = models.DateTimeField(_("导入时间"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("12345 工单")
        verbose_name_plural = _("12345 工单")
        ordering = ["-called_at", "-id"]

    def __str__(self) -> str:
        return self.number
