from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.core.validators import validate_email
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from jalon.audit.models import AuditEvent
from jalon.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, demo_logins
from jalon.demo.data import STRUCTURES, fake_siret
from jalon.people.models import Consent, ConsentPurpose, Person, PersonEvent, SensitiveNote
from jalon.structures.models import Membership, Partnership, Role, Structure, StructureKind
from jalon.structures.phones import to_e164
from jalon.structures.validators import luhn_ok
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# Where each programme is, from the seed articles (département of the seat).
PLACES = {
    "POP": "75",
    "O'Clock": "75",
    "WeTechCare": "75",
    "Campus Vitamine T": "59",
    "FAS Grand Est": "67",
    "Inter-Réseaux IAE Occitanie": "31",
    "Chênelet": "62",
    "Les petits débrouillards Bretagne": "29",
    "IMT Atlantique": "29",
    "Form'Ain Cube": "01",
    "Gare à idées": "86",
    "CRESS Nouvelle-Aquitaine": "86",
    "France Active Nouvelle-Aquitaine": "86",
    "Aceascop": "86",
    "Consortium Coopérative": "86",
    "Hauts de Garonne Développement": "33",
    "Ecocène": "64",
    "Teen's Up": "33",
    "Transitions 64": "64",
    "PLIE Ouest Béarn": "64",
}

# Where their people live: the seat's département (Paris and its first ring for POP; the three
# Tremplin Numérique sites for the petits débrouillards).
PEOPLE_PLACES = {
    "POP": {"75", "93"},
    "Les petits débrouillards Bretagne": {"29", "35", "22"},
    "Transitions 64": {"64"},
    "PLIE Ouest Béarn": {"64"},
    "Form'Ain Cube": {"01"},
    "Gare à idées": {"86"},
    "Hauts de Garonne Développement": {"33"},
    "Ecocène": {"64"},
    "Chênelet": {"62"},
    "Campus Vitamine T": {"59"},
}


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Structure,
            Partnership,
            get_user_model(),
            Membership,
            Person,
            Consent,
            PersonEvent,
            SensitiveNote,
            AuditEvent,
        )
    }


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and rolled back after it (each test runs in a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo-data", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded, db):
    return None


def test_second_run_creates_nothing(demo, capsys):
    first = counts()
    assert first["Person"] > 300 and first["SensitiveNote"] > 0

    call_command("demo-data")

    assert counts() == first
    out = capsys.readouterr().out
    assert "personnes accompagnées : 0 créé(s)" in out
    assert "structures : 0 créé(s)" in out


def test_people_are_keyed_on_their_identity(demo):
    """A deleted demo person comes back, alone, on the next run; nobody else is duplicated."""
    person = Person.objects.filter(structure__name="Ecocène").order_by("pk").first()
    key = (person.first_name, person.last_name, person.birth_date)
    total = Person.objects.count()
    person.delete()

    call_command("demo-data", stdout=StringIO())

    assert Person.objects.count() == total
    assert Person.objects.filter(
        structure__name="Ecocène", first_name=key[0], last_name=key[1], birth_date=key[2]
    ).exists()


def test_a_new_member_does_not_change_who_the_people_are(demo):
    """Members are drawn as referents: one more must not redraw the people (and duplicate them)."""
    for name in ["Ecocène", "POP"]:
        MembershipFactory(structure=Structure.objects.get(name=name), role=Role.CASE_WORKER)
    before = counts()

    call_command("demo-data", stdout=StringIO())

    assert counts() == before


@override_settings(JALON_PRODUCTION=True)
def test_refuses_production():
    before = counts()
    with pytest.raises(CommandError, match="production"):
        call_command("demo-data")
    assert counts() == before


def test_programmes_are_in_their_places(demo):
    for name, departement in PLACES.items():
        structure = Structure.objects.select_related("commune").get(name=name)
        assert structure.commune.departement == departement, name
    assert Structure.objects.get(name="Form'Ain Cube").commune.name == "Ambérieu-en-Bugey"
    assert Structure.objects.get(name="Transitions 64").commune.name == "Mourenx"
    assert Structure.objects.get(name="Gare à idées").commune.name == "Poitiers"
    assert Structure.objects.get(name="Ecocène").commune.name == "Pau"
    assert Structure.objects.get(name="Hauts de Garonne Développement").commune.name in {
        "Cenon",
        "Lormont",
        "Floirac",
    }
    kinds = dict(Structure.objects.values_list("name", "kind"))
    assert kinds["PLIE Ouest Béarn"] == StructureKind.PLIE
    assert kinds["O'Clock"] == StructureKind.TRAINING
    assert kinds["Chênelet"] in {StructureKind.ACI, StructureKind.EI}
    assert StructureKind.FRANCE_TRAVAIL in kinds.values()
    assert StructureKind.MISSION_LOCALE in kinds.values()


def test_structures_pass_their_own_validation(demo):
    for structure in Structure.objects.all():
        structure.full_clean()  # SIRET checksum, e-mail, lengths
        assert structure.address and structure.siret, structure.name
        assert to_e164(structure.phone) == structure.phone, structure.name
    phones = list(Structure.objects.values_list("phone", flat=True))
    assert len(phones) == len(set(phones))


def test_fake_siret_passes_luhn_but_its_siren_cannot_be_real():
    for key in ["POP", "Chênelet", "x", "Teen's Up"]:
        siret = fake_siret(key)
        assert len(siret) == 14 and luhn_ok(siret)
        assert not luhn_ok(siret[:9])  # every real SIREN passes Luhn (La Poste aside)
        assert fake_siret(key) == siret


def test_partnerships_follow_the_seeds(demo):
    def partners(name):
        return {s.name for s in Structure.objects.get(name=name).partner_structures()}

    assert "O'Clock" in partners("POP")
    assert {"CRESS Nouvelle-Aquitaine", "France Active Nouvelle-Aquitaine", "Aceascop"} <= partners(
        "Gare à idées"
    )
    assert "Consortium Coopérative" in partners("Gare à idées")
    assert {"Campus Vitamine T", "FAS Grand Est", "Inter-Réseaux IAE Occitanie"} <= partners("WeTechCare")
    assert "IMT Atlantique" in partners("Les petits débrouillards Bretagne")
    assert "PLIE Ouest Béarn" in partners("Transitions 64")
    schools = Structure.objects.get(name="Teen's Up").partner_structures()
    assert schools.count() >= 2 and all(s.kind == StructureKind.SCHOOL for s in schools)
    # Teen's Up works with schools, not with person files.
    assert not Person.objects.filter(structure__name="Teen's Up").exists()


def test_people_live_where_their_programme_is(demo):
    for name, departements in PEOPLE_PLACES.items():
        found = set(
            Person.objects.filter(structure__name=name).values_list("commune__departement", flat=True)
        )
        assert found and found <= departements, (name, found)
    debrouillards = Person.objects.filter(structure__name="Les petits débrouillards Bretagne")
    assert {"29", "35", "22"} == set(debrouillards.values_list("commune__departement", flat=True))
    for spec in STRUCTURES:
        if spec.people:
            assert 12 <= Person.objects.filter(structure__name=spec.name).count() <= 60, spec.name


def test_oser_coder_is_for_women_aged_30_to_55(demo):
    oser = Person.objects.filter(structure__name="Hauts de Garonne Développement")
    assert oser.count() >= 20
    assert all(p.gender == "F" and 30 <= p.age <= 55 for p in oser)


def test_people_files_look_lived_in(demo):
    now = timezone.now()
    people = list(Person.objects.all())
    for person in people:
        assert person.phone or person.email
        if person.phone:
            assert to_e164(person.phone) == person.phone
        if person.email:
            validate_email(person.email)
            assert person.email.rsplit("@", 1)[1] in {"example.org", "example.net", "example.com"}
        assert person.created_at < now and person.last_contact_at < now
        assert person.birth_date < date(now.year - 17, 12, 31)
    # The accompaniment consent for everyone, contact consents for many.
    accompanied = Consent.objects.active().filter(purpose=ConsentPurpose.ACCOMPANIMENT)
    assert accompanied.values("person").distinct().count() == len(people)
    assert Consent.objects.filter(purpose=ConsentPurpose.CONTACT_SMS).count() > len(people) / 2
    assert Consent.objects.filter(purpose=ConsentPurpose.CONTACT_EMAIL).exists()
    # A few files shared with a partner, a few consents withdrawn.
    sharing = Consent.objects.filter(purpose=ConsentPurpose.SHARING).select_related(
        "person", "target_structure"
    )
    assert sharing.active().count() >= 10
    for consent in sharing:
        assert consent.target_structure in consent.person.structure.partner_structures()
    withdrawn = Consent.objects.filter(withdrawn_at__isnull=False)
    assert withdrawn.exists()
    assert all(c.given_at < c.withdrawn_at < now for c in withdrawn)
    assert (
        PersonEvent.objects.filter(kind="consent_withdrawn").count()
        == Consent.objects.filter(withdrawn_at__isnull=False).count()
    )
    # Timelines spread over past months, never before the file was opened.
    events = PersonEvent.objects.select_related("person")
    assert events.count() > 3 * len(people)
    assert all(e.person.created_at <= e.occurred_at < now for e in events)
    assert events.filter(occurred_at__lt=now - timezone.timedelta(days=180)).exists()
    # Equipment gaps where the programmes say so.
    tremplin = Person.objects.filter(structure__name="Les petits débrouillards Bretagne")
    assert tremplin.filter(has_computer=False).count() > tremplin.count() / 2


def test_sensitive_notes_are_encrypted_and_written_by_the_referent(demo):
    notes = SensitiveNote.objects.select_related("person")
    assert notes.count() >= 5
    for note in notes:
        assert note.text and note.text not in note.ciphertext
        assert note.created_by_id == note.person.referent_id
    # Written through the action: each one is in the audit log.
    assert AuditEvent.objects.filter(object_type="sensitivenote").count() == notes.count()


def test_every_demo_login_works_and_has_a_current_structure(demo):
    logins = demo_logins()
    assert len(logins) >= 20
    for email, _ in logins:
        assert email.endswith("@" + DEMO_EMAIL_DOMAIN)
        user = authenticate(email=email, password=DEMO_PASSWORD)
        assert user is not None, email
        assert Membership.objects.filter(user=user, structure=user.current_structure).exists(), email
    # POP has one account per role, with readable addresses.
    pop = dict(Membership.objects.filter(structure__name="POP").values_list("user__email", "role"))
    assert set(pop.values()) == set(Role.values)
    assert pop["admin.pop@demo.jalon.fr"] == Role.ADMIN
    assert pop["cip.pop@demo.jalon.fr"] == Role.CASE_WORKER
    # One account in two structures (structure switcher), one case worker with need-to-know.
    assert Membership.objects.filter(user__email="coord.ensemble@demo.jalon.fr").count() == 2
    assert Membership.objects.get(user__email="cip.pop@demo.jalon.fr").need_to_know
    # A case worker in every structure that follows people.
    for spec in STRUCTURES:
        if spec.people:
            assert Membership.objects.filter(structure__name=spec.name, role=Role.CASE_WORKER).exists()


def test_people_option_adds_volume_to_the_chosen_structure(demo):
    before = Person.objects.filter(structure__name="Transitions 64").count()
    total = Person.objects.count()

    call_command("demo-data", people=300, structure="transitions 64", stdout=StringIO())

    assert Person.objects.filter(structure__name="Transitions 64").count() == before + 300
    assert Person.objects.count() == total + 300


def test_people_option_needs_a_known_structure(demo):
    with pytest.raises(CommandError, match="Structure inconnue"):
        call_command("demo-data", people=10, structure="Nulle part", stdout=StringIO())


def test_programme_demo_has_histories_for_the_dashboards(demo):
    from datetime import timedelta

    from django.utils import timezone

    from jalon.programmes import rollup, rules
    from jalon.programmes.models import Attendance, Exit, Programme, Session

    ensemble = Programme.objects.get(name="Ensemble à 100 %")
    assert set(ensemble.owners.values_list("name", flat=True)) == {"POP", "O'Clock"}
    camp = Session.objects.get(stage__programme=ensemble, stage__name="SprintCamp")
    assert camp.enrolments.count() == 80 and camp.teams.count() == 10
    # Everyone in the SprintCamp attended three workshops first (the entry rule was applied).
    assert all(
        not r for r in rules.check(camp.stage, camp.enrolments.values_list("person_id", flat=True)).values()
    )
    today = timezone.localdate()
    figures = rollup.funnel(ensemble, today - timedelta(days=364), today)
    workshops, sprint, simulator, _ = figures.stages
    assert workshops.people_entered == 80 and workshops.entered > 200
    assert 0.4 <= simulator.conversion <= 0.6  # "about half go from the SprintCamp to the simulator"
    assert figures.exits_total > 0 and figures.fresh_at is not None
    # Tremplin Numérique on its three sites; Oser coder four series, one ahead; peers lead Défi's workshops.
    places = set(
        Session.objects.filter(stage__programme__name="Tremplin Numérique").values_list("place", flat=True)
    )
    assert {p.split(", ")[-1] for p in places} == {"Brest", "Rennes", "Rostrenen"}
    series = Session.objects.filter(stage__programme__name="Oser coder", stage__position=1)
    assert series.count() == 4 and series.filter(starts_on__gt=today).count() == 1
    defi = Attendance.objects.filter(stage__programme__name__startswith="Défi Insertion")
    assert defi.exists() and not defi.filter(recorded_by_peer__isnull=True).exists()
    # Form'Ain Cube: six of eight learners in a dynamic exit, as the article reports.
    exits = Exit.objects.filter(programme__name="Référent numérique en entreprise")
    assert exits.count() == 8 and exits.exclude(category="autre").count() == 6


def test_loader_events_are_written_as_a_job_not_as_an_anonymous_page(demo):
    # The journal names events without account by their channel: a page with no account reads
    # "Aucun compte connecté" (a failed login), the loader's must read "Système".
    from jalon.audit.models import AuditEvent, Via

    assert AuditEvent.objects.filter(via=Via.JOB).exists()
    stray = AuditEvent.objects.filter(actor__isnull=True, via=Via.WEB)
    assert not stray.exists(), list(stray.values_list("action", "object_type", "detail")[:5])


def test_audit_channel_is_restored_after_the_block(personas):
    from jalon.audit.actions import Action, channel, record

    with channel("job"):
        inner = record(action=Action.UPDATE, structure=personas.structure_a)
        explicit = record(action=Action.UPDATE, structure=personas.structure_a, via="link")
    outer = record(action=Action.UPDATE, structure=personas.structure_a)
    assert (inner.via, explicit.via, outer.via) == ("job", "link", "web")
