"""Password rules beyond Django's: at least three of four character classes (MLPS 2.0)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (r"[a-z]", r"[A-Z]", r"\d", r"[^a-zA-Z\d]")


class CharacterClassValidator:
    def validate(self, password: str, user=None) -> None:
        present = sum(1 for pattern in CLASSES if re.search(pattern, password))
        if present < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类"),
                code="password_character_classes",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")
