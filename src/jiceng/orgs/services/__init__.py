"""Every write to organizations, units, grids and big committees, split by aggregate
and re-exported here so callers import `jiceng.orgs.services` as before.

Services are keyword-only, take the acting user (None for the system), check access,
run in one transaction and leave an audit entry."""

from jiceng.orgs.services.committees import *  # noqa: F403
from jiceng.orgs.services.committees import _require_visible  # noqa: F401
from jiceng.orgs.services.grids import *  # noqa: F403
from jiceng.orgs.services.party_orgs import *  # noqa: F403
from jiceng.orgs.services.party_orgs import _check_org  # noqa: F401
from jiceng.orgs.services.units import *  # noqa: F403
from jiceng.orgs.services.units import _check_coverage, _check_unit  # noqa: F401
