"""Agreements pages: signing one with its commitments, and an agreement's page with the
actions of each side (add a commitment, record what was achieved, review, end)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.cobuild import access, forms, selectors, services
from jiceng.cobuild.models import AgreementReview, Commitment
from jiceng.cobuild.views._common import bound, pick, posted_form, posted_id, require_kind
from jiceng.core.errors import ApplicationError
from jiceng.core.pickers import has_choices
from jiceng.core.view_helpers import SCOPE_ERRORS, call_on_form, refusal_on_form


@login_required
def agreement_new(request):
    """The community signs a co-building agreement with a resident unit, with each
    side's commitments; all of it is checked before anything is written."""
    require_kind(request.user)
    is_post = request.method == "POST"
    form = forms.AgreementForm(request.POST if is_post else None, viewer=request.user)
    if not has_choices(form, "community"):
        raise Http404
    rows = forms.CommitmentFormSet(request.POST if is_post else None, prefix="c")
    if is_post and form.is_valid() and rows.is_valid():
        data = form.cleaned_data
        community, unit = data["community"], data["unit"]
        kept = [r for r in rows.forms if not r.is_blank()]
        specs = [
            services.CommitmentSpec(
                side=r.cleaned_data["side"],
                content=r.cleaned_data["content"],
                target=r.cleaned_data["target"] if r.cleaned_data["target"] is not None else "",
                measure=r.cleaned_data["measure"],
            )
            for r in kept
        ]
        try:
            agreement = services.agreement_create(
                actor=request.user,
                community=community,
                unit=unit,
                title=data["title"],
                signed_on=data["signed_on"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                commitments=specs,
            )
        except SCOPE_ERRORS:
            raise
        except ApplicationError as error:
            # "commitments[2].target" names the row and its field.
            if error.field and error.field.startswith("commitments["):
                index, _dot, name = error.field[len("commitments[") :].partition("].")
                refusal_on_form(kept[int(index)], error, {error.field: name})
            else:
                refusal_on_form(form, error)
        else:
            messages.success(request, _("共建协议已登记"))
            return redirect("cobuild:agreement", pk=agreement.pk)
    return render(request, "cobuild/agreement_new.html", {"form": form, "rows": rows})


class _AgreementPage:
    """An agreement's page and the forms of the sides this viewer acts for; the one named
    `action` bound to the POST (for "achieved", the posted commitment's)."""

    def __init__(self, request, pk: int, action: str | None = None):
        require_kind(request.user)
        self.request = request
        user = request.user
        self.agreement = agreement = access.get_agreement_for_view(user, pk)
        self.live = agreement.ended_on is None
        self.sides = sides = {
            side
            for side in (Commitment.Side.COMMUNITY, Commitment.Side.UNIT)
            if access.can_act_for_side(user, agreement, side)
        }
        self.commitment_form = forms.CommitmentForm(bound(request, action, "commitment"))
        self.review_form = forms.ReviewForm(bound(request, action, "review"), reviewers=sides)
        self.end_form = forms.EndForm(
            bound(request, action, "end"), initial={"ended_on": timezone.localdate()}
        )
        self.commitments = list(selectors.commitment_list(viewer=user, agreement=agreement))
        self.achieved_forms = {}
        for commitment in self.commitments:
            if self.live and commitment.side in sides:
                posted = action == "achieved" and request.POST.get("commitment") == str(
                    commitment.pk
                )
                self.achieved_forms[commitment.pk] = forms.AchievedForm(
                    request.POST if posted else None,
                    initial={"achieved": commitment.achieved},
                    prefix=f"a{commitment.pk}",
                )

    def done(self, result, success: str):
        """After the action's service: back to the page with a message, or the page with
        the refusal on its form."""
        if result is not None:
            messages.success(self.request, success)
            return redirect("cobuild:agreement", pk=self.agreement.pk)
        return self.render()

    def render(self):
        agreement, user = self.agreement, self.request.user
        context = {
            "agreement": agreement,
            "commitments": [(c, self.achieved_forms.get(c.pk)) for c in self.commitments],
            "reviews": selectors.review_list(viewer=user, agreement=agreement),
            "live": self.live,
            "community_side": Commitment.Side.COMMUNITY in self.sides,
            "commitment_form": self.commitment_form,
            "review_form": self.review_form if self.sides else None,
            "end_form": self.end_form,
            "reviewer_labels": dict(AgreementReview.Reviewer.choices),
        }
        return render(self.request, "cobuild/agreement_detail.html", context)


@login_required
def agreement_detail(request, pk: int):
    """An agreement's commitments with their progress, the yearly two-way review, and
    the forms of each side."""
    action = posted_form(request)
    if action in AGREEMENT_ACTIONS:
        return AGREEMENT_ACTIONS[action](request, pk)
    page = _AgreementPage(request, pk)
    if action is not None:
        raise Http404
    return page.render()


@login_required
@require_POST
def commitment_add(request, pk: int):
    page = _AgreementPage(request, pk, "commitment")
    form, result = page.commitment_form, None
    if form.is_valid():
        result = call_on_form(
            form,
            lambda: services.commitment_add(
                actor=request.user,
                agreement=page.agreement,
                spec=services.CommitmentSpec(**form.cleaned_data),
            ),
            aliases={"agreement": None},
        )
    return page.done(result, _("承诺已添加"))


@login_required
@require_POST
def commitment_record(request, pk: int):
    """What one commitment (the posted "commitment" id) has achieved so far."""
    page = _AgreementPage(request, pk, "achieved")
    form, result = page.achieved_forms.get(posted_id(request, "commitment")), None
    if form is None:
        raise Http404
    if form.is_valid():
        commitment = pick(page.commitments, posted_id(request, "commitment"))
        result = call_on_form(
            form,
            lambda: services.commitment_record(
                actor=request.user, commitment=commitment, achieved=form.cleaned_data["achieved"]
            ),
            aliases={"agreement": None},
        )
    return page.done(result, _("完成情况已记录"))


@login_required
@require_POST
def agreement_review(request, pk: int):
    page = _AgreementPage(request, pk, "review")
    form, result = page.review_form, None
    if form.is_valid():
        result = call_on_form(
            form,
            lambda: services.agreement_review(
                actor=request.user, agreement=page.agreement, **form.cleaned_data
            ),
        )
    return page.done(result, _("评价已记录"))


@login_required
@require_POST
def agreement_end(request, pk: int):
    page = _AgreementPage(request, pk, "end")
    form, result = page.end_form, None
    if form.is_valid():
        result = call_on_form(
            form,
            lambda: services.agreement_end(
                actor=request.user, agreement=page.agreement, ended_on=form.cleaned_data["ended_on"]
            ),
            aliases={"agreement": None},
        )
    return page.done(result, _("协议已终止"))


AGREEMENT_ACTIONS = {
    "commitment": commitment_add,
    "achieved": commitment_record,
    "review": agreement_review,
    "end": agreement_end,
}
