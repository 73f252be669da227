"""The accounts app's refusals: one stable code per refusal (AccountErrorCode), raised
by accounts.services with the message and the field at fault, so the API answers
{"code", "message", "field"}. A refusal for want of a role keeps core's "forbidden"."""

from enum import StrEnum


class AccountErrorCode(StrEnum):
    OLD_PASSWORD = "account_old_password"
    PASSWORD_WEAK = "account_password_weak"
    BAD_ROLE = "account_bad_role"
    ROLE_ANCHOR_AREA = "account_role_anchor_area"
    ROLE_ANCHOR_ORG = "account_role_anchor_org"
    ROLE_HELD = "account_role_held"
    SAME_PASSWORD = "account_same_password"
    SELF_GRANT = "account_self_grant"
    BAD_USERNAME = "account_bad_username"
    USERNAME_TAKEN = "account_username_taken"
