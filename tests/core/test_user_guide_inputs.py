"""The user guide's table of what each field accepts (docs/user-guide/inputs.md) states
the limits the input policy enforces: each row naming a model field gives its column's
max_length, so the guide cannot drift from the code."""

import re
from pathlib import Path

from django.apps import apps

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "user-guide" / "inputs.md"
ROW = re.compile(r"^\|[^|]+\| `(\w+)\.(\w+)\.(\w+)` \| (\d+) \|", re.MULTILINE)


def test_every_limit_in_the_guide_is_the_columns():
    rows = ROW.findall(GUIDE.read_text(encoding="utf-8"))
    assert len(rows) >= 50
    wrong = [
        f"{app}.{model}.{field}: guide {limit}"
        for app, model, field, limit in rows
        if apps.get_model(app, model)._meta.get_field(field).max_length != int(limit)
    ]
    assert wrong == []
