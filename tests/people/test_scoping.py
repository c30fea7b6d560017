import pytest
from django.urls import reverse

from jalon.audit.models import Action, AuditEvent
from jalon.people import actions
from jalon.people.models import ConsentMethod, ConsentPurpose, Person


def share_with_b(personas, person):
    return actions.give_consent(
        person=person,
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        purpose=ConsentPurpose.SHARING,
        method=ConsentMethod.PAPER,
        target_structure=personas.structure_b,
    )


def test_other_structure_gets_404(personas, person_a):
    client = personas.client_for(personas.case_worker_b)
    assert client.get(reverse("person_detail", args=[person_a.pk])).status_code == 404


def test_own_structure_reads_and_read_is_audited(personas, person_a):
    client = personas.client_for(personas.case_worker_a)
    response = client.get(reverse("person_detail", args=[person_a.pk]))
    assert response.status_code == 200
    assert (
        AuditEvent.objects.filter(
            person=person_a, action=Action.READ, actor=personas.case_worker_a.user
        ).count()
        == 1
    )


def test_sharing_consent_opens_then_withdrawal_closes_at_next_request(personas, person_a):
    client = personas.client_for(personas.case_worker_b)
    url = reverse("person_detail", args=[person_a.pk])
    consent = share_with_b(personas, person_a)
    assert client.get(url).status_code == 200
    assert person_a in Person.objects.shared_with(personas.structure_b)
    actions.withdraw_consent(
        consent=consent, structure=personas.structure_a, actor=personas.case_worker_a.user
    )
    assert client.get(url).status_code == 404
    assert person_a not in Person.objects.shared_with(personas.structure_b)


def test_shared_structure_cannot_edit(personas, person_a):
    share_with_b(personas, person_a)
    client = personas.client_for(personas.case_worker_b)
    response = client.post(reverse("person_edit", args=[person_a.pk]), {"first_name": "X", "last_name": "Y"})
    assert response.status_code == 404
    person_a.refresh_from_db()
    assert person_a.first_name != "X"


@pytest.mark.parametrize("role", ["trainer_a", "read_only_a"])
def test_roles_without_edit_right_are_refused(personas, person_a, role):
    client = personas.client_for(getattr(personas, role))
    assert client.get(reverse("person_detail", args=[person_a.pk])).status_code == 200
    assert client.get(reverse("person_edit", args=[person_a.pk])).status_code == 403
    assert client.get(reverse("person_create")).status_code == 403


def test_anonymous_is_sent_to_login(db, person_a):
    from django.test import Client

    response = Client().get(reverse("person_detail", args=[person_a.pk]))
    assert response.status_code == 302
    assert "/comptes/login/" in response["Location"]
