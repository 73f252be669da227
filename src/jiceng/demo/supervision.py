"""The demo district's dynamic management, all through `supervision.services`: the rules
run over the demo street (the secretary rule finds the two community orgs whose post
has been vacant since founding: demo.plan.VACANT_SECRETARIES); the district confirms
one, the street plans its rectification, a secretary is elected and the review clears
it; the other stays a candidate for the district to decide. Star ratings for the
street's community orgs (two confirmed), an inspection with findings and a talk whose
follow-up is due this week."""

import datetime

from django.utils import timezone

from jiceng.orgs import services as org_services
from jiceng.supervision import services
from jiceng.supervision.models import StarRating, WeakOrgCase


def fill(*, seed: int, anchors, users: dict) -> dict[str, int]:
    district, street = anchors.district, anchors.street
    if district is None or street is None:
        return {}
    admin, staff = users["demo_district"], users["demo_street"]
    today = timezone.localdate()
    year = today.year
    services.weak_org_evaluate(
        actor=admin, district=district, year=year, within=street, codes=["secretary_vacant"]
    )
    cases = list(
        WeakOrgCase.objects.filter(district=district, year=year)
        .select_related("org")
        .order_by("org__path")
    )
    if cases:
        # The one to rectify: an org no other rule hits, if there is one, so that
        # electing a secretary is what clears it on review.
        cases.sort(
            key=lambda c: any(h["rule"] != "secretary_vacant" for h in services.rules_hitting(c))
        )
        first = services.weak_org_decide(
            actor=admin,
            case=cases[0],
            action="confirm",
            reason="书记长期空缺，班子不健全，经区委组织部研判认定为软弱涣散党组织",
        )
        first = services.weak_org_plan(
            actor=staff,
            case=first,
            leader="街道党工委副书记",
            measures="一、街道党工委选派第一书记驻点；二、一个月内完成书记选配；三、每月督导三会一课",
            deadline=today + datetime.timedelta(days=60),
        )
        org_services.org_update(actor=staff, org=first.org, secretary_name="陈新华")
        still = services.rules_hitting(first)
        services.weak_org_review(
            actor=admin,
            case=first,
            # Other rules may still hit the org in the demo's data; the district then
            # clears it with its reason, as a real review would.
            override_reason="书记已配齐，整顿措施落实到位，区委组织部验收通过" if still else "",
        )
    services.star_compute(actor=admin, district=district, year=year, within=street)
    for rating in StarRating.objects.filter(district=district, year=year).order_by("-stars")[:2]:
        services.star_confirm(actor=admin, rating=rating)
    inspected = anchors.community_org
    if inspected is not None:
        inspection = services.inspection_plan(
            actor=staff,
            org=inspected,
            inspectors="街道组织办 督查组",
            planned_on=today - datetime.timedelta(days=7),
            focus="三会一课记录、党员发展、群众诉求办理",
        )
        services.inspection_record(
            actor=staff,
            inspection=inspection,
            held_on=today - datetime.timedelta(days=7),
            findings="会议记录基本齐全；党课未按季度开展；部分诉求回访不及时",
            problems=["党课未按季度开展", "诉求办结后回访不及时"],
        )
        services.inspection_plan(
            actor=staff,
            org=inspected,
            inspectors="区委组织部 督查组",
            planned_on=today + datetime.timedelta(days=14),
            focus="整改落实情况",
        )
    talked = cases[1].org if len(cases) > 1 else inspected
    if talked is not None:
        services.talk_record(
            actor=staff,
            org=talked,
            held_on=today - datetime.timedelta(days=20),
            talker="街道党工委书记",
            talked_to="社区居委会主任（主持党组织工作）",
            reason="书记空缺期间组织生活不规范，群众满意率偏低",
            commitments="两周内制定整改方案；一个月内完成书记人选推荐",
            follow_up_on=today + datetime.timedelta(days=2),
        )
    return {
        "supervision_weak_orgs": WeakOrgCase.objects.count(),
        "supervision_star_ratings": StarRating.objects.count(),
    }
