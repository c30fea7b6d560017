"""Issue 3's journey on a 360 px phone: a baker sends a referral through her link with no account,
the facilitator calls, books an appointment on a free slot, welcomes the person, records the intake
and an action plan, and orients them to a partner, who accepts through the signed link."""

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from jalon.agenda import actions as agenda
from jalon.notifications.models import OutboxMessage
from jalon.referrals import actions, links
from jalon.referrals.models import Orientation, OrientationStatus, Referral, ReferralStatus, ReferrerKind

from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_referral_to_orientation_on_a_phone(phone_page, browser, live_server, personas, communes):
    page = phone_page
    personas.structure_b.email = "accueil@plie-b.example.org"
    personas.structure_b.save()
    personas.structure_a.phone = "+33559000000"
    personas.structure_a.save()
    referrer = actions.create_referrer(
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        data={"name": "Boulangerie du marché", "kind": ReferrerKind.SHOP},
    )
    place = agenda.create_place(structure=personas.structure_a, actor=None, name="Tiers-lieu de la gare")
    tomorrow = timezone.localdate() + timedelta(days=1)
    agenda.add_permanence(
        place=place,
        structure=personas.structure_a,
        actor=None,
        data={
            "host": personas.structure_a,
            "label": "Premier accueil",
            "weekday": tomorrow.weekday(),
            "start_time": time(9, 0),
            "end_time": time(12, 0),
            "slot_minutes": 30,
            "valid_from": timezone.localdate(),
        },
    )

    # The baker opens the link of the poster on her own phone, with no account.
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR", is_mobile=True)
    shop = context.new_page()
    shop.goto(live_server.url + reverse("public_referral", kwargs={"token": links.referrer_token(referrer)}))
    expect(shop.get_by_role("heading", level=1)).to_contain_text("Orienter une personne")
    check_page(shop)
    shop.get_by_role("button", name="Envoyer").click()  # empty: French messages, nothing written
    expect(shop.get_by_text("Indiquez un téléphone ou un e-mail", exact=False).first).to_be_visible()
    check_page(shop)
    assert not Referral.objects.exists()
    shop.get_by_label("Prénom").fill("Samia")
    shop.get_by_label("Téléphone").fill("06 12 34 56 78")
    shop.get_by_label("Se servir d'un ordinateur ou d'un smartphone").check()
    shop.get_by_label(re.compile("La personne est d'accord pour que la structure la contacte")).check()
    shop.get_by_role("button", name="Envoyer").click()
    expect(shop.get_by_role("heading", level=1)).to_have_text("Merci, c'est envoyé")
    check_page(shop)
    context.close()
    assert Referral.objects.get().referrer == referrer

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

    # An appointment on tomorrow's first free slot, with an SMS invitation.
    page.get_by_role("link", name="Fixer un rendez-vous").click()
    check_page(page)
    page.get_by_label("Créneau libre d'une permanence").select_option(index=1)
    page.get_by_role("button", name="Fixer le rendez-vous").click()
    expect(page.get_by_role("status")).to_contain_text("Le rendez-vous est fixé.")
    check_page(page)
    assert Referral.objects.get().status == ReferralStatus.APPOINTMENT
    invitation = OutboxMessage.objects.get(purpose="rdv_invitation")
    assert "Tiers-lieu de la gare" in invitation.body and invitation.to == "+33612345678"
    page.get_by_role("link", name="Samia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Samia")

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
