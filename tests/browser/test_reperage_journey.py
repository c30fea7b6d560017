"""Issue 3's journey on a 360 px phone: a referral arrives, the facilitator calls, welcomes the
person, records the intake and an action plan, and orients them to a partner, who accepts
through the signed link with no account."""

import re

import pytest
from playwright.sync_api import expect

from jalon.notifications.models import OutboxMessage
from jalon.referrals import actions
from jalon.referrals.models import Orientation, OrientationStatus, Referral, ReferralSource, ReferralStatus

from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_referral_to_orientation_on_a_phone(phone_page, browser, live_server, personas, communes):
    page = phone_page
    personas.structure_b.email = "accueil@plie-b.example.org"
    personas.structure_b.save()
    actions.create_referral(
        structure=personas.structure_a,
        referrer=None,
        source=ReferralSource.SELF,
        data={
            "first_name": "Samia",
            "phone": "06 12 34 56 78",
            "contact_consent": True,
            "needs": ["numerique"],
        },
    )
    login(page, live_server, personas.case_worker_a.user.email)
    page.get_by_role("link", name=re.compile("Nouvelles demandes ne sont confiées à personne")).click()
    check_page(page)
    page.get_by_role("link", name="Samia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Samia")
    check_page(page)

    # The first call.
    page.get_by_label("Nouveau statut").select_option(label="Contactée")
    page.get_by_role("button", name="Enregistrer le statut").click()
    expect(page.get_by_role("status")).to_contain_text("Statut enregistré : Contactée")
    assert Referral.objects.get().status == ReferralStatus.CONTACTED

    # She comes: her file is opened from the referral.
    page.get_by_label("Nom de famille").fill("Benali")
    page.get_by_role("button", name="Ouvrir son dossier").click()
    expect(page).to_have_url(re.compile(r"/personnes/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Samia BENALI")
    check_page(page)

    # Intake: digital first, housing later.
    page.get_by_role("link", name="Point de situation").click()
    check_page(page)
    page.get_by_label("Se servir d'un ordinateur ou d'un smartphone", exact=True).select_option(
        label="Prioritaire"
    )
    page.get_by_label("Précisions : Se servir d'un ordinateur ou d'un smartphone").fill(
        "Pas d'adresse e-mail"
    )
    page.get_by_label("Se loger", exact=True).select_option(label="Plus tard")
    page.get_by_role("button", name="Enregistrer le point de situation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan d'action")
    expect(page.get_by_text("Se servir d'un ordinateur ou d'un smartphone (prioritaire)")).to_be_visible()

    # Action plan: axis → objective → action.
    page.get_by_label("Axe", exact=True).fill("Autonomie numérique")
    page.get_by_role("button", name="Ajouter l'axe").click()
    page.get_by_label("Nouvel objectif pour cet axe").fill("Avoir une adresse e-mail")
    page.get_by_role("button", name="Ajouter l'objectif").click()
    page.get_by_text("Ajouter une action à « Avoir une adresse e-mail »").click()
    page.get_by_label("Action", exact=True).fill("Atelier messagerie")
    page.get_by_label("Échéance").fill("2026-12-01")
    page.get_by_role("button", name="Ajouter l'action").click()
    expect(page.get_by_role("button", name="C'est fait : Atelier messagerie")).to_be_visible()
    check_page(page)

    # Orientation to the partner structure.
    page.get_by_role("link", name="Samia BENALI").click()
    page.get_by_role("link", name="Orienter").click()
    check_page(page)
    page.get_by_label("Structure partenaire", exact=True).first.check()
    page.get_by_label("Structure partenaire", exact=True).last.select_option(label="PLIE B")
    page.get_by_label("Pourquoi cette orientation").fill("Ateliers smartphone en petit groupe")
    page.get_by_label(re.compile("La personne accepte que son nom")).check()
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(page.get_by_role("status")).to_contain_text("L'orientation est envoyée.")
    expect(page.get_by_text("Proposée")).to_be_visible()
    check_page(page)

    # The partner answers from the e-mail, on their own phone, with no account.
    message = OutboxMessage.objects.get(purpose="orientation_initial")
    assert message.to == "accueil@plie-b.example.org"
    link = re.search(r"https?://\S+/reponse/\S+/", message.body).group(0)
    path = link.split("/reponse/", 1)[1]
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR", is_mobile=True)
    partner = context.new_page()
    partner.goto(f"{live_server.url}/reponse/{path}")
    expect(partner.get_by_role("heading", level=1)).to_contain_text("vous oriente une personne")
    expect(partner.get_by_text("Samia BENALI")).to_be_visible()
    check_page(partner)
    partner.get_by_label("J'accepte d'accompagner la personne").check()
    partner.get_by_label("Votre nom").fill("Léa Martin")
    partner.get_by_role("button", name="Envoyer ma réponse").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Merci, votre réponse est enregistrée")
    check_page(partner)
    context.close()

    orientation = Orientation.objects.get()
    assert orientation.status == OrientationStatus.ACCEPTED and orientation.answered_by_name == "Léa Martin"
    page.reload()
    expect(page.get_by_text("Acceptée")).to_be_visible()
    assert Referral.objects.get().status == ReferralStatus.ORIENTED
