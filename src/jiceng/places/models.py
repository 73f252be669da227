"""Aliases of the standard address registry: the other spellings callers use.

The registry itself is core.StandardAddress (text → building, with the compound and the
door's position). An alias maps a text, as the matcher normalizes it, either to one
standard address or straight to an area (a compound's name → its grid, a landmark → a
community). People add aliases on the registry page; placing a case from the placement
queue adds one (source "learned"), so the next caller with the same words lands there.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AddressAlias(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("人工添加")
        IMPORT = "import", _("导入")
        LEARNED = "learned", _("定位时学习")

    # As places.normalize makes it: unique, so one spelling means one place.
    text = models.CharField(_("别名"), max_length=200, unique=True)
    # What the caller typed first, for people reading the list.
    original = models.CharField(_("原文"), max_length=200)
    address = models.ForeignKey(
        "core.StandardAddress",
        verbose_name=_("标准地址"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="aliases",
    )
    area = models.ForeignKey(
        "core.Area",
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("地址别名")
        verbose_name_plural = _("地址别名")
        ordering = ["text"]
        constraints = [
            models.CheckConstraint(
                condition=Q(address__isnull=False, area__isnull=True)
                | Q(address__isnull=True, area__isnull=False),
                name="places_alias_one_target",
            )
        ]

    def __str__(self) -> str:
        return self.original
