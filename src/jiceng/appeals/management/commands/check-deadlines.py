"""`jiceng check-deadlines`, the documented name; `check_deadlines` is the same command."""

from .check_deadlines import Command  # noqa: F401
