"""The demo: the ten seed programmes of DOMAIN.md, their partners, staff and fake people.

Everything is keyed on natural keys (structure name, e-mail, person identity) so loading twice
changes nothing. People are generated with a fixed seed: the same demo on every laptop.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from faker import Faker

from jalon.people import crypto
from jalon.people.models import (
    CONSENT_TEXTS,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    EducationLevel,
    EmploymentStatus,
    Gender,
    Person,
    PersonEvent,
    SensitiveCategory,
    SensitiveNote,
)
from jalon.structures.models import Commune, Membership, Partnership, Role, Structure
from jalon.structures.models import StructureKind as K
from jalon.structures.validators import luhn_ok

from . import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD


@dataclass
class S:
    name: str
    kind: str
    commune: str  # INSEE code
    slug: str
    people: int = 0
    description: str = ""
    profile: str = "general"
    extra_communes: list[str] = field(default_factory=list)


STRUCTURES = [
    S(
        "POP",
        K.ASSOCIATION,
        "75120",
        "pop",
        60,
        "Ensemble à 100 % : ateliers découverte, SprintCamp, simulateur d'entreprise.",
    ),
    S(
        "O'Clock",
        K.TRAINING,
        "75110",
        "oclock",
        0,
        "École du numérique, co-porteuse d'Ensemble à 100 % avec POP.",
    ),
    S(
        "WeTechCare",
        K.ASSOCIATION,
        "75111",
        "wetechcare",
        0,
        "Défi Insertion : diagnostic numérique et formation des pairs.",
    ),
    S(
        "Campus Vitamine T",
        K.EI,
        "59350",
        "vitaminet",
        40,
        "Défi Insertion en Hauts-de-France ; Open Badges.",
        "smartphone",
    ),
    S(
        "FAS Grand Est",
        K.NETWORK,
        "67482",
        "fasgrandest",
        0,
        "Défi Insertion : partenaire régional Grand Est.",
    ),
    S(
        "Inter-Réseaux IAE Occitanie",
        K.NETWORK,
        "31555",
        "irieao",
        0,
        "Défi Insertion : partenaire régional Occitanie.",
    ),
    S(
        "Chênelet",
        K.ACI,
        "62491",
        "chenelet",
        30,
        "Formation au numérique dans les parcours d'insertion.",
        "smartphone",
    ),
    S(
        "Les petits débrouillards Bretagne",
        K.ASSOCIATION,
        "29019",
        "debrouillards",
        45,
        "Tremplin Numérique : Brest, Rennes, Rostrenen.",
        "beginner",
        ["35238", "22266"],
    ),
    S("IMT Atlantique", K.SCHOOL, "29019", "imt", 0, "Partenaire pédagogique de Tremplin Numérique."),
    S(
        "Form'Ain Cube",
        K.TRAINING,
        "01004",
        "formaincube",
        12,
        "Référents numériques et porteurs de projet de l'incubateur.",
    ),
    S(
        "Gare à idées",
        K.ASSOCIATION,
        "86194",
        "gareaidees",
        30,
        "Guichet unique de la création d'activité à Poitiers.",
        "creator",
    ),
    S("CRESS Nouvelle-Aquitaine", K.NETWORK, "86194", "cress", 0, "Permanences à la Gare à idées."),
    S(
        "France Active Nouvelle-Aquitaine",
        K.ASSOCIATION,
        "86194",
        "franceactive",
        0,
        "Financement des créateurs.",
    ),
    S("Aceascop", K.ASSOCIATION, "86194", "aceascop", 0, "Accompagnement des coopératives."),
    S(
        "Consortium Coopérative",
        K.ASSOCIATION,
        "86194",
        "consortium",
        0,
        "Coopérative d'activité et d'emploi.",
    ),
    S(
        "Hauts de Garonne Développement",
        K.ASSOCIATION,
        "33119",
        "hdg",
        40,
        "Oser coder : 3 jeudis matin pour les femmes.",
        "oser",
    ),
    S(
        "Ecocène",
        K.ASSOCIATION,
        "64445",
        "ecocene",
        20,
        "Green Tech : guide des formations et initiatives vertes.",
    ),
    S(
        "Teen's Up",
        K.ASSOCIATION,
        "33063",
        "teensup",
        0,
        "Événement d'orientation des collégiens et lycéens.",
    ),
    S("Collège Jacques Ellul", K.SCHOOL, "33063", "college-ellul", 0, "Classe inscrite à Teen's Up."),
    S("Lycée Les Iris", K.SCHOOL, "33249", "lycee-iris", 0, "Classe inscrite à Teen's Up."),
    S(
        "Transitions 64",
        K.ASSOCIATION,
        "64410",
        "transitions64",
        40,
        "RE-PAIR : réseau de capteurs autour de Mourenx.",
    ),
    S(
        "PLIE Ouest Béarn",
        K.PLIE,
        "64410",
        "plie-ouest-bearn",
        15,
        "Reçoit les personnes repérées par RE-PAIR.",
    ),
    S("France Travail Mourenx", K.FRANCE_TRAVAIL, "64410", "ft-mourenx", 0, "Agence partenaire."),
    S("Mission locale de Paris", K.MISSION_LOCALE, "75056", "ml-paris", 0, "Oriente des jeunes vers POP."),
]

PARTNERSHIPS = [
    ("POP", "O'Clock", "Co-portage d'Ensemble à 100 %"),
    ("POP", "Mission locale de Paris", "Orientation de jeunes vers les ateliers"),
    ("WeTechCare", "Campus Vitamine T", "Défi Insertion — Hauts-de-France"),
    ("WeTechCare", "FAS Grand Est", "Défi Insertion — Grand Est"),
    ("WeTechCare", "Inter-Réseaux IAE Occitanie", "Défi Insertion — Occitanie"),
    ("Campus Vitamine T", "Chênelet", "Pairs facilitateurs"),
    ("Les petits débrouillards Bretagne", "IMT Atlantique", "Tremplin Numérique"),
    ("Gare à idées", "CRESS Nouvelle-Aquitaine", "Permanences"),
    ("Gare à idées", "France Active Nouvelle-Aquitaine", "Permanences"),
    ("Gare à idées", "Aceascop", "Permanences"),
    ("Gare à idées", "Consortium Coopérative", "Permanences"),
    ("Teen's Up", "Collège Jacques Ellul", "Parcours thématique"),
    ("Teen's Up", "Lycée Les Iris", "Parcours thématique"),
    ("Transitions 64", "PLIE Ouest Béarn", "RE-PAIR : accueil des personnes repérées"),
    ("Transitions 64", "France Travail Mourenx", "Orientation"),
]

# (e-mail local part, first name, last name, structure, role, need_to_know)
STAFF = [
    ("admin.pop", "Sonia", "Mercier", "POP", Role.ADMIN, False),
    ("cip.pop", "Karim", "Haddad", "POP", Role.CASE_WORKER, True),
    ("formateur.pop", "Léa", "Fontaine", "POP", Role.TRAINER, False),
    ("coord.pop", "Julien", "Perrin", "POP", Role.COORDINATOR, False),
    ("lecture.pop", "Odile", "Garnier", "POP", Role.READ_ONLY, False),
    ("coord.ensemble", "Inès", "Caron", "O'Clock", Role.COORDINATOR, False),
    ("cip.vitaminet", "Mehdi", "Lambert", "Campus Vitamine T", Role.CASE_WORKER, False),
    ("cip.chenelet", "Claire", "Dubois", "Chênelet", Role.CASE_WORKER, False),
    ("cip.debrouillards", "Yann", "Le Gall", "Les petits débrouillards Bretagne", Role.CASE_WORKER, False),
    ("cip.formaincube", "Nadia", "Roux", "Form'Ain Cube", Role.CASE_WORKER, False),
    ("cip.gareaidees", "Thomas", "Bernard", "Gare à idées", Role.CASE_WORKER, False),
    ("cip.hdg", "Fatou", "Diallo", "Hauts de Garonne Développement", Role.CASE_WORKER, False),
    ("cip.ecocene", "Pierre", "Etchegaray", "Ecocène", Role.CASE_WORKER, False),
    ("cip.transitions64", "Marion", "Lafitte", "Transitions 64", Role.CASE_WORKER, False),
    ("cip.plie", "Laurent", "Casenave", "PLIE Ouest Béarn", Role.CASE_WORKER, False),
    ("admin.wetechcare", "Anne", "Moreau", "WeTechCare", Role.ADMIN, False),
]
# The Ensemble à 100 % coordinator works for both co-running structures (structure switcher).
EXTRA_MEMBERSHIPS = [("coord.ensemble", "POP", Role.COORDINATOR)]


def fake_siret(rng: random.Random) -> str:
    """A SIRET that passes the checksum but belongs to nobody (starts with 9 like no real SIREN range we use)."""
    while True:
        candidate = "9" + "".join(rng.choice("0123456789") for _ in range(13))
        if luhn_ok(candidate):
            return candidate


def _email(local: str) -> str:
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


@transaction.atomic
def load(stdout=None) -> dict:
    rng = random.Random(2026)
    created = {"structures": 0, "comptes": 0, "personnes": 0}
    structures = {}
    for spec in STRUCTURES:
        commune = Commune.objects.get(code=spec.commune)
        structure, made = Structure.objects.get_or_create(
            name=spec.name,
            defaults={
                "kind": spec.kind,
                "commune": commune,
                "address": f"{rng.randint(1, 120)} rue de la République",
                "phone": f"+339{rng.randint(70000000, 79999999)}",
                "email": f"contact@{spec.slug}.{DEMO_EMAIL_DOMAIN}",
                "siret": fake_siret(rng),
                "description": spec.description,
            },
        )
        structures[spec.name] = structure
        created["structures"] += made
    for source, target, description in PARTNERSHIPS:
        a, b = structures[source], structures[target]
        if not Partnership.objects.filter(source__in=[a, b], target__in=[a, b]).exists():
            Partnership.objects.create(source=a, target=b, description=description)

    User = get_user_model()
    for local, first, last, structure_name, role, need_to_know in STAFF:
        user = User.objects.filter(email=_email(local)).first()
        if user is None:
            user = User.objects.create_user(
                email=_email(local), password=DEMO_PASSWORD, first_name=first, last_name=last
            )
            created["comptes"] += 1
        Membership.objects.get_or_create(
            user=user,
            structure=structures[structure_name],
            defaults={"role": role, "need_to_know": need_to_know},
        )
        if user.current_structure_id is None:
            user.current_structure = structures[structure_name]
            user.save(update_fields=["current_structure"])
    for local, structure_name, role in EXTRA_MEMBERSHIPS:
        Membership.objects.get_or_create(
            user=User.objects.get(email=_email(local)),
            structure=structures[structure_name],
            defaults={"role": role},
        )

    for spec in STRUCTURES:
        if spec.people and not Person.objects.filter(structure=structures[spec.name]).exists():
            created["personnes"] += _people(structures[spec.name], spec, structures)
    return created


def _communes_near(spec: S) -> list[Commune]:
    base = Commune.objects.get(code=spec.commune)
    nearby = list(
        Commune.objects.filter(departement=base.departement, is_arrondissement=False).order_by("-population")[
            :12
        ]
    )
    extra = list(Commune.objects.filter(code__in=spec.extra_communes))
    return [base, base, base, *extra, *extra, *nearby]


def _people(structure: Structure, spec: S, structures: dict) -> int:
    seed = sum(map(ord, spec.name))
    rng = random.Random(seed)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    today = timezone.localdate()
    now = timezone.now()
    communes = _communes_near(spec)
    staff = list(
        Membership.objects.filter(
            structure=structure, role__in=[Role.CASE_WORKER, Role.ADMIN, Role.COORDINATOR]
        ).select_related("user")
    )
    referents = [m.user for m in staff] or [None]
    partners = list(structure.partner_structures())
    people, plans = [], []
    for index in range(spec.people):
        if spec.profile == "oser":
            gender, age = Gender.FEMALE, rng.randint(30, 55)
        else:
            gender = rng.choice([Gender.FEMALE, Gender.MALE, Gender.FEMALE, Gender.MALE, Gender.OTHER])
            age = rng.choice(
                [rng.randint(18, 25), rng.randint(26, 54), rng.randint(26, 54), rng.randint(55, 64)]
            )
        first = fake.first_name_female() if gender == Gender.FEMALE else fake.first_name_male()
        last = fake.last_name()
        birth = today - timedelta(days=age * 365 + rng.randint(1, 360))
        if (
            spec.profile == "oser"
            and not 30
            <= (today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day)))
            <= 55
        ):
            birth = date(today.year - 40, birth.month, min(birth.day, 28))
        created_at = now - timedelta(days=rng.randint(5, 420), hours=rng.randint(0, 8))
        status = rng.choice(
            [EmploymentStatus.UNEMPLOYED] * 5
            + [EmploymentStatus.INACTIVE] * 2
            + [EmploymentStatus.EMPLOYED, EmploymentStatus.STUDENT]
        )
        beginner = spec.profile in {"beginner", "smartphone"}
        person = Person(
            structure=structure,
            referent=rng.choice(referents),
            first_name=first,
            last_name=last,
            birth_date=birth,
            gender=gender,
            phone=f"+336{rng.randint(10000000, 99999999)}",
            email=f"{first}.{last}{index}@example.org".lower().replace(" ", "") if rng.random() < 0.6 else "",
            preferred_channel=rng.choice(["sms", "sms", "phone", "email"]),
            commune=rng.choice(communes),
            employment_status=status,
            france_travail_since=(created_at.date() - timedelta(days=rng.randint(30, 900)))
            if status == EmploymentStatus.UNEMPLOYED
            else None,
            rsa=rng.random() < 0.35,
            aah=rng.random() < 0.06,
            rqth=rng.random() < (0.7 if spec.name == "Form'Ain Cube" else 0.1),
            qpv=rng.random() < (0.5 if structure.commune_id.startswith(("75", "59", "33")) else 0.15),
            education_level=rng.choice([c for c, _ in EducationLevel.choices] + ["infra3", "3", "4"]),
            has_smartphone=rng.random() < (0.7 if beginner else 0.92),
            has_computer=rng.random() < (0.25 if beginner else 0.6),
            has_internet=rng.random() < (0.5 if beginner else 0.8),
            languages=rng.choice(
                ["français", "français", "français, arabe", "français, anglais", "français, wolof"]
            ),
            created_at=created_at,
            updated_at=created_at,
            last_contact_at=created_at + timedelta(days=rng.randint(0, 60)),
        )
        person.long_term_unemployed = bool(
            person.france_travail_since and (today - person.france_travail_since).days >= 365
        )
        person.refresh_search_fields()
        people.append(person)
        plans.append(created_at)
    Person.objects.bulk_create(people)
    people = list(Person.objects.filter(structure=structure).order_by("pk"))
    consents, events, notes = [], [], []
    for person in people:
        at = person.created_at
        actor = person.referent
        consents.append(_consent(person, ConsentPurpose.ACCOMPANIMENT, at, actor, rng))
        events.append(
            PersonEvent(
                person=person,
                structure=structure,
                kind="created",
                label="Dossier créé",
                occurred_at=at,
                actor=actor,
            )
        )
        events.append(
            PersonEvent(
                person=person,
                structure=structure,
                kind="consent_given",
                label="Consentement donné : Être accompagné·e par la structure",
                occurred_at=at,
                actor=actor,
            )
        )
        if rng.random() < 0.7:
            consents.append(_consent(person, ConsentPurpose.CONTACT_SMS, at, actor, rng))
        if rng.random() < 0.5:
            consents.append(_consent(person, ConsentPurpose.STATISTICS, at, actor, rng))
        if partners and rng.random() < 0.15:
            sharing = _consent(
                person,
                ConsentPurpose.SHARING,
                at + timedelta(days=3),
                actor,
                rng,
                target=rng.choice(partners),
            )
            if rng.random() < 0.2:
                sharing.withdrawn_at = at + timedelta(days=30)
                sharing.withdrawn_by = actor
            consents.append(sharing)
        if rng.random() < 0.3:
            events.append(
                PersonEvent(
                    person=person,
                    structure=structure,
                    kind="updated",
                    label="Dossier mis à jour",
                    occurred_at=at + timedelta(days=rng.randint(1, 40)),
                    actor=actor,
                )
            )
        if person.rqth and rng.random() < 0.6:
            note = SensitiveNote(
                person=person, category=SensitiveCategory.DISABILITY, created_by=actor, created_at=at
            )
            note.ciphertext = crypto.encrypt(
                "Aménagement de poste souhaité : pauses régulières, écran large."
            )
            notes.append(note)
    Consent.objects.bulk_create(consents)
    PersonEvent.objects.bulk_create(events)
    SensitiveNote.objects.bulk_create(notes)
    return len(people)


def _consent(person, purpose, at, actor, rng, target=None) -> Consent:
    return Consent(
        person=person,
        purpose=purpose,
        target_structure=target,
        method=rng.choice([ConsentMethod.ORAL, ConsentMethod.ORAL, ConsentMethod.PAPER]),
        text_version=CONSENT_TEXTS[purpose][0],
        given_at=at,
        recorded_by=actor,
    )
