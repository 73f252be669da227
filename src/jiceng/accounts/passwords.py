"""Password rules beyond Django's: at least three of four character classes (MLPS 2.0)."""

import re

from django.contrib.auth import password_validation
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


# Django's own rules, with messages in the platform's words: Django's Chinese catalogue
# lacks these strings, so a community worker would read them in English.


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(min_length)d 位") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return self.get_error_message()

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("密码过于常见，容易被猜中")

    def get_help_text(self) -> str:
        return _("不能使用常见密码。")


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return _("密码与%(verbose_name)s过于相似")

    def get_help_text(self) -> str:
        return _("密码不能与用户名、姓名相近。")
