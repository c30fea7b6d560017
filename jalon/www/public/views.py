"""Pages without an account: the referral link of a referrer, the self-referral poster link,
and the referrer's follow-up. Explicitly public (login_not_required), rate limited, no ids."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from jalon.referrals import actions, links
from jalon.referrals.models import ReferralSource, ReferralStatus
from jalon.www.errors import refused

from .forms import PublicReferralForm

# Generous for a shop that refers several people a day, tight for a robot.
RATE_PER_IP = "10/h"
RATE_PER_LINK = "60/h"


def _flooded(request, token: str) -> bool:
    # Counted only on submissions; neither the address nor the token is stored, only hashed keys.
    by_ip = is_ratelimited(
        request, group="public-referral-ip", key="ip", rate=RATE_PER_IP, method="POST", increment=True
    )
    by_link = is_ratelimited(
        request,
        group="public-referral-link",
        key=lambda g, r: token,
        rate=RATE_PER_LINK,
        method="POST",
        increment=True,
    )
    return by_ip or by_link


def _referral_form(request, token: str, *, self_referral: bool):
    try:
        referrer = links.resolve_referrer(token, self_referral=self_referral)
    except links.LinkError as exc:
        return refused(request, exc.reason)
    structure = referrer.structure
    form = PublicReferralForm(request.POST or None, self_referral=self_referral)
    context = {"referrer": referrer, "structure": structure, "form": form, "self_referral": self_referral}
    if request.method == "POST":
        if _flooded(request, token):
            return render(request, "public/flooded.html", context, status=429)
        if request.POST.get("website"):
            # A robot filled the hidden field: thank it, write nothing.
            return render(request, "public/thanks.html", context)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            try:
                actions.create_referral(
                    structure=structure,
                    referrer=referrer,
                    source=ReferralSource.SELF if self_referral else ReferralSource.LINK,
                    data=data,
                    via="link",
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return render(request, "public/thanks.html", context)
    return render(request, "public/referral_form.html", context)


@login_not_required
@never_cache
def public_referral(request, token: str):
    return _referral_form(request, token, self_referral=False)


@login_not_required
@never_cache
def public_self_referral(request, token: str):
    return _referral_form(request, token, self_referral=True)


PLAIN_STATUS = {
    # Words about the step, not the person: no gender to guess on a public page.
    ReferralStatus.NEW: "demande reçue",
    ReferralStatus.CONTACTED: "prise de contact en cours",
    ReferralStatus.APPOINTMENT: "prise de contact en cours",
    ReferralStatus.WELCOMED: "accompagnement en cours",
    ReferralStatus.ORIENTED: "accompagnement en cours",
    ReferralStatus.CLOSED: "sans suite",
}


@login_not_required
@never_cache
def public_referral_follow_up(request, token: str):
    """What became of the people this referrer sent: a status, a first name only if agreed."""
    try:
        referrer = links.resolve_referrer(token)
    except links.LinkError as exc:
        return refused(request, exc.reason)
    referrals = referrer.referrals.filter(source=ReferralSource.LINK).order_by("created_at", "pk")
    rows = [
        {
            "number": index,
            "name": referral.first_name if referral.share_outcome else f"Personne n°{index}",
            "date": referral.created_at,
            "status": PLAIN_STATUS[referral.status],
        }
        for index, referral in enumerate(referrals[:200], start=1)
    ]
    rows.reverse()
    return render(request, "public/follow_up.html", {"referrer": referrer, "rows": rows})
