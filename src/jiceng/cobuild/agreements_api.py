"""Co-building agreements in the JSON API: signing one with its commitments, adding a
commitment, recording what one achieved, the yearly review, ending it. The same forms
parse the input as on the agreement pages (cobuild.views.agreements) and the same
services decide, checking which side the viewer acts for; out of scope is 404."""

import datetime
from decimal import Decimal

from ninja import Router, Schema, Status

from jiceng.cobuild import access, forms, selectors, services
from jiceng.cobuild.api import _kind, _parsed
from jiceng.cobuild.models import Agreement, Commitment
from jiceng.core.access import get_area_for_view
from jiceng.core.errors import NotFound
from jiceng.core.inputs import form_failure, limited_text, model_decimal, model_text
from jiceng.core.pickers import without_pickers
from jiceng.orgs.access import get_unit_for_view

router = Router(tags=["cobuild 区域化党建"])


class CommitmentIn(Schema):
    side: limited_text(10, kind="code")  # community · unit
    content: model_text(Commitment, "content")
    target: model_decimal(Commitment, "target")
    measure: model_text(Commitment, "measure")


class AgreementIn(Schema):
    title: model_text(Agreement, "title")
    community: int  # a community the viewer manages
    unit: int  # a resident unit the viewer sees
    signed_on: datetime.date
    valid_from: datetime.date | None = None  # none: the day it was signed
    valid_until: datetime.date | None = None
    commitments: list[CommitmentIn] = []


class CommitmentOut(Schema):
    id: int
    side: str
    content: str
    target: Decimal
    measure: str
    achieved: Decimal


class AgreementOut(Schema):
    id: int
    title: str
    community_id: int
    unit_id: int
    signed_on: datetime.date
    valid_from: datetime.date
    valid_until: datetime.date | None
    ended_on: datetime.date | None


class AchievedIn(Schema):
    achieved: model_decimal(Commitment, "achieved")


class AgreementReviewIn(Schema):
    year: int
    reviewer: limited_text(10, kind="code")  # community · unit
    score: int  # 0 to 100
    comment: limited_text(500, kind="multiline") = ""


class AgreementReviewOut(Schema):
    id: int
    year: int
    reviewer: str
    score: int
    comment: str


class AgreementEndIn(Schema):
    ended_on: datetime.date


def _spec(index: int, row: CommitmentIn) -> services.CommitmentSpec:
    """One commitment row parsed by the page's form; a refusal names the row and its
    field ("commitments[2].target"), as the service does."""
    form = forms.CommitmentForm(row.dict())
    if not form.is_valid():
        error = form_failure(form)
        error.field = f"commitments[{index}].{error.field}"
        raise error
    return services.CommitmentSpec(**form.cleaned_data)


@router.post("/agreements", response={201: AgreementOut})
def agreement_create(request, payload: AgreementIn):
    """The community signs an agreement with a resident unit, with each side's
    commitments; all of it is checked before anything is written."""
    _kind(request)
    community = get_area_for_view(request.user, payload.community)
    unit = get_unit_for_view(request.user, payload.unit)
    data = payload.dict(exclude={"commitments", "community", "unit"})
    data = {k: ("" if v is None else v) for k, v in data.items()}
    cleaned = _parsed(without_pickers(forms.AgreementForm(data)))
    specs = [_spec(i, row) for i, row in enumerate(payload.commitments)]
    agreement = services.agreement_create(
        actor=request.user,
        community=community,
        unit=unit,
        title=cleaned["title"],
        signed_on=cleaned["signed_on"],
        valid_from=cleaned["valid_from"],
        valid_until=cleaned["valid_until"],
        commitments=specs,
    )
    return Status(201, agreement)


@router.post("/agreements/{int:agreement_id}/commitments", response={201: CommitmentOut})
def commitment_add(request, agreement_id: int, payload: CommitmentIn):
    """The community side adds a commitment to a live agreement."""
    _kind(request)
    agreement = access.get_agreement_for_view(request.user, agreement_id)
    cleaned = _parsed(forms.CommitmentForm(payload.dict()))
    commitment = services.commitment_add(
        actor=request.user, agreement=agreement, spec=services.CommitmentSpec(**cleaned)
    )
    return Status(201, commitment)


@router.put(
    "/agreements/{int:agreement_id}/commitments/{int:commitment_id}/achieved",
    response=CommitmentOut,
)
def commitment_record(request, agreement_id: int, commitment_id: int, payload: AchievedIn):
    """What one commitment has achieved so far, recorded by the side that made it."""
    _kind(request)
    agreement = access.get_agreement_for_view(request.user, agreement_id)
    commitment = (
        selectors.commitment_list(viewer=request.user, agreement=agreement)
        .filter(pk=commitment_id)
        .first()
    )
    if commitment is None:
        raise NotFound()
    cleaned = _parsed(forms.AchievedForm(payload.dict()))
    return services.commitment_record(
        actor=request.user, commitment=commitment, achieved=cleaned["achieved"]
    )


@router.post("/agreements/{int:agreement_id}/reviews", response={201: AgreementReviewOut})
def agreement_review(request, agreement_id: int, payload: AgreementReviewIn):
    """A side's yearly review of the agreement (score 0–100)."""
    _kind(request)
    agreement = access.get_agreement_for_view(request.user, agreement_id)
    cleaned = _parsed(forms.ReviewForm(payload.dict()))
    review = services.agreement_review(actor=request.user, agreement=agreement, **cleaned)
    return Status(201, review)


@router.post("/agreements/{int:agreement_id}/end", response=AgreementOut)
def agreement_end(request, agreement_id: int, payload: AgreementEndIn):
    """The community side ends the agreement on a day."""
    _kind(request)
    agreement = access.get_agreement_for_view(request.user, agreement_id)
    cleaned = _parsed(forms.EndForm(payload.dict()))
    return services.agreement_end(
        actor=request.user, agreement=agreement, ended_on=cleaned["ended_on"]
    )
