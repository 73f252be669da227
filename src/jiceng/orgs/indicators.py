"""The orgs app's figures on the dashboard: party orgs, units and their coverage."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.dashboard.registry import Indicator, register_indicator
from jiceng.orgs.selectors import org_count, org_count_by_child, unit_count, unit_count_by_child


def _orgs_total(viewer, area):
    return org_count(viewer=viewer, area=area)


def _orgs_by_child(viewer, area, length):
    return org_count_by_child(viewer=viewer, area=area, length=length)


def _units(coverage: str | None):
    def total(viewer, area):
        return unit_count(viewer=viewer, area=area, coverage=coverage)

    def by_child(viewer, area, length):
        return unit_count_by_child(viewer=viewer, area=area, length=length, coverage=coverage)

    def url(area):
        query = f"?area={area.pk}" + (f"&coverage={coverage}" if coverage else "")
        return reverse("orgs:unit_list") + query

    return total, by_child, url


def register() -> None:
    register_indicator(
        Indicator(
            key="orgs",
            label=_("党组织"),
            kind="party_org",
            total=_orgs_total,
            by_child=_orgs_by_child,
            url=lambda area: reverse("orgs:org_tree") + f"?area={area.pk}",
            order=10,
        )
    )
    labels = [
        (None, _("驻区单位"), False),
        ("own", _("单独建立党组织"), False),
        ("joint", _("联合党组织覆盖"), False),
        ("uncovered", _("未覆盖"), True),
        ("must_form", _("应单独组建"), True),
        ("new_uncovered", _("新登记未覆盖"), True),
    ]
    for order, (coverage, label, alert) in enumerate(labels, start=20):
        total, by_child, url = _units(coverage)
        register_indicator(
            Indicator(
                key=f"units_{coverage or 'all'}",
                label=label,
                kind="unit",
                total=total,
                by_child=by_child,
                url=url,
                alert=alert,
                order=order,
            )
        )
