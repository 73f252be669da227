"""Pages of the territory: browsing (org tree, units, coverage) and the form pages that
write orgs, units, grid posts, big committees and imports, split by aggregate and
re-exported here for the URLconf."""

from jiceng.orgs.views.browse import (
    coverage,
    coverage_export,
    org_children_partial,
    org_detail,
    org_tree,
    unit_detail,
    unit_list_view,
)
from jiceng.orgs.views.grid_forms import (
    committee_detail,
    committee_list,
    grid_detail,
    grid_list_view,
    grid_post_end,
    part_time_member_end,
)
from jiceng.orgs.views.imports import (
    grid_import,
    grid_import_template,
    unit_export,
    unit_import,
    unit_import_template,
)
from jiceng.orgs.views.org_forms import org_close, org_edit, org_move, org_new
from jiceng.orgs.views.unit_forms import unit_coverage, unit_edit, unit_move, unit_new

__all__ = [
    "committee_detail",
    "committee_list",
    "coverage",
    "coverage_export",
    "grid_detail",
    "grid_import",
    "grid_import_template",
    "grid_list_view",
    "grid_post_end",
    "org_children_partial",
    "org_close",
    "org_detail",
    "org_edit",
    "org_move",
    "org_new",
    "org_tree",
    "part_time_member_end",
    "unit_coverage",
    "unit_detail",
    "unit_edit",
    "unit_export",
    "unit_import",
    "unit_import_template",
    "unit_list_view",
    "unit_move",
    "unit_new",
]
