"""The workbench's tests use the hand-built territory (with the appeals app's handling
units: `world`) and the street demo."""

from tests.appeals.conftest import world  # noqa: F401
from tests.demo.conftest import _street_demo_module, street_demo  # noqa: F401
