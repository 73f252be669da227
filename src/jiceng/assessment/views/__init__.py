"""The responsibility system's pages, split by aggregate and re-exported for urls.py."""

from jiceng.assessment.views._common import act
from jiceng.assessment.views.records import (
    assessment_detail,
    evidence,
    problem_list,
    problem_new,
    rectification_detail,
    rectification_list,
    report_detail,
    review_detail,
)
from jiceng.assessment.views.schemes import (
    export,
    home,
    ranking,
    scheme_detail,
    scheme_edit,
    scheme_new,
)

__all__ = [
    "act",
    "assessment_detail",
    "evidence",
    "export",
    "home",
    "problem_list",
    "problem_new",
    "ranking",
    "rectification_detail",
    "rectification_list",
    "report_detail",
    "review_detail",
    "scheme_detail",
    "scheme_edit",
    "scheme_new",
]
