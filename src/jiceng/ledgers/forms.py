"""The ledgers page's choice of subject: an area or an org, each a picker of the
viewer's own (`ledger-areas`, `ledger-orgs`). The form renders the choice only: the
page reads the query string and `selectors.subject_for` checks it (out of sight: 404)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.inputs import InputPolicyForm
from jiceng.core.pickers import PickerField


class SubjectForm(InputPolicyForm):
    area = PickerField(
        label=_("区域"), required=False, picker="ledger-areas", empty_label=_("（按党组织）")
    )
    org = PickerField(
        label=_("或党组织"), required=False, picker="ledger-orgs", empty_label=_("（按区域）")
    )
