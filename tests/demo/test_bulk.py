import pytest

from jalon.demo.bulk import bulk_people
from jalon.people.models import Consent, ConsentPurpose, Person, PersonEvent
from jalon.structures.models import Commune
from jalon.text import normalize
from tests.factories import MembershipFactory, StructureFactory

pytestmark = pytest.mark.django_db


def test_bulk_people_fills_search_fields_communes_and_consents():
    rennes = Commune.objects.get(code="35238")
    structure = StructureFactory(commune=rennes)
    staff = {MembershipFactory(structure=structure).user_id for _ in range(3)}

    assert bulk_people(structures=[structure], count=500, batch_size=120) == 500

    people = Person.objects.filter(structure=structure)
    assert people.count() == 500
    for person in people.select_related("commune"):
        assert person.search_name == normalize(f"{person.last_name} {person.first_name}")
        assert person.search_name_alt == normalize(f"{person.first_name} {person.last_name}")
        assert person.commune.departement == "35"
        assert person.referent_id is None or person.referent_id in staff
        assert not person.phone or person.phone.startswith("+336") and len(person.phone) == 12
    consents = Consent.objects.filter(person__structure=structure)
    assert consents.count() == 500
    assert (
        consents.active().filter(purpose=ConsentPurpose.ACCOMPANIMENT).values("person").distinct().count()
        == 500
    )
    assert PersonEvent.objects.filter(person__structure=structure).count() == 500
    # Plausible names, not one name repeated.
    assert people.values("last_name").distinct().count() > 50


def test_second_call_adds_more_people_with_unique_phones():
    structure = StructureFactory(commune=Commune.objects.get(code="35238"))
    other = StructureFactory()  # no commune: falls back to any commune
    MembershipFactory(structure=structure)

    bulk_people(structures=[structure, other], count=500)
    bulk_people(structures=[structure, other], count=500)

    assert Person.objects.count() == 1000
    assert Person.objects.filter(structure=other).count() == 500
    assert not Person.objects.filter(structure=other, commune__isnull=True).exists()
    phones = [p for p in Person.objects.values_list("phone", flat=True) if p]
    assert len(phones) == len(set(phones))
    assert Consent.objects.active().filter(purpose=ConsentPurpose.ACCOMPANIMENT).count() == 1000


def _pages(client, url, cursor_param, page_attr, first_url=None):
    """Rows of each page reached by following cursors, starting from `first_url` (default `url`)."""
    pages, response = [], client.get(first_url or url)
    while True:
        assert response.status_code == 200
        page = response.context["page"]
        pages.append([person.pk for person in page.items])
        cursor = getattr(page, page_attr)
        if not cursor:
            return pages
        response = client.get(f"{url}&{cursor_param}={cursor}")


def test_name_search_pages_cover_last_and_first_names_once_each(personas):
    """The search is paged as two merged index ranges: no row lost, none twice, both ways."""
    structure = personas.structure_a
    bulk_people(structures=[structure], count=500, seed=3)
    key = "ma"
    matched = {}
    for person in Person.objects.filter(structure=structure):
        if person.search_name.startswith(key):
            matched[person.pk] = (person.search_name, person.pk)
        elif person.search_name_alt.startswith(key):
            matched[person.pk] = (person.search_name_alt, person.pk)
    assert len(matched) > 60  # three pages or more
    client = personas.client_for(personas.case_worker_a)
    url = f"/personnes/?q={key}"

    forward = _pages(client, url, "apres", "next_cursor")
    assert [pk for page in forward for pk in page] == sorted(matched, key=matched.get)
    assert all(len(page) == 25 for page in forward[:-1])

    # From the last page back to the first with "avant": the same pages, reversed.
    last = client.get(url).context["page"]
    for _ in forward[1:-1]:
        last = client.get(f"{url}&apres={last.next_cursor}").context["page"]
    backward = _pages(client, url, "avant", "prev_cursor", first_url=f"{url}&apres={last.next_cursor}")
    assert list(reversed(backward)) == forward


def test_list_pages_by_name_and_phone_search(personas):
    structure = personas.structure_a
    bulk_people(structures=[structure], count=120, seed=5)
    people = sorted(Person.objects.filter(structure=structure), key=lambda p: (p.search_name, p.pk))
    client = personas.client_for(personas.case_worker_a)

    pages = _pages(client, "/personnes/?", "apres", "next_cursor")
    assert [pk for page in pages for pk in page] == [p.pk for p in people]

    person = next(p for p in people if p.phone)
    typed = "0" + person.phone[3:5] + " " + person.phone[5:]  # "06 12345678"
    found = client.get("/personnes/", {"q": typed}).context["page"].items
    assert [p.pk for p in found] == [p.pk for p in people if p.phone == person.phone]
