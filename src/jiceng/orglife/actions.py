"""One action table per lifecycle (STYLE 15). Each action a user can take is one entry:
its name, label, input schema, who may take it, and the service it calls. The pages
(`views.act`, and the meeting form for recording a meeting) and the API (`api.py`, one
operation per entry) both dispatch from these tables through `perform`, so a page action
without an API twin cannot exist.

Most actions are taken on an existing object (its id in the URL). An action that starts a
lifecycle (`record`: a meeting is recorded for an org) has a `target` instead: the object
it is taken on, found in its input (the org) and scoped like any other, and it answers
201 in the API. Setting a topic, creating a contact point or a household link remain
plain creations with one page form and one API operation each."""

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from jiceng.core.action_tables import Action, Lifecycle, take
from jiceng.core.action_tables import offered as offered_actions
from jiceng.core.scope import scope_for
from jiceng.orglife import access, schemas, services
from jiceng.orglife.models import (
    ContactPoint,
    ContactProblem,
    HouseholdLink,
    HouseholdVisit,
    Issue,
    Meeting,
    MeetingAttachment,
    MeetingTask,
    Step,
    Topic,
)


def _member(user, pk):
    if pk is None:
        return None
    from jiceng.members.models import Member

    return scope_for(user).get(Member.objects.select_related("org"), pk=pk)


def _category(code: str):
    from jiceng.appeals.models import Category

    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        from jiceng.orglife.errors import MSG_BAD_CHOICE, OrgLifeErrorCode, invalid

        raise invalid(MSG_BAD_CHOICE, OrgLifeErrorCode.BAD_CHOICE, "category")
    return category


# ---- meetings and tasks ---------------------------------------------------------------------


def meeting_facts(user, payload) -> tuple[services.MeetingFacts, list[services.Mark]]:
    venue = None
    if payload.venue:
        from jiceng.cobuild.models import Venue

        venue = scope_for(user).get(Venue.objects.select_related("area"), pk=payload.venue)
    facts = services.MeetingFacts(
        kind=payload.kind,
        held_on=payload.held_on,
        topic=payload.topic,
        place=payload.place,
        venue=venue,
        presider=payload.presider,
        lecturer=payload.lecturer,
        minutes=payload.minutes,
        decisions=payload.decisions,
    )
    marks = [services.Mark(m.member, m.status, m.reason) for m in payload.attendance]
    return facts, marks


def _meeting_org(user, payload):
    from jiceng.orgs.access import get_org_for_view

    return get_org_for_view(user, payload.org)


def _meeting_record(user, org, payload):
    facts, marks = meeting_facts(user, payload)
    return services.meeting_record(actor=user, org=org, facts=facts, attendance=marks)


def _meeting_update(user, meeting, payload):
    facts, marks = meeting_facts(user, payload)
    return services.meeting_update(
        actor=user, meeting=meeting, facts=facts, attendance=marks, version=payload.version
    )


def _task_add(user, meeting, payload):
    services.meeting_task_add(
        actor=user,
        meeting=meeting,
        decision=payload.decision,
        deadline=payload.deadline,
        owner_member=_member(user, payload.owner_member),
        owner_name=payload.owner_name,
    )
    return meeting


MEETING_ACTIONS = {
    a.name: a
    for a in (
        Action(
            "record",
            _("登记会议"),
            schemas.MeetingIn,
            access.can_record_meeting,
            _meeting_record,
            target=_meeting_org,
            page="orglife:meeting_new",
            out=schemas.MeetingDetailOut,
        ),
        Action(
            "update",
            _("修改记录"),
            schemas.MeetingUpdateIn,
            access.can_manage_meeting,
            _meeting_update,
        ),
        Action(
            "attach",
            _("添加照片或文件"),
            schemas.AttachmentIn,
            access.can_manage_meeting,
            lambda user, meeting, p, upload: (
                services.meeting_attachment_add(
                    actor=user, meeting=meeting, upload=upload, caption=p.caption
                ).meeting
            ),
            upload=True,
            out=schemas.MeetingDetailOut,
        ),
        Action(
            "add_task",
            _("决定转为任务"),
            schemas.TaskIn,
            access.can_manage_meeting,
            _task_add,
        ),
        Action(
            "appraise",
            _("登记评议结果"),
            schemas.AppraisalIn,
            access.can_manage_meeting,
            lambda user, meeting, p: services.appraisal_record(
                actor=user, meeting=meeting, grades=p.grades
            ),
            available=lambda meeting: meeting.kind == "member_appraisal",
        ),
    )
}

ATTACHMENT_ACTIONS = {
    "remove": Action(
        "remove",
        _("删除附件"),
        schemas.EmptyIn,
        access.can_manage_attachment,
        lambda user, attachment, p: services.meeting_attachment_remove(
            actor=user, attachment=attachment
        ),
        out=schemas.MeetingOut,
    )
}

TASK_ACTIONS = {
    "done": Action(
        "done",
        _("办结"),
        schemas.TaskDoneIn,
        access.can_manage_task,
        lambda user, task, p: services.meeting_task_done(actor=user, task=task, note=p.note),
        available=lambda task: task.status == MeetingTask.Status.OPEN,
    )
}


# ---- the deliberation procedure ----------------------------------------------------------------


def _step(kind: str):
    def run(user, topic, payload):
        data = payload.model_dump()
        data.pop("held_on")
        services.step_record(
            actor=user,
            topic=topic,
            kind=kind,
            facts=services.StepFacts(held_on=payload.held_on, **data),
        )
        return topic

    return run


STEP_SCHEMAS = {
    Step.Kind.PROPOSE: schemas.StepIn,
    Step.Kind.DISCUSS: schemas.StepIn,
    Step.Kind.REVIEW: schemas.VoteIn,
    Step.Kind.DECIDE: schemas.DecideIn,
    Step.Kind.DISCLOSE_RESOLUTION: schemas.DisclosureIn,
    Step.Kind.DISCLOSE_RESULT: schemas.DisclosureIn,
}


def _add_issue(user, topic, payload):
    issue = scope_for(user).get(Issue.objects.all(), pk=payload.issue)
    return services.topic_add_issue(actor=user, topic=topic, issue=issue)


TOPIC_ACTIONS = {
    **{
        kind: Action(
            kind,
            Step.Kind(kind).label,
            STEP_SCHEMAS[kind],
            access.can_manage_topic,
            _step(kind),
            available=lambda topic, kind=kind: services.expected_step(topic) == kind,
        )
        for kind in services.STEP_ORDER
    },
    "add_issue": Action(
        "add_issue",
        _("纳入议事问题"),
        schemas.AddIssueIn,
        access.can_manage_topic,
        _add_issue,
        available=lambda topic: topic.state == Topic.State.DRAFT,
    ),
}


# ---- contact-point problems and household visits ------------------------------------------------


def _open(problem) -> bool:
    return problem.status == ContactProblem.Status.OPEN


PROBLEM_ACTIONS = {
    a.name: a
    for a in (
        Action(
            "assign",
            _("交办（责任人和时限）"),
            schemas.AssignIn,
            access.can_manage_problem,
            lambda user, problem, p: services.problem_assign(
                actor=user, problem=problem, owner_name=p.owner_name, deadline=p.deadline
            ),
            available=_open,
        ),
        Action(
            "resolve",
            _("登记解决情况"),
            schemas.ResolveIn,
            access.can_manage_problem,
            lambda user, problem, p: services.problem_resolve(
                actor=user, problem=problem, resolution=p.resolution, resolved_on=p.resolved_on
            ),
            available=_open,
        ),
        Action(
            "to_appeal",
            _("转为诉求"),
            schemas.CategoryIn,
            access.can_manage_problem,
            lambda user, problem, p: services.problem_to_appeal(
                actor=user, problem=problem, category=_category(p.category)
            ),
            available=lambda problem: _open(problem) and not problem.appeal_id,
        ),
    )
}


def _running(obj) -> bool:
    return obj.ended_on is None


POINT_ACTIONS = {
    "end": Action(
        "end",
        _("结束联系点"),
        schemas.EndingIn,
        access.can_manage_point,
        lambda user, point, p: services.contact_point_end(
            actor=user, point=point, ended_on=p.ended_on, reason=p.reason
        ),
        available=_running,
    )
}

LINK_ACTIONS = {
    "end": Action(
        "end",
        _("结束联户关系"),
        schemas.EndingIn,
        access.can_manage_link,
        lambda user, link, p: services.household_link_end(
            actor=user, link=link, ended_on=p.ended_on, reason=p.reason
        ),
        available=_running,
    )
}


def _unforwarded(visit: HouseholdVisit) -> bool:
    return bool(visit.raised) and not visit.forwarded


VISIT_ACTIONS = {
    a.name: a
    for a in (
        Action(
            "to_appeal",
            _("转为诉求"),
            schemas.CategoryIn,
            access.can_forward_visit,
            lambda user, visit, p: services.visit_to_appeal(
                actor=user, visit=visit, category=_category(p.category)
            ),
            available=_unforwarded,
        ),
        Action(
            "to_need",
            _("转为共建需求"),
            schemas.CategoryIn,
            access.can_forward_visit,
            lambda user, visit, p: services.visit_to_need(
                actor=user, visit=visit, category=p.category
            ),
            available=_unforwarded,
        ),
        Action(
            "to_issue",
            _("转为议事问题"),
            schemas.EmptyIn,
            access.can_forward_visit,
            lambda user, visit, p: services.visit_to_issue(actor=user, visit=visit),
            available=_unforwarded,
        ),
    )
}


LIFECYCLES: dict[str, Lifecycle] = {
    lc.name: lc
    for lc in (
        Lifecycle("meetings", Meeting, schemas.MeetingOut, MEETING_ACTIONS),
        Lifecycle("attachments", MeetingAttachment, schemas.AttachmentOut, ATTACHMENT_ACTIONS),
        Lifecycle("tasks", MeetingTask, schemas.TaskOut, TASK_ACTIONS),
        Lifecycle("topics", Topic, schemas.TopicOut, TOPIC_ACTIONS),
        Lifecycle("contact-points", ContactPoint, schemas.ContactPointOut, POINT_ACTIONS),
        Lifecycle("problems", ContactProblem, schemas.ProblemOut, PROBLEM_ACTIONS),
        Lifecycle("household-links", HouseholdLink, schemas.HouseholdLinkOut, LINK_ACTIONS),
        Lifecycle("visits", HouseholdVisit, schemas.HouseholdVisitOut, VISIT_ACTIONS),
    )
}


def perform(user, lifecycle: str, pk, name: str, data: dict | Schema, upload=None) -> Model:
    """Take action `name` on object `pk` of `lifecycle` for `user` (`pk` None for an
    action starting a lifecycle, whose object comes from its input; `upload` the file of
    an action taking one): the one path pages and the API share. Out of scope → 404;
    visible but not allowed → 403 for an action starting a lifecycle; the service decides
    every other refusal."""
    result = take(
        LIFECYCLES, schemas.parse, user, lifecycle, pk, name, data, upload, check_existing=False
    )
    result.refresh_from_db()
    return result


def offered(user, lifecycle: str, obj) -> list[Action]:
    """The actions a page offers on `obj` to `user` now."""
    return offered_actions(LIFECYCLES, user, lifecycle, obj)
