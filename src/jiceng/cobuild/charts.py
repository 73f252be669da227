"""The co-building app's chart on the dashboard: projects by stage (项目清单), for each
child of a node down to the street, and for the community as a whole below that."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.cobuild.models import Project
from jiceng.cobuild.selectors import project_stage_counts
from jiceng.core.models import Area
from jiceng.core.selectors import area_children
from jiceng.dashboard.charts import Chart, chart, charts_url, register_chart, series
from jiceng.dashboard.registry import child_code_length

# Projects belong to the community of their need, so a community's children (grids)
# hold none: from the community down the chart shows the node itself by stage.
BY_CHILD_LEVELS = (Area.Level.CITY, Area.Level.DISTRICT, Area.Level.STREET)


def stages_chart(viewer, area):
    stages = Project.State.choices
    if area.level in BY_CHILD_LEVELS:
        children = list(area_children(viewer=viewer, area=area))
        counts = (
            project_stage_counts(
                viewer=viewer, area=area, child_code_length=child_code_length(area)
            )
            if children
            else {}
        )
        return chart(
            [child.name for child in children],
            [
                series(label, [counts.get(c.code, {}).get(state, 0) for c in children], stack="p")
                for state, label in stages
            ],
            links=[charts_url(child) for child in children],
            axis=_("区域"),
            note=_("按项目所在社区统计。点击区域查看其图表。"),
        )
    counts = project_stage_counts(viewer=viewer, area=area)[""]
    link = reverse("cobuild:overview") + f"?area={area.pk}"
    return chart(
        [label for _state, label in stages],
        [series(_("项目数"), [counts.get(state, 0) for state, _label in stages])],
        links=[link] * len(stages),
        axis=_("阶段"),
        note=_("点击查看项目清单。"),
    )


def register() -> None:
    register_chart(
        Chart("cobuild_projects", gettext_lazy("共建项目阶段"), "cobuild", stages_chart, order=40)
    )
