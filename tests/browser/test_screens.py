"""axe-core and 360 px reflow on every screen, for the roles that use it, at desktop and phone width."""

import pytest
from django.utils import timezone

from jalon.notifications.models import MessageStatus, OutboxMessage
from jalon.people import actions as people_actions
from jalon.people.models import ConsentMethod, ConsentPurpose, SensitiveCategory
from jalon.structures import actions as structure_actions
from jalon.structures.models import Commune, Invitation, Role

from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(personas, person_a, communes):
    """Data that makes every screen show its optional parts: shares, notes, messages, invitations."""
    person_a.commune = Commune.objects.get(code="93048")
    person_a.save()
    a, b = personas.structure_a, personas.structure_b
    people_actions.give_consent(
        person=person_a,
        structure=a,
        actor=personas.case_worker_a.user,
        purpose=ConsentPurpose.SHARING,
        method=ConsentMethod.PAPER,
        target_structure=b,
    )
    people_actions.add_sensitive_note(
        person=person_a,
        membership=personas.case_worker_a,
        category=SensitiveCategory.HEALTH,
        text="Besoin d'un rendez-vous en rez-de-chaussée.",
    )
    structure_actions.invite(
        structure=a, actor=personas.admin_a.user, email="nouvelle.cip@example.org", role=Role.CASE_WORKER
    )
    OutboxMessage.objects.create(
        structure=a,
        channel="sms",
        to="+33612345678",
        body="Rappel : rendez-vous demain à 10 h.",
        purpose="rappel",
        status=MessageStatus.FAILED,
        attempts=3,
        last_error="numéro refusé par le fournisseur",
    )
    # invite() keeps the raw token to itself: make one whose token the test knows.
    raw, token_hash = Invitation.new_token()
    Invitation.objects.create(
        structure=a,
        email="arrivee@example.org",
        role=Role.CASE_WORKER,
        token_hash=token_hash,
        invited_by=personas.admin_a.user,
        created_at=timezone.now(),
    )
    return {"person": person_a, "invitation_token": raw}


def visit(page, live_server, path: str, *, status: int = 200):
    response = page.goto(live_server.url + path)
    assert response.status == status, f"{path}: HTTP {response.status}"
    check_page(page)
    return response


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_every_screen_is_accessible(request, viewport, live_server, personas, world):
    page = request.getfixturevalue(viewport)
    pk = world["person"].pk

    # Anonymous: the login page and a new user's invitation.
    visit(page, live_server, "/comptes/login/")
    visit(page, live_server, f"/invitation/{world['invitation_token']}/")
    page.get_by_role("button", name="Créer mon compte").click()  # empty form: the error state too
    check_page(page)
    visit(page, live_server, "/invitation/jeton-inconnu/", status=404)

    # The referent case worker of structure A.
    login(page, live_server, personas.case_worker_a.user.email)
    check_page(page)  # home
    visit(page, live_server, "/personnes/")
    visit(page, live_server, f"/personnes/{pk}/")
    visit(page, live_server, f"/personnes/{pk}/modifier/")
    visit(page, live_server, f"/personnes/{pk}/sensible/")
    visit(page, live_server, f"/personnes/{pk}/journal/")
    visit(page, live_server, "/personnes/nouvelle/")
    page.get_by_role("button", name="Créer le dossier").click()  # empty form: every error shown
    check_page(page)
    visit(page, live_server, "/compte/jetons/")
    page.get_by_role("textbox", name="Nom du jeton").fill("Tableur du PLIE")
    page.get_by_role("button", name="Créer un jeton").click()
    page.get_by_text("Copiez-le maintenant").wait_for()
    check_page(page)
    visit(page, live_server, "/cette-page-n-existe-pas/", status=404)
    visit(page, live_server, f"/personnes/{pk + 1000}/", status=404)

    # The administrator of structure A.
    page.context.clear_cookies()
    login(page, live_server, personas.admin_a.user.email)
    visit(page, live_server, "/structure/")
    visit(page, live_server, "/structure/membres/")
    visit(page, live_server, f"/structure/membres/{personas.case_worker_a.pk}/")
    visit(page, live_server, "/structure/journal/")
    visit(page, live_server, "/structure/messages/")
    visit(page, live_server, "/structure/messages/?statut=failed")

    # A case worker of structure B reads the file shared with their structure.
    page.context.clear_cookies()
    login(page, live_server, personas.case_worker_b.user.email)
    visit(page, live_server, "/personnes/?scope=shared")
    page.get_by_role("link", name=world["person"].last_name.upper(), exact=False).click()
    page.get_by_text("Dossier partagé avec votre structure").wait_for()
    check_page(page)

    # Someone with no structure at all.
    page.context.clear_cookies()
    login(page, live_server, personas.outsider.email)
    check_page(page)
