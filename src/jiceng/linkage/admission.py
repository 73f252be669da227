"""Duty admission (职责下沉准入) as the linkage app sees it: a registry the duties app
fills in its `ready()` (STYLE 13: apps gather from each other through registries), so
linkage never imports the duties app and the check lives where duties are decided.

- `require(department=, places=, reference=)`: the admitted duty a department's dispatch
  to `places` (the recipients' areas) rests on, by its number; returns its label or
  raises the duties app's refusal (field "duty", a DutyErrorCode).
- `choices(departments)`: (number, label) of the admitted duties those departments may
  cite, for the drafting form.
- `record_outside_list(...)`: a street's mark of a received dispatch as outside its
  duty list, entered once on the received page and kept in the district's register of
  such tasks (清单外事项) beside the one on the recipient row.

With nothing registered a department cannot send at all: no check means no admission.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DutyAdmission:
    require: Callable[..., str]
    choices: Callable[[Sequence[Any]], list[tuple[str, str]]]
    record_outside_list: Callable[..., None]


_REGISTERED: list[DutyAdmission] = []


def register(admission: DutyAdmission) -> None:
    """Called once from the duties app's `ready()`; a second call replaces the first."""
    _REGISTERED[:] = [admission]


def registered() -> DutyAdmission | None:
    return _REGISTERED[0] if _REGISTERED else None
