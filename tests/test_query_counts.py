"""List and dashboard pages run the same number of queries at n and 10 n rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.notifications.models import MessageChannel, OutboxMessage
from jalon.people import actions
from jalon.people.models import ConsentMethod, ConsentPurpose
from jalon.users.models import ApiToken

from .factories import MembershipFactory, PersonFactory

PAGES = [
    ("/", "admin_a", 9),
    ("/personnes/", "case_worker_a", 6),
    ("/personnes/?q=a", "case_worker_a", 7),
    ("/personnes/?status=chomeur&age=25-54&mine=on", "case_worker_a", 6),
    ("/personnes/?scope=shared", "case_worker_b", 6),
    ("/structure/journal/", "admin_a", 5),
    ("/structure/messages/", "admin_a", 6),
    ("/structure/membres/", "admin_a", 6),
]


def grow(personas, n: int):
    a, b = personas.structure_a, personas.structure_b
    actor = personas.case_worker_a.user
    for i in range(n):
        person = PersonFactory(
            structure=a, referent=actor, employment_status="chomeur", last_name=f"Arnaud{i}"
        )
        actions.give_consent(
            person=person,
            structure=a,
            actor=actor,
            purpose=ConsentPurpose.ACCOMPANIMENT,
            method=ConsentMethod.ORAL,
        )
        actions.give_consent(
            person=person,
            structure=a,
            actor=actor,
            purpose=ConsentPurpose.SHARING,
            method=ConsentMethod.ORAL,
            target_structure=b,
        )
        record(action=Action.READ, actor=personas.admin_a.user, structure=a, obj=person)
        OutboxMessage.objects.create(
            structure=a, channel=MessageChannel.SMS, to="+33612345678", body="x", status="failed"
        )
        MembershipFactory(structure=a)


def count(client, url):
    client.get(url)  # warm-up: the first request of a session does one-off work
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url, role, bound", PAGES)
def test_same_query_count_at_ten_times_the_data(personas, url, role, bound):
    client = personas.client_for(getattr(personas, role))
    grow(personas, 4)
    small = count(client, url)
    grow(personas, 36)
    large = count(client, url)
    assert small == large, f"{url}: {small} queries with 4 people, {large} with 40"
    assert large <= bound, f"{url}: {large} queries (bound {bound})"


@pytest.mark.django_db
def test_person_file_and_api_list_query_counts(personas, person_a):
    client = personas.client_for(personas.case_worker_a)
    _, raw = ApiToken.issue(user=personas.case_worker_a.user, name="q")
    api = type(client)(HTTP_AUTHORIZATION=f"Bearer {raw}")
    grow(personas, 4)
    small = (count(client, f"/personnes/{person_a.pk}/"), count(api, "/api/v1/people"))
    grow(personas, 36)
    large = (count(client, f"/personnes/{person_a.pk}/"), count(api, "/api/v1/people"))
    assert small == large
    assert large[0] <= 10 and large[1] <= 3, large
