"""One action table per lifecycle (STYLE 15). Each action a person can take is one
entry: its name, label, input schema, who may take it, and the service it calls. The
pages (`views.act`) and the API (`api.py`, one operation per entry) both dispatch from
these tables through `perform`, so a page action without an API twin cannot exist.

An action that starts a lifecycle (a scheme for a district, a problem for an org) has a
`target`: the object it is taken on, found in its input and scoped like any other; it
answers 201 in the API. The state each action may start from is the business of
`states.py`, which the services consult."""

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from jiceng.assessment import access, schemas, services
from jiceng.assessment.models import (
    Assessment,
    Problem,
    Rectification,
    Report,
    Reviewer,
    Scheme,
    TaskItem,
)
from jiceng.core.access import get_area_for_view
from jiceng.core.action_tables import Action, Lifecycle, take
from jiceng.core.action_tables import offered as offered_actions
from jiceng.core.action_tables import table as _table
from jiceng.core.errors import NotFound

# ---- schemes ------------------------------------------------------------------------------


def _facts(p) -> services.SchemeFacts:
    return services.SchemeFacts(
        name=p.name,
        groups=list(p.groups),
        review_weight=p.review_weight,
        items=[
            services.ItemSpec(
                outcome_key=i.outcome_key,
                weight=i.weight,
                rule=i.rule,
                floor=i.floor,
                target=i.target,
                thresholds=[list(t) for t in i.thresholds],
                label=i.label,
            )
            for i in p.items
        ],
    )


def _district(user, payload):
    return get_area_for_view(user, payload.district)


def _draft(scheme: Scheme) -> bool:
    return scheme.state == Scheme.State.DRAFT


def _open(scheme: Scheme) -> bool:
    return scheme.state == Scheme.State.OPEN and not scheme.is_published


SCHEME_ACTIONS = _table(
    Action(
        "create",
        _("制定考核方案"),
        schemas.SchemeIn,
        lambda user, district: access.can_manage_area(user, district),
        lambda user, district, p: services.scheme_create(
            actor=user, district=district, year=p.year, facts=_facts(p)
        ),
        target=_district,
    ),
    Action(
        "update",
        _("修改方案（生成新版本）"),
        schemas.SchemeUpdateIn,
        access.can_manage_scheme,
        lambda user, scheme, p: services.scheme_update(actor=user, scheme=scheme, facts=_facts(p)),
        available=_draft,
    ),
    Action(
        "open",
        _("开启年度考核（冻结方案）"),
        schemas.AssessmentEmptyIn,
        access.can_manage_scheme,
        lambda user, scheme, p: services.scheme_open(actor=user, scheme=scheme),
        available=_draft,
    ),
    Action(
        "score",
        _("按最新数据计分"),
        schemas.AssessmentEmptyIn,
        access.can_manage_scheme,
        lambda user, scheme, p: (services.scheme_score(actor=user, scheme=scheme), scheme)[1],
        available=_open,
    ),
    Action(
        "publish",
        _("发布结果和排名"),
        schemas.AssessmentEmptyIn,
        access.can_manage_scheme,
        lambda user, scheme, p: services.scheme_publish(actor=user, scheme=scheme),
        available=_open,
    ),
)


# ---- assessments and task lists ------------------------------------------------------------


def _running(assessment: Assessment) -> bool:
    return _open(assessment.scheme)


ASSESSMENT_ACTIONS = _table(
    Action(
        "add_task",
        _("交办任务"),
        schemas.AssessmentTaskIn,
        access.can_manage_assessment,
        lambda user, assessment, p: (
            services.task_set(
                actor=user,
                assessment=assessment,
                task=p.task,
                measure=p.measure,
                deadline=p.deadline,
            ).assessment
        ),
        available=_running,
    ),
)

TASK_ACTIONS = _table(
    Action(
        "done",
        _("登记完成"),
        schemas.AssessmentTaskDoneIn,
        lambda user, task: access.can_act_for(user, task.assessment.org),
        lambda user, task, p: services.task_done(
            actor=user, task=task, note=p.note, done_on=p.done_on
        ),
        available=lambda task: not task.is_done and _running(task.assessment),
    ),
)


# ---- reports and reviews --------------------------------------------------------------------


def _account(user, pk):
    from jiceng.accounts.models import User

    account = User.objects.filter(pk=pk, is_active=True).first()
    if account is None:
        raise NotFound()
    return account


def _state(*states: str):
    return lambda report: report.state in states


R = Report.State

REPORT_ACTIONS = _table(
    Action(
        "draft",
        _("按年度数据生成述职报告"),
        schemas.AssessmentEmptyIn,
        access.can_write_report,
        lambda user, report, p: services.report_draft(actor=user, report=report),
        available=_state(R.DRAFT),
    ),
    Action(
        "edit",
        _("修改述职报告"),
        schemas.ReportEditIn,
        access.can_write_report,
        lambda user, report, p: services.report_edit(
            actor=user, report=report, body=p.text, version=p.version
        ),
        available=_state(R.DRAFT),
    ),
    Action(
        "submit",
        _("提交述职报告"),
        schemas.AssessmentEmptyIn,
        access.can_write_report,
        lambda user, report, p: services.report_submit(actor=user, report=report),
        available=_state(R.DRAFT),
    ),
    Action(
        "add_reviewer",
        _("指定评议人"),
        schemas.ReviewerIn,
        access.can_conclude_report,
        lambda user, report, p: (
            services.reviewer_add(
                actor=user, report=report, account=_account(user, p.account), capacity=p.capacity
            ).report
        ),
        available=_state(R.DRAFT, R.SUBMITTED),
    ),
    Action(
        "conclude",
        _("完成评议（计分、列出问题）"),
        schemas.ConcludeIn,
        access.can_conclude_report,
        lambda user, report, p: services.report_conclude(
            actor=user, report=report, problems=list(p.problems)
        ),
        available=_state(R.SUBMITTED),
    ),
)

REVIEW_ACTIONS = _table(
    Action(
        "give",
        _("评议"),
        schemas.ReviewIn,
        access.can_give_review,
        lambda user, reviewer, p: services.review_give(
            actor=user, reviewer=reviewer, grade=p.grade, comment=p.comment
        ),
        available=lambda row: row.given_at is None and row.report.state == R.SUBMITTED,
    ),
)


# ---- problems and rectification -------------------------------------------------------------


def _org(user, payload):
    from jiceng.orgs.access import get_org_for_view

    return get_org_for_view(user, payload.org)


PROBLEM_ACTIONS = _table(
    Action(
        "raise",
        _("列入问题清单"),
        schemas.ProblemIn,
        access.can_raise_problem,
        lambda user, org, p: services.problem_raise(
            actor=user, org=org, source=p.source, text=p.text, year=p.year
        ),
        target=_org,
    ),
    Action(
        "rectify",
        _("制定整改事项"),
        schemas.RectifyIn,
        lambda user, problem: access.can_raise_problem(user, problem.org),
        lambda user, problem, p: (
            services.rectification_create(
                actor=user, problem=problem, owner=p.owner, measures=p.measures, deadline=p.deadline
            ).problem
        ),
        available=lambda problem: not hasattr(problem, "rectification"),
    ),
)

X = Rectification.State

RECTIFICATION_ACTIONS = _table(
    Action(
        "attach",
        _("上传整改佐证"),
        schemas.EvidenceIn,
        access.can_act_on_rectification,
        lambda user, item, p, upload: (
            services.rectification_attach(
                actor=user, item=item, upload=upload, caption=p.caption
            ).rectification
        ),
        available=lambda item: item.state in (X.OPEN, X.RETURNED),
        upload=True,
    ),
    Action(
        "submit",
        _("申请销号"),
        schemas.SubmitIn,
        access.can_act_on_rectification,
        lambda user, item, p: services.rectification_submit(actor=user, item=item, note=p.note),
        available=lambda item: item.state in (X.OPEN, X.RETURNED),
    ),
    Action(
        "confirm",
        _("确认销号"),
        schemas.AssessmentEmptyIn,
        access.can_confirm_rectification,
        lambda user, item, p: services.rectification_confirm(actor=user, item=item),
        available=lambda item: item.state == X.SUBMITTED,
    ),
    Action(
        "return",
        _("退回整改"),
        schemas.AssessmentReturnIn,
        access.can_confirm_rectification,
        lambda user, item, p: services.rectification_return(actor=user, item=item, reason=p.reason),
        available=lambda item: item.state == X.SUBMITTED,
    ),
)


LIFECYCLES: dict[str, Lifecycle] = {
    lc.name: lc
    for lc in (
        Lifecycle("schemes", Scheme, schemas.SchemeOut, SCHEME_ACTIONS, ("district",)),
        Lifecycle(
            "assessments",
            Assessment,
            schemas.AssessmentOut,
            ASSESSMENT_ACTIONS,
            ("org__area__parent", "scheme"),
        ),
        Lifecycle(
            "tasks",
            TaskItem,
            schemas.AssessmentTaskOut,
            TASK_ACTIONS,
            ("assessment__org__area__parent", "assessment__scheme"),
        ),
        Lifecycle(
            "reports",
            Report,
            schemas.ReportOut,
            REPORT_ACTIONS,
            ("assessment__org__area__parent", "assessment__scheme"),
        ),
        Lifecycle(
            "reviews", Reviewer, schemas.ReviewerOut, REVIEW_ACTIONS, ("report__assessment",)
        ),
        Lifecycle(
            "problems",
            Problem,
            schemas.AssessmentProblemOut,
            PROBLEM_ACTIONS,
            ("org__area__parent",),
        ),
        Lifecycle(
            "rectifications",
            Rectification,
            schemas.RectificationOut,
            RECTIFICATION_ACTIONS,
            ("org__area__parent", "problem"),
        ),
    )
}


def perform(user, lifecycle: str, pk, name: str, data: dict | Schema, upload=None) -> Model:
    """Take action `name` on object `pk` of `lifecycle` for `user` (`pk` None for an
    action starting a lifecycle): the one path pages and the API share. Out of scope →
    404; visible but not allowed → 403; the service decides every other refusal. Answers
    the object as it now stands."""
    result = take(LIFECYCLES, schemas.parse, user, lifecycle, pk, name, data, upload)
    result.refresh_from_db()
    return result


def offered(user, lifecycle: str, obj) -> list[Action]:
    """The actions a page offers on `obj` to `user` now."""
    return offered_actions(LIFECYCLES, user, lifecycle, obj)
