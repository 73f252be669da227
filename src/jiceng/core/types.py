"""Type names shared by the services.

`Actor` is who performs a write: a signed-in account, or None for the system (management
commands, the demo, deferred steps), which an operator runs with shell access. Every
service takes it as `actor: Actor`; the audit entry records it.
"""

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from jiceng.accounts.models import User

Actor: TypeAlias = "User | None"
