"""The choices of the organizational-life forms, as pickers (`core.pickers`): a form is
built with `viewer=` and cleans each to the object, or refuses on the field what is not
one of the viewer's candidates. The rest of what these forms post is parsed by the
input schemas (`orglife.schemas`) the JSON API takes, and checked by the services."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.inputs import InputPolicyForm
from jiceng.core.models import Area
from jiceng.core.pickers import PickerField

# The levels of area an org proposing a topic sits at (within a community).
TOPIC_ORG_LEVELS = ",".join((Area.Level.COMMUNITY, Area.Level.GRID, Area.Level.BUILDING))


class ContactPointForm(InputPolicyForm):
    official_area = PickerField(
        label=_("领导所在区域"),
        picker="manageable-areas",
        params={"levels": f"{Area.Level.DISTRICT},{Area.Level.STREET}"},
    )
    org = PickerField(label=_("联系党组织"), picker="orglife-orgs")


class HouseholdLinkForm(InputPolicyForm):
    member = PickerField(label=_("党员"), picker="household-members")
    grid = PickerField(
        label=_("网格"),
        picker="manageable-areas",
        params={"levels": f"{Area.Level.GRID},{Area.Level.BUILDING}"},
    )


class IssueForm(InputPolicyForm):
    community = PickerField(
        label=_("社区"), picker="manageable-areas", params={"levels": Area.Level.COMMUNITY}
    )


class TopicForm(IssueForm):
    org = PickerField(
        label=_("提议党组织"), picker="orglife-orgs", params={"levels": TOPIC_ORG_LEVELS}
    )


class MeetingOrgForm(InputPolicyForm):
    """Which org's meeting to record: the first step of recording one (a GET form)."""

    org = PickerField(label=_("党组织"), picker="meeting-orgs")
