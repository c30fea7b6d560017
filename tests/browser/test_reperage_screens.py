"""axe-core and 360 px reflow on the referrer screens and the public, no-account pages."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from jalon.referrals import actions, links
from jalon.referrals.models import ProspectionKind, ReferralSource, ReferrerKind

from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_referrer_and_public_screens_are_accessible(request, viewport, live_server, personas, communes):
    page = request.getfixturevalue(viewport)
    a = personas.structure_a
    a.phone = "+33559000000"
    a.save()
    referrer = actions.create_referrer(
        structure=a,
        actor=personas.case_worker_a.user,
        data={
            "name": "Agence immobilière du Gave",
            "kind": ReferrerKind.ESTATE_AGENT,
            "contact_name": "M. Roux",
        },
    )
    actions.log_prospection(
        referrer=referrer,
        structure=a,
        actor=personas.case_worker_a.user,
        data={"kind": ProspectionKind.POSTER, "happened_on": "2026-11-02", "note": "Affiche en vitrine"},
    )
    actions.create_referral(
        structure=a,
        referrer=referrer,
        source=ReferralSource.LINK,
        data={
            "first_name": "Inès",
            "phone": "06 12 34 56 78",
            "contact_consent": True,
            "share_outcome": True,
        },
    )
    revoked = actions.create_referrer(structure=a, actor=None, data={"name": "Ancien bar", "kind": "cafe"})
    old_token = links.referrer_token(revoked)
    actions.revoke_link(referrer=revoked, structure=a, actor=None)

    login(page, live_server, personas.case_worker_a.user.email)
    for path in (
        reverse("referrer_list"),
        reverse("referrer_list") + "?etat=sommeil",
        reverse("referrer_detail", args=[referrer.pk]),
        reverse("referrer_create"),
    ):
        assert page.goto(live_server.url + path).status == 200, path
        check_page(page)
    page.get_by_role("button", name="Enregistrer").first.click()  # empty form: errors in French
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    check_page(page)

    page.context.clear_cookies()
    token = links.referrer_token(referrer)
    page.goto(live_server.url + reverse("public_referral", kwargs={"token": token}))
    check_page(page)
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    check_page(page)
    page.get_by_label("Prénom").fill("Léo")
    page.get_by_label("Téléphone").fill("06 22 33 44 55")
    page.get_by_label("Trouver un emploi").check()
    page.get_by_label("La personne est d'accord", exact=False).check()
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, c'est envoyé")
    check_page(page)
    for path in (
        reverse("public_self_referral", kwargs={"token": links.referrer_token(referrer, self_referral=True)}),
        reverse("public_referral_follow_up", kwargs={"token": token}),
    ):
        assert page.goto(live_server.url + path).status == 200, path
        check_page(page)
    expect(page.get_by_text("Inès")).to_be_visible()  # she agreed the referrer would know
    assert page.goto(live_server.url + reverse("public_referral", kwargs={"token": old_token})).status == 410
    check_page(page)
