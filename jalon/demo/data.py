"""The demo: the ten seed programmes of DOMAIN.md, their partners, staff and fake people.

Loading twice changes nothing: structures are keyed on their name, accounts on their e-mail,
partnerships on the pair, people on (structure, first name, last name, birth date). People are
generated with fixed seeds, and their dates are counted from the day their structure was first
loaded (Structure.created_at), not from today: a second run, even months later, generates the
very same people and finds them all already there.
"""

import random
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import phonenumbers
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from faker import Faker

from jalon.people.actions import add_sensitive_note
from jalon.people.models import (
    CONSENT_TEXTS,
    Channel,
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
from jalon.structures.validators import LA_POSTE_SIREN, luhn_ok
from jalon.text import normalize

from . import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD


@dataclass(frozen=True)
class StructureSpec:
    name: str
    kind: str
    commune: str  # INSEE code of the seat
    slug: str
    description: str
    people: int = 0
    profile: str = ""
    # Where its people live: INSEE codes with a weight. Empty: the seat's EPCI (intercommunality).
    area: tuple[tuple[str, int], ...] = ()


PARIS_EAST = (
    ("75120", 30),
    ("75119", 20),
    ("75118", 15),
    ("75111", 10),
    ("75110", 8),
    ("75112", 5),
    ("93048", 6),  # Montreuil
    ("93006", 3),  # Bagnolet
    ("93055", 3),  # Pantin
)

STRUCTURES = [
    # Ensemble à 100 % (seed 000)
    StructureSpec(
        "POP",
        K.ASSOCIATION,
        "75120",
        "pop",
        "Fablab d'insertion par le numérique. Co-porte Ensemble à 100 % avec O'Clock : ateliers "
        "découverte proposés aux partenaires, SprintCamp, simulateur d'entreprise.",
        60,
        "ensemble",
        PARIS_EAST,
    ),
    StructureSpec(
        "O'Clock",
        K.TRAINING,
        "75110",
        "oclock",
        "École du numérique, co-porteuse d'Ensemble à 100 % : la suite du parcours, jusqu'à la "
        "formation certifiante.",
        20,
        "oclock",
        PARIS_EAST,
    ),
    StructureSpec(
        "Mission locale de Paris",
        K.MISSION_LOCALE,
        "75119",
        "ml-paris",
        "Oriente des jeunes vers les ateliers d'Ensemble à 100 %.",
    ),
    StructureSpec(
        "France Travail Paris 20e",
        K.FRANCE_TRAVAIL,
        "75120",
        "ft-paris20",
        "Agence partenaire : oriente des demandeurs d'emploi vers les ateliers.",
    ),
    # Défi Insertion (seed 001)
    StructureSpec(
        "WeTechCare",
        K.ASSOCIATION,
        "75111",
        "wetechcare",
        "Porte Défi Insertion : forme les chargé·es d'insertion au diagnostic numérique, puis les "
        "pairs facilitateur·rices, avec un partenaire dans chacune des 3 régions pilotes.",
    ),
    StructureSpec(
        "Campus Vitamine T",
        K.TRAINING,
        "59350",
        "vitaminet",
        "Partenaire régional de Défi Insertion en Hauts-de-France ; reconnaît les compétences avec "
        "des Open Badges.",
        40,
        "smartphone",
    ),
    StructureSpec(
        "FAS Grand Est",
        K.NETWORK,
        "67482",
        "fasgrandest",
        "Fédération des acteurs de la solidarité : partenaire régional de Défi Insertion en Grand Est.",
        20,
        "smartphone",
    ),
    StructureSpec(
        "Inter-Réseaux IAE Occitanie",
        K.NETWORK,
        "31555",
        "iriae",
        "Réseau des SIAE d'Occitanie : partenaire régional de Défi Insertion.",
        20,
        "smartphone",
    ),
    StructureSpec(
        "Chênelet",
        K.ACI,
        "62487",
        "chenelet",
        "Le numérique dans les parcours d'insertion de 200 personnes par an : tablettes dans les "
        "ateliers, escape game, encadrant·es formé·es aussi.",
        30,
        "chenelet",
        (("62487", 10), ("62560", 20), ("62160", 35), ("62193", 25), ("62711", 5), ("62893", 5)),
    ),
    # Tremplin Numérique (seed 002)
    StructureSpec(
        "Les petits débrouillards Bretagne",
        K.ASSOCIATION,
        "29019",
        "debrouillards",
        "Tremplin Numérique à Brest, Rennes et Rostrenen : programmation, découpe laser, web, "
        "vidéo, chacun·e à son rythme, avec l'IMT Atlantique.",
        45,
        "tremplin",
        (
            ("29019", 30),
            ("29212", 4),
            ("29075", 3),
            ("35238", 28),
            ("35047", 3),
            ("35281", 3),
            ("22266", 12),
            ("22220", 3),
            ("22061", 2),
        ),
    ),
    StructureSpec(
        "IMT Atlantique",
        K.SCHOOL,
        "29019",
        "imt",
        "École d'ingénieur·es, partenaire pédagogique de Tremplin Numérique.",
    ),
    StructureSpec(
        "France Travail Brest",
        K.FRANCE_TRAVAIL,
        "29019",
        "ft-brest",
        "Recrute avec les petits débrouillards pour Tremplin Numérique et suit la formation.",
    ),
    StructureSpec(
        "Mission locale du Pays de Brest",
        K.MISSION_LOCALE,
        "29019",
        "ml-brest",
        "Oriente des jeunes vers Tremplin Numérique.",
    ),
    # Form'Ain Cube (seed 003)
    StructureSpec(
        "Form'Ain Cube",
        K.TRAINING,
        "01004",
        "formaincube",
        "Formation Référent numérique en entreprise et incubateur : les apprenant·es travaillent "
        "sur les projets réels des porteurs et porteuses de projet.",
        20,
        "formaincube",
    ),
    StructureSpec(
        "France Travail Ambérieu-en-Bugey",
        K.FRANCE_TRAVAIL,
        "01004",
        "ft-amberieu",
        "Oriente des demandeurs d'emploi vers Form'Ain Cube.",
    ),
    # Gare à idées (seed 004)
    StructureSpec(
        "Gare à idées",
        K.ASSOCIATION,
        "86194",
        "gareaidees",
        "Guichet unique des créateur·rices d'activité de Grand Poitiers, à la Caserne : un point de "
        "situation, puis la bonne permanence parmi les partenaires.",
        30,
        "creator",
    ),
    StructureSpec(
        "CRESS Nouvelle-Aquitaine",
        K.NETWORK,
        "86194",
        "cress",
        "Chambre régionale de l'économie sociale et solidaire : impulse la Gare à idées.",
    ),
    StructureSpec(
        "France Active Nouvelle-Aquitaine",
        K.ASSOCIATION,
        "86194",
        "franceactive",
        "Financement des créateur·rices ; tient des permanences à la Gare à idées.",
    ),
    StructureSpec(
        "Aceascop",
        K.COMPANY,
        "86194",
        "aceascop",
        "Coopérative d'activité et d'emploi (CAE) ; tient des permanences à la Gare à idées.",
    ),
    StructureSpec(
        "Consortium Coopérative",
        K.COMPANY,
        "86194",
        "consortium",
        "Coopérative d'activité et d'emploi (CAE) ; tient des permanences à la Gare à idées.",
    ),
    StructureSpec(
        "Mission locale de Poitiers",
        K.MISSION_LOCALE,
        "86194",
        "ml-poitiers",
        "Invite les partenaires de la Gare à idées à parler d'entrepreneuriat aux jeunes.",
    ),
    # Oser coder (seed 004)
    StructureSpec(
        "Hauts de Garonne Développement",
        K.ASSOCIATION,
        "33119",
        "hdg",
        "Agence de développement économique de la rive droite de Bordeaux. Oser coder : 3 jeudis "
        "matin pour découvrir un métier du numérique, pour les femmes sans emploi.",
        40,
        "oser",
        (
            ("33119", 30),
            ("33249", 25),
            ("33167", 20),
            ("33032", 8),
            ("33063", 10),
            ("33013", 4),
            ("33096", 3),
        ),
    ),
    StructureSpec(
        "Mission locale des Hauts de Garonne",
        K.MISSION_LOCALE,
        "33249",
        "ml-hdg",
        "Mission locale de la rive droite.",
    ),
    StructureSpec(
        "France Travail Cenon",
        K.FRANCE_TRAVAIL,
        "33119",
        "ft-cenon",
        "Invite des demandeuses d'emploi aux matinées Oser coder.",
    ),
    # Green Tech (seed 004)
    StructureSpec(
        "Ecocène",
        K.ASSOCIATION,
        "64445",
        "ecocene",
        "Association paloise d'éducation à l'environnement. Green Tech : guide des formations, "
        "inventaire des initiatives locales, quiz et test d'orientation.",
        20,
        "greentech",
    ),
    # Teen's Up (seed 004): works with schools, not with person files.
    StructureSpec(
        "Teen's Up",
        K.ASSOCIATION,
        "33063",
        "teensup",
        "Événement d'orientation pour les élèves de 3e et de seconde : 4 parcours thématiques, des "
        "associations partenaires, des classes inscrites par leurs enseignant·es.",
    ),
    StructureSpec(
        "Collège Jacques Ellul", K.SCHOOL, "33063", "college-ellul", "Classes de 3e inscrites à Teen's Up."
    ),
    StructureSpec(
        "Collège Georges Rayet", K.SCHOOL, "33167", "college-rayet", "Classes de 3e inscrites à Teen's Up."
    ),
    StructureSpec(
        "Lycée Les Iris", K.SCHOOL, "33249", "lycee-iris", "Classes de seconde inscrites à Teen's Up."
    ),
    StructureSpec(
        "Lycée François Mauriac",
        K.SCHOOL,
        "33063",
        "lycee-mauriac",
        "Classes de seconde inscrites à Teen's Up.",
    ),
    # RE-PAIR (seed 004)
    StructureSpec(
        "Transitions 64",
        K.ASSOCIATION,
        "64410",
        "transitions64",
        "Porte le PLIE Ouest Béarn et la démarche RE-PAIR : un facilitateur de parcours construit un "
        "réseau de capteurs (commerces, clubs, associations) et reçoit les personnes repérées.",
        40,
        "repair",
    ),
    StructureSpec(
        "PLIE Ouest Béarn",
        K.PLIE,
        "64410",
        "plie-ouest-bearn",
        "Accompagnement renforcé vers l'emploi ; reçoit les personnes orientées par RE-PAIR.",
        25,
        "plie",
    ),
    StructureSpec(
        "France Travail Mourenx",
        K.FRANCE_TRAVAIL,
        "64410",
        "ft-mourenx",
        "Agence partenaire : prescrit l'entrée au PLIE.",
    ),
    StructureSpec(
        "Mission locale Mourenx Oloron Orthez",
        K.MISSION_LOCALE,
        "64410",
        "ml-mourenx",
        "Repère les jeunes « invisibles » avec Transitions 64.",
    ),
]

PARTNERSHIPS = [
    ("POP", "O'Clock", "Co-portage d'Ensemble à 100 %"),
    ("POP", "Mission locale de Paris", "Ateliers découverte pour les jeunes suivis"),
    ("POP", "France Travail Paris 20e", "Ateliers découverte pour les demandeurs d'emploi"),
    ("WeTechCare", "Campus Vitamine T", "Défi Insertion — Hauts-de-France"),
    ("WeTechCare", "FAS Grand Est", "Défi Insertion — Grand Est"),
    ("WeTechCare", "Inter-Réseaux IAE Occitanie", "Défi Insertion — Occitanie"),
    ("WeTechCare", "Chênelet", "Défi Insertion : retour d'expérience"),
    ("Campus Vitamine T", "Chênelet", "Pairs facilitateur·rices en Hauts-de-France"),
    ("Les petits débrouillards Bretagne", "IMT Atlantique", "Tremplin Numérique"),
    (
        "Les petits débrouillards Bretagne",
        "France Travail Brest",
        "Recrutement et suivi de Tremplin Numérique",
    ),
    ("Les petits débrouillards Bretagne", "Mission locale du Pays de Brest", "Orientation de jeunes"),
    ("Form'Ain Cube", "France Travail Ambérieu-en-Bugey", "Orientation vers la formation"),
    ("Gare à idées", "CRESS Nouvelle-Aquitaine", "Permanences au bureau partagé"),
    ("Gare à idées", "France Active Nouvelle-Aquitaine", "Permanences au bureau partagé"),
    ("Gare à idées", "Aceascop", "Permanences au bureau partagé"),
    ("Gare à idées", "Consortium Coopérative", "Permanences au bureau partagé"),
    ("Gare à idées", "Mission locale de Poitiers", "Sensibilisation des jeunes à l'entrepreneuriat"),
    ("Hauts de Garonne Développement", "France Travail Cenon", "Invitations aux matinées Oser coder"),
    ("Hauts de Garonne Développement", "Mission locale des Hauts de Garonne", "Orientation"),
    ("Teen's Up", "Collège Jacques Ellul", "Classes inscrites sur un parcours"),
    ("Teen's Up", "Collège Georges Rayet", "Classes inscrites sur un parcours"),
    ("Teen's Up", "Lycée Les Iris", "Classes inscrites sur un parcours"),
    ("Teen's Up", "Lycée François Mauriac", "Classes inscrites sur un parcours"),
    ("Transitions 64", "PLIE Ouest Béarn", "RE-PAIR : accueil des personnes repérées"),
    ("Transitions 64", "France Travail Mourenx", "Orientation"),
    ("Transitions 64", "Mission locale Mourenx Oloron Orthez", "Repérage des publics invisibles"),
    ("PLIE Ouest Béarn", "France Travail Mourenx", "Prescriptions"),
]


@dataclass(frozen=True)
class StaffSpec:
    local: str  # e-mail local part: <local>@demo.jalon.fr
    first_name: str
    last_name: str
    structure: str
    role: str
    need_to_know: bool = False
    also: tuple[tuple[str, str], ...] = ()  # other (structure, role) memberships


STAFF = [
    # The main structure: one account per role.
    StaffSpec("admin.pop", "Sonia", "Mercier", "POP", Role.ADMIN),
    StaffSpec("cip.pop", "Karim", "Haddad", "POP", Role.CASE_WORKER, need_to_know=True),
    StaffSpec("formateur.pop", "Léa", "Fontaine", "POP", Role.TRAINER),
    StaffSpec("coord.pop", "Julien", "Perrin", "POP", Role.COORDINATOR),
    StaffSpec("lecture.pop", "Odile", "Garnier", "POP", Role.READ_ONLY),
    # The Ensemble à 100 % coordinator works for both co-running structures (structure switcher).
    StaffSpec(
        "coord.ensemble", "Inès", "Caron", "O'Clock", Role.COORDINATOR, also=(("POP", Role.COORDINATOR),)
    ),
    StaffSpec("cip.oclock", "Hugo", "Renard", "O'Clock", Role.CASE_WORKER),
    StaffSpec("admin.wetechcare", "Anne", "Moreau", "WeTechCare", Role.ADMIN),
    StaffSpec("cip.wetechcare", "Samia", "Benali", "WeTechCare", Role.CASE_WORKER),
    StaffSpec("cip.vitaminet", "Mehdi", "Lambert", "Campus Vitamine T", Role.CASE_WORKER),
    StaffSpec("cip.fasgrandest", "Lucie", "Muller", "FAS Grand Est", Role.CASE_WORKER),
    StaffSpec("cip.iriae", "Jordi", "Vidal", "Inter-Réseaux IAE Occitanie", Role.CASE_WORKER),
    StaffSpec("cip.chenelet", "Claire", "Dubois", "Chênelet", Role.CASE_WORKER),
    StaffSpec("cip.debrouillards", "Yann", "Le Gall", "Les petits débrouillards Bretagne", Role.CASE_WORKER),
    StaffSpec(
        "formateur.debrouillards", "Gwenaëlle", "Kerhervé", "Les petits débrouillards Bretagne", Role.TRAINER
    ),
    StaffSpec("formateur.imt", "Paul", "Guillou", "IMT Atlantique", Role.TRAINER),
    StaffSpec("cip.formaincube", "Nadia", "Roux", "Form'Ain Cube", Role.CASE_WORKER, need_to_know=True),
    StaffSpec("cip.gareaidees", "Thomas", "Bernard", "Gare à idées", Role.CASE_WORKER),
    StaffSpec("cip.cress", "Élodie", "Marchand", "CRESS Nouvelle-Aquitaine", Role.CASE_WORKER),
    StaffSpec("cip.franceactive", "Bruno", "Chevalier", "France Active Nouvelle-Aquitaine", Role.CASE_WORKER),
    StaffSpec("cip.aceascop", "Agathe", "Picard", "Aceascop", Role.CASE_WORKER),
    StaffSpec("cip.consortium", "Malik", "Brahimi", "Consortium Coopérative", Role.CASE_WORKER),
    StaffSpec("cip.hdg", "Fatou", "Diallo", "Hauts de Garonne Développement", Role.CASE_WORKER),
    StaffSpec("cip.ecocene", "Pierre", "Etchegaray", "Ecocène", Role.CASE_WORKER),
    StaffSpec("coord.teensup", "Sandra", "Lopez", "Teen's Up", Role.COORDINATOR),
    StaffSpec("cip.transitions64", "Marion", "Lafitte", "Transitions 64", Role.CASE_WORKER),
    StaffSpec("cip.plie", "Laurent", "Casenave", "PLIE Ouest Béarn", Role.CASE_WORKER),
]


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


def stable_seed(*parts: str) -> int:
    """A seed that is the same on every machine and every run (hash() is salted per process)."""
    return zlib.crc32("|".join(parts).encode())


_FAKER: list[Faker] = []


def _faker(seed: int) -> Faker:
    """One French Faker, re-seeded: building one costs more than everything it is asked here."""
    if not _FAKER:
        _FAKER.append(Faker("fr_FR"))
    _FAKER[0].seed_instance(seed)
    return _FAKER[0]


# --- Structures -----------------------------------------------------------------------------


def fake_siret(key: str) -> str:
    """A SIRET that passes the checksum yet can belong to no company.

    Every real SIREN passes the Luhn check itself (La Poste aside); this one is drawn so that it
    does not, then the establishment number is completed so the whole SIRET does.
    """
    rng = random.Random(stable_seed("siret", key))
    while True:
        siren = str(rng.randint(100_000_000, 999_999_999))
        if not luhn_ok(siren) and siren != LA_POSTE_SIREN:
            break
    base = siren + "0001"
    return next(base + digit for digit in "0123456789" if luhn_ok(base + digit))


# Blocks the telecoms regulator (ARCEP) keeps for fiction, one per geographic zone: valid
# numbers that ring nobody.
FICTION_BLOCKS = {"01": "+3319900", "02": "+3326191", "03": "+3335301", "04": "+3346571", "05": "+3353649"}
ZONE_BY_REGION = {"11": "01", "24": "02", "28": "02", "52": "02", "53": "02", "27": "03", "32": "03"}
ZONE_BY_REGION |= {"44": "03", "84": "04", "93": "04", "94": "04", "75": "05"}
SOUTH_EAST_OCCITANIE = {"11", "30", "34", "48", "66"}


def fiction_phone(commune: Commune, key: str, taken: set[str]) -> str:
    zone = ZONE_BY_REGION.get(commune.region)
    if zone is None:
        zone = "04" if commune.departement in SOUTH_EAST_OCCITANIE else "05"
    suffix = stable_seed("phone", key) % 10_000
    while (phone := f"{FICTION_BLOCKS[zone]}{suffix:04d}") in taken:
        suffix = (suffix + 1) % 10_000
    taken.add(phone)
    return phone


# --- People ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    ages: tuple[tuple[int, int, int], ...] = ((18, 25, 30), (26, 44, 40), (45, 54, 18), (55, 64, 12))
    women_only: bool = False
    status: tuple[tuple[str, int], ...] = (
        (EmploymentStatus.UNEMPLOYED, 60),
        (EmploymentStatus.INACTIVE, 20),
        (EmploymentStatus.EMPLOYED, 10),
        (EmploymentStatus.STUDENT, 10),
    )
    education: tuple[tuple[str, int], ...] = (
        (EducationLevel.NONE, 35),
        (EducationLevel.CAP, 25),
        (EducationLevel.BAC, 22),
        (EducationLevel.BAC2, 9),
        (EducationLevel.BAC3, 6),
        (EducationLevel.BAC5, 3),
    )
    rsa: float = 0.3
    rqth: float = 0.1
    smartphone: float = 0.9
    computer: float = 0.55
    internet: float = 0.75
    # Sharing consents go to these partners (names), for this share of people.
    share_to: tuple[str, ...] = ()
    share: float = 0.0


BEGINNER_EDUCATION = (
    (EducationLevel.NONE, 50),
    (EducationLevel.CAP, 30),
    (EducationLevel.BAC, 15),
    (EducationLevel.BAC2, 5),
)
IN_SIAE = (
    (EmploymentStatus.EMPLOYED, 75),  # salarié·e en insertion (CDDI): "en emploi, contrat aidé"
    (EmploymentStatus.UNEMPLOYED, 25),
)
GARE_PARTNERS = (
    "France Active Nouvelle-Aquitaine",
    "Aceascop",
    "Consortium Coopérative",
    "CRESS Nouvelle-Aquitaine",
)

PROFILES = {
    "ensemble": Profile(
        ages=((18, 25, 40), (26, 44, 45), (45, 60, 15)),
        computer=0.45,
        share_to=("O'Clock",),
        share=0.25,
    ),
    "oclock": Profile(
        ages=((19, 25, 40), (26, 45, 60)),
        computer=0.7,
        education=((EducationLevel.CAP, 20), (EducationLevel.BAC, 50), (EducationLevel.BAC2, 30)),
    ),
    "smartphone": Profile(
        status=IN_SIAE, education=BEGINNER_EDUCATION, smartphone=0.85, computer=0.2, internet=0.5, rsa=0.35
    ),
    "chenelet": Profile(
        status=IN_SIAE,
        education=BEGINNER_EDUCATION,
        smartphone=0.85,
        computer=0.2,
        internet=0.5,
        share_to=("Campus Vitamine T",),
        share=0.1,
    ),
    "tremplin": Profile(
        ages=((18, 25, 45), (26, 44, 40), (45, 58, 15)),
        education=BEGINNER_EDUCATION,
        smartphone=0.75,
        computer=0.2,
        internet=0.45,
        share_to=("France Travail Brest", "Mission locale du Pays de Brest"),
        share=0.15,
    ),
    "formaincube": Profile(
        ages=((24, 40, 50), (41, 58, 50)),
        rqth=0.7,
        computer=0.5,
        share_to=("France Travail Ambérieu-en-Bugey",),
        share=0.2,
    ),
    "creator": Profile(
        ages=((22, 35, 40), (36, 55, 50), (56, 64, 10)),
        status=(
            (EmploymentStatus.UNEMPLOYED, 50),
            (EmploymentStatus.EMPLOYED, 30),
            (EmploymentStatus.INACTIVE, 15),
            (EmploymentStatus.STUDENT, 5),
        ),
        education=(
            (EducationLevel.CAP, 20),
            (EducationLevel.BAC, 25),
            (EducationLevel.BAC2, 25),
            (EducationLevel.BAC3, 15),
            (EducationLevel.BAC5, 15),
        ),
        rsa=0.25,
        computer=0.85,
        internet=0.9,
        share_to=GARE_PARTNERS,
        share=0.4,
    ),
    "oser": Profile(
        ages=((30, 54, 1),),  # 30 to 55 on load day, still true a year later
        women_only=True,
        status=((EmploymentStatus.UNEMPLOYED, 80), (EmploymentStatus.INACTIVE, 20)),
        education=(
            (EducationLevel.NONE, 10),
            (EducationLevel.CAP, 20),
            (EducationLevel.BAC, 30),
            (EducationLevel.BAC2, 25),
            (EducationLevel.BAC3, 10),
            (EducationLevel.BAC5, 5),
        ),
        computer=0.65,
        share_to=("France Travail Cenon",),
        share=0.1,
    ),
    "greentech": Profile(
        ages=((18, 25, 50), (26, 50, 50)),
        status=(
            (EmploymentStatus.UNEMPLOYED, 45),
            (EmploymentStatus.STUDENT, 30),
            (EmploymentStatus.EMPLOYED, 25),
        ),
        education=(
            (EducationLevel.BAC, 30),
            (EducationLevel.BAC2, 30),
            (EducationLevel.BAC3, 25),
            (EducationLevel.BAC5, 15),
        ),
        rsa=0.1,
        computer=0.85,
        internet=0.95,
    ),
    "repair": Profile(
        ages=((18, 25, 25), (26, 54, 55), (55, 64, 20)),
        status=((EmploymentStatus.UNEMPLOYED, 45), (EmploymentStatus.INACTIVE, 55)),
        rsa=0.45,
        computer=0.35,
        internet=0.6,
        share_to=("PLIE Ouest Béarn",),
        share=0.35,
    ),
    "plie": Profile(rsa=0.4, computer=0.45, share_to=("France Travail Mourenx",), share=0.2),
}

LANGUAGES = (
    ("français", 70),
    ("français, anglais", 10),
    ("français, arabe", 8),
    ("français, portugais", 3),
    ("français, wolof", 2),
    ("français, turc", 2),
    ("français, espagnol", 2),
    ("français, tamoul", 1),
    ("français, ukrainien, russe", 2),
)
EMAIL_DOMAINS = ("example.org", "example.net", "example.com")  # reserved for examples (RFC 2606)

WORKSHOPS = (
    "découvrir les métiers du numérique",
    "créer et gérer son adresse e-mail",
    "son CV en ligne",
    "premiers pas en code HTML",
    "se protéger en ligne",
    "tourner une vidéo avec son smartphone",
)
TREMPLIN_MODULES = ("programmation", "découpe laser au fablab", "création de site web", "code", "vidéo")
FORMAINCUBE_PROJECTS = (
    "site vitrine d'une créatrice de bijoux",
    "boutique en ligne d'un maraîcher",
    "réseaux sociaux d'un atelier de réparation de vélos",
    "prise de rendez-vous en ligne d'une sophrologue",
)
OSER_MORNINGS = ("développeuse web", "data analyste", "cybersécurité")
GREEN_THEMES = (
    "énergies renouvelables",
    "mobilité durable",
    "bâtiment durable",
    "économie circulaire",
    "numérique responsable",
)
CAPTEURS = (
    "le bar-PMU du centre-ville",
    "une boulangerie",
    "le club de basket",
    "un salon de coiffure",
    "l'épicerie solidaire",
    "une agence immobilière",
    "une agence d'intérim",
    "le club de tennis",
)
HEALTH_NOTES = (
    (SensitiveCategory.DISABILITY, "RQTH. Aménagement souhaité : pauses régulières, grand écran."),
    (SensitiveCategory.DISABILITY, "Malentendant·e : placer au premier rang, consignes aussi par écrit."),
    (
        SensitiveCategory.DISABILITY,
        "Dyslexie : documents en police large, temps supplémentaire pour les questionnaires.",
    ),
    (SensitiveCategory.HEALTH, "Traitement au long cours : rendez-vous médicaux le mardi matin."),
    (SensitiveCategory.HEALTH, "Douleurs dorsales : éviter les postes debout prolongés."),
)


def _journey(profile: str, rng: random.Random, person: Person, start: date):
    """Steps of the person's path after the file was opened: (days later, kind, label, actor role).

    Steps land on working days (Thursdays for Oser coder). Steps that would fall after the load
    day are dropped later: recent files have a short history.
    """
    steps: list[tuple[int, str, str, str]] = []
    day = 0

    def step(
        gap: tuple[int, int], kind: str, label: str, actor: str = "referent", weekday: int | None = None
    ):
        nonlocal day
        day += rng.randint(*gap)
        if weekday is not None:
            day += (weekday - (start + timedelta(days=day)).weekday()) % 7
        elif (start + timedelta(days=day)).weekday() >= 5:
            day += 2  # Saturday to Monday, Sunday to Tuesday
        steps.append((day, kind, label, actor))

    if profile == "ensemble":
        count = rng.choices([1, 2, 3], weights=[30, 25, 45])[0]
        for theme in rng.sample(WORKSHOPS, count):
            step((2, 14), "workshop", f"Atelier découverte : {theme}", "trainer")
        if count == 3 and rng.random() < 0.6:
            step((7, 30), "sprintcamp", "SprintCamp : 4 jours pour découvrir les métiers du numérique")
            if rng.random() < 0.5:
                step((7, 21), "simulator", "Entrée au simulateur d'entreprise (3 mois de projets réels)")
                if rng.random() < 0.5:
                    step((80, 95), "orientation", "Orientation vers une formation certifiante avec O'Clock")
        elif count < 3 and rng.random() < 0.4:
            other = rng.choice(
                ["la Mission locale de Paris", "France Travail", "un atelier d'écrivain public"]
            )
            step((3, 20), "orientation", f"Réorientation vers {other}")
    elif profile == "oclock":
        step((0, 3), "training", "Entrée en formation certifiante : développeur·se web et web mobile")
        step((1, 7), "peer", "Accueil par un·e ancien·ne du simulateur d'entreprise (pair à pair)")
        step((20, 45), "review", "Point d'étape avec l'équipe pédagogique")
    elif profile in {"smartphone", "chenelet"}:
        step((3, 15), "diagnostic", "Diagnostic numérique avec le ou la chargé·e d'insertion")
        if profile == "chenelet" and rng.random() < 0.5:
            step((5, 20), "workshop", "Gestion de stock sur tablette à l'atelier")
        for _ in range(rng.randint(1, 4)):
            step(
                (5, 15),
                "workshop",
                "Atelier smartphone en groupe de 8, animé par un·e pair facilitateur·rice",
            )
        if rng.random() < 0.15:
            step((10, 30), "peer", "Formation de pair facilitateur·rice")
            step((1, 10), "badge", "Open Badge obtenu : pair facilitateur·rice numérique")
    elif profile == "tremplin":
        site = {"35": "Rennes", "22": "Rostrenen"}.get(person.commune.departement, "Brest")
        step((2, 10), "info", "Information collective avec France Travail")
        step((3, 15), "interview", "Entretien de recrutement pour Tremplin Numérique")
        step((7, 21), "training", f"Entrée en formation Tremplin Numérique — site de {site}")
        for module in rng.sample(TREMPLIN_MODULES, rng.randint(1, 3)):
            step((10, 25), "module", f"Module {module}", "trainer")
        step((10, 30), "questionnaire", "Questionnaire d'évaluation individuelle")
        if rng.random() < 0.4:
            step((20, 60), "exit", "Sortie positive : entrée en formation qualifiante")
    elif profile == "formaincube":
        step((3, 15), "training", "Entrée en formation Référent numérique en entreprise")
        step(
            (7, 14),
            "project",
            f"Binôme avec un porteur de projet de l'incubateur : {rng.choice(FORMAINCUBE_PROJECTS)}",
        )
        step(
            (60, 90),
            "questionnaire",
            "Questionnaire de fin de parcours (confiance, estime de soi, autonomie)",
        )
        step((85, 95), "follow_up", "Enquête à 3 mois après la fin du parcours")
    elif profile == "creator":
        step((0, 2), "intake", "Point de situation à la Gare à idées")
        partner = rng.choice(GARE_PARTNERS)
        step((2, 15), "orientation", f"Orientation vers la permanence de {partner}")
        if rng.random() < 0.5:
            step((7, 30), "appointment", f"Rendez-vous à la permanence de {partner}")
    elif profile == "oser":
        step((0, 0), "invitation", "Invitation aux matinées Oser coder (avec une vidéo de témoignage)")
        for job in OSER_MORNINGS[: rng.choices([1, 2, 3], weights=[15, 20, 65])[0]]:
            step((1, 3), "workshop", f"Jeudi matin Oser coder : {job}", weekday=3)
        if rng.random() < 0.35:
            step((10, 40), "orientation", "Orientation vers une formation courte au numérique")
    elif profile == "greentech":
        step((0, 5), "quiz", "Quiz de sensibilisation à la Green Tech")
        step((1, 10), "test", "Test d'intérêts et d'orientation")
        step((1, 20), "guide", f"Guide des formations consulté : {rng.choice(GREEN_THEMES)}")
        if rng.random() < 0.3:
            step((10, 60), "orientation", "Orientation vers une formation Green Tech en Nouvelle-Aquitaine")
    elif profile == "repair":
        step((0, 0), "referral", f"Repérage par un capteur : {rng.choice(CAPTEURS)}")
        step((2, 10), "intake", "Premier accueil par le facilitateur de parcours")
        if rng.random() < 0.6:
            step((3, 20), "orientation", "Orientation vers le PLIE Ouest Béarn")
        else:
            step((3, 20), "orientation", "Orientation vers un accompagnement social")
    elif profile == "plie":
        step((0, 0), "prescription", "Prescription de France Travail")
        step((3, 15), "intake", "Entretien d'accueil au PLIE")
        step((7, 20), "plan", "Plan d'action signé")
        if rng.random() < 0.4:
            step((20, 60), "job", "Mise en relation avec une entreprise du bassin de Lacq")
    return steps


def _office_hours(rng: random.Random, day: date, morning: bool = False) -> datetime:
    """A time the structure is open on `day` (Saturday moves to Friday, Sunday to Monday)."""
    if day.weekday() >= 5:
        day += timedelta(days=-1 if day.weekday() == 5 else 1)
    hour = rng.randint(9, 11) if morning else rng.randint(9, 16)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, rng.choice([0, 15, 30, 45])))


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _mobile(rng: random.Random, taken: set[str]) -> str:
    # Not every 06/07 number is allocated: keep only those the form would accept.
    while True:
        phone = f"+33{rng.choice('67')}{rng.randrange(10**8):08d}"
        if phone not in taken and phonenumbers.is_valid_number(phonenumbers.parse(phone)):
            taken.add(phone)
            return phone


def _area(spec: StructureSpec) -> tuple[list[Commune], list[int]]:
    if spec.area:
        codes = dict(spec.area)
        communes = Commune.objects.in_bulk(list(codes))
        missing = set(codes) - set(communes)
        if missing:
            raise LookupError(f"Communes inconnues pour {spec.name} : {', '.join(sorted(missing))}")
        return [communes[c] for c in codes], list(codes.values())
    seat = Commune.objects.get(code=spec.commune)
    around = Commune.objects.filter(is_arrondissement=False).exclude(code=seat.code)
    around = around.filter(epci=seat.epci) if seat.epci else around.filter(departement=seat.departement)
    nearby = list(around.order_by("-population")[:15])
    # The seat gets a third of the people; the rest by size, small communes still getting a few.
    weights = [max(c.population, 2000) ** 0.5 for c in nearby]
    total = sum(weights) or 1
    return [seat, *nearby], [50, *(round(100 * w / total) or 1 for w in weights)]


@dataclass
class _Plan:
    person: Person
    consents: list[Consent] = field(default_factory=list)
    events: list[PersonEvent] = field(default_factory=list)
    note: tuple[str, str] | None = None


@dataclass
class _Context:
    """What every person of one structure is drawn against."""

    spec: StructureSpec
    structure: Structure
    profile: Profile
    anchor: datetime
    communes: list[Commune]
    weights: list[int]
    referents: list
    trainers: list
    share_targets: list[Structure]
    labels: dict[str, str]
    phones: set[str] = field(default_factory=set)


def _plan_people(spec: StructureSpec, structure: Structure, partners: dict[str, Structure]) -> list[_Plan]:
    """Everything about the structure's demo people, drawn from fixed seeds."""
    profile = PROFILES[spec.profile]
    communes, weights = _area(spec)
    members = list(
        Membership.objects.filter(structure=structure, is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    editors = [m.user for m in members if m.can("people.edit")]
    context = _Context(
        spec=spec,
        structure=structure,
        profile=profile,
        anchor=structure.created_at,
        communes=communes,
        weights=weights,
        # Case workers follow most files; admins and coordinators a few.
        referents=[m.user for m in members if m.role == Role.CASE_WORKER] * 4 + editors,
        trainers=[m.user for m in members if m.role == Role.TRAINER],
        share_targets=[partners[name] for name in profile.share_to if name in partners],
        # Timeline labels are stored in French, like the ones the consent actions write.
        labels={purpose: str(label) for purpose, label in ConsentPurpose.choices},
    )
    return [_plan_person(context, index) for index in range(spec.people)]


def _plan_person(context: _Context, index: int) -> _Plan:
    """One person, their consents, timeline and maybe a sensitive note.

    Each person has their own seeds and draws their identity first: a member added to the
    structure since the last run changes who follows whom, never who the people are.
    """
    spec, structure, profile, anchor = context.spec, context.structure, context.profile, context.anchor
    rng = random.Random(stable_seed("person", spec.name, str(index)))
    fake = _faker(stable_seed("faker", spec.name, str(index)))
    anchor_day = timezone.localdate(anchor)
    if profile.women_only:
        gender = Gender.FEMALE
    else:
        gender = _weighted(rng, ((Gender.FEMALE, 49), (Gender.MALE, 49), (Gender.OTHER, 2)))
    if gender == Gender.FEMALE or (gender == Gender.OTHER and rng.random() < 0.5):
        first = fake.first_name_female()
    else:
        first = fake.first_name_male()
    last = fake.last_name()
    low, high, _ = rng.choices(profile.ages, weights=[w for *_, w in profile.ages])[0]
    birth = _years_before(anchor_day, rng.randint(low, high)) - timedelta(days=rng.randint(1, 364))

    created_at = _office_hours(rng, anchor_day - timedelta(days=rng.randint(3, 540)))
    start = timezone.localdate(created_at)
    commune = rng.choices(context.communes, weights=context.weights)[0]
    status = _weighted(rng, profile.status)
    since = None
    if status == EmploymentStatus.UNEMPLOYED and rng.random() < 0.85:
        since = start - timedelta(days=rng.randint(20, 4 * 365))
    phone = _mobile(rng, context.phones) if rng.random() < 0.93 else ""
    email = ""
    if not phone or rng.random() < 0.55:
        local = normalize(f"{first}.{last}").replace(" ", "-").replace("'", "")
        email = f"{local}{rng.choice(['', str(rng.randint(1, 99))])}@{rng.choice(EMAIL_DOMAINS)}"
    channels = [Channel.SMS] * 5 * bool(phone) + [Channel.PHONE] * 2 * bool(phone)
    channels += [Channel.EMAIL] * 2 * bool(email) + [Channel.MAIL]
    person = Person(
        structure=structure,
        referent=rng.choice(context.referents) if context.referents else None,
        first_name=first,
        last_name=last,
        birth_date=birth,
        gender=gender,
        phone=phone,
        email=email,
        preferred_channel=rng.choice(channels),
        commune=commune,
        employment_status=status,
        france_travail_since=since,
        long_term_unemployed=bool(since and (start - since).days >= 365),
        rsa=rng.random() < profile.rsa,
        ass=status == EmploymentStatus.UNEMPLOYED and rng.random() < 0.06,
        aah=rng.random() < 0.05,
        rqth=rng.random() < profile.rqth,
        qpv=rng.random() < (0.45 if commune.population >= 20_000 else 0.05),
        education_level=_weighted(rng, profile.education),
        has_smartphone=rng.random() < profile.smartphone,
        has_computer=rng.random() < profile.computer,
        has_internet=rng.random() < profile.internet,
        languages=_weighted(rng, LANGUAGES),
        created_at=created_at,
    )
    person.refresh_search_fields()
    plan = _Plan(person)
    actor = person.referent
    methods = ((ConsentMethod.ORAL, 55), (ConsentMethod.PAPER, 40), (ConsentMethod.ONLINE, 5))

    def event(at, kind, label, who=actor):
        plan.events.append(
            PersonEvent(person=person, structure=structure, kind=kind, label=label, occurred_at=at, actor=who)
        )

    def consent(purpose, at, target=None):
        given = Consent(
            person=person,
            purpose=purpose,
            target_structure=target,
            method=_weighted(rng, methods),
            text_version=CONSENT_TEXTS[purpose][0],
            given_at=at,
            recorded_by=actor,
        )
        plan.consents.append(given)
        label = f"Consentement donné : {context.labels[purpose]}"
        event(at, "consent_given", label + (f" ({target.name})" if target else ""))
        return given

    event(created_at, "created", "Dossier créé")
    consent(ConsentPurpose.ACCOMPANIMENT, created_at)
    if phone and rng.random() < 0.75:
        sms = consent(ConsentPurpose.CONTACT_SMS, created_at)
        if rng.random() < 0.06:
            sms.withdrawn_at = _office_hours(rng, start + timedelta(days=rng.randint(10, 90)))
            sms.withdrawn_by = actor
    if email and rng.random() < 0.6:
        consent(ConsentPurpose.CONTACT_EMAIL, created_at)
    if rng.random() < 0.5:
        consent(ConsentPurpose.STATISTICS, created_at)
    last_contact = created_at
    for days, kind, label, who in _journey(spec.profile, rng, person, start):
        if days:
            at = _office_hours(rng, start + timedelta(days=days), morning=kind == "workshop")
        else:
            at = created_at + timedelta(minutes=rng.randint(20, 90))
        if at >= anchor:
            break
        event(
            at, kind, label, rng.choice(context.trainers) if who == "trainer" and context.trainers else actor
        )
        last_contact = at
    if context.share_targets and rng.random() < profile.share:
        at = _office_hours(rng, start + timedelta(days=rng.randint(3, 30)))
        if at < anchor:
            sharing = consent(ConsentPurpose.SHARING, at, target=rng.choice(context.share_targets))
            if rng.random() < 0.2:
                withdrawn_on = timezone.localdate(at) + timedelta(days=rng.randint(15, 60))
                sharing.withdrawn_at = _office_hours(rng, withdrawn_on)
                sharing.withdrawn_by = actor
    for given in plan.consents:
        if given.withdrawn_at is None:
            continue
        if given.withdrawn_at >= anchor:
            given.withdrawn_at = given.withdrawn_by = None
            continue
        label = f"Consentement retiré : {context.labels[given.purpose]}"
        if given.target_structure is not None:
            label += f" ({given.target_structure.name})"
        event(given.withdrawn_at, "consent_withdrawn", label)
        last_contact = max(last_contact, given.withdrawn_at)
    if actor is not None and ((person.rqth and rng.random() < 0.5) or rng.random() < 0.03):
        plan.note = rng.choice(HEALTH_NOTES[:3] if person.rqth else HEALTH_NOTES[3:])
    person.updated_at = person.last_contact_at = last_contact
    return plan


def _create_people(
    spec: StructureSpec, structure: Structure, partners: dict[str, Structure]
) -> tuple[int, int]:
    """Create the structure's demo people that are not there yet: (created, already there)."""
    plans = _plan_people(spec, structure, partners)
    names = {plan.person.search_name for plan in plans}
    existing = set(
        Person.objects.filter(structure=structure, search_name__in=names).values_list(
            "first_name", "last_name", "birth_date"
        )
    )
    todo, seen = [], set(existing)
    for plan in plans:
        key = (plan.person.first_name, plan.person.last_name, plan.person.birth_date)
        if key not in seen:
            seen.add(key)
            todo.append(plan)
    if not todo:
        return 0, len(plans)
    Person.objects.bulk_create([plan.person for plan in todo])
    for plan in todo:  # bulk_create filled the primary keys: re-point the children at them
        for child in plan.consents + plan.events:
            child.person = plan.person
    Consent.objects.bulk_create([c for plan in todo for c in plan.consents])
    PersonEvent.objects.bulk_create([e for plan in todo for e in plan.events])
    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(structure=structure).select_related("user", "structure")
    }
    for plan in todo:
        if plan.note is None:
            continue
        category, text = plan.note
        # Through the action, as a case worker would: encrypted, and the write is audited.
        note = add_sensitive_note(
            person=plan.person, membership=memberships[plan.person.referent_id], category=category, text=text
        )
        SensitiveNote.objects.filter(pk=note.pk).update(created_at=plan.person.created_at + timedelta(days=1))
    return len(todo), len(plans) - len(todo)


# --- Loading --------------------------------------------------------------------------------


@dataclass
class Tally:
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)

    def add(self, what: str, made: bool | int, already: int | None = None) -> None:
        if already is None:
            self.created[what] += int(made)
            self.existing[what] += int(not made)
        else:
            self.created[what] += made
            self.existing[what] += already


@transaction.atomic
def load() -> Tally:
    tally = Tally()
    communes = Commune.objects.in_bulk([spec.commune for spec in STRUCTURES])
    taken_phones = set(Structure.objects.exclude(phone="").values_list("phone", flat=True))
    structures: dict[str, Structure] = {}
    for spec in STRUCTURES:
        structure = Structure.objects.filter(name__iexact=spec.name).first()
        tally.add("structures", structure is None)
        if structure is None:
            commune = communes[spec.commune]
            fake = _faker(stable_seed("address", spec.name))
            structure = Structure.objects.create(
                name=spec.name,
                kind=spec.kind,
                commune=commune,
                address=fake.street_address(),
                phone=fiction_phone(commune, spec.name, taken_phones),
                email=f"contact@{spec.slug}.{DEMO_EMAIL_DOMAIN}",
                siret=fake_siret(spec.name),
                description=spec.description,
            )
        structures[spec.name] = structure

    for source, target, description in PARTNERSHIPS:
        a, b = structures[source], structures[target]
        exists = Partnership.objects.filter(Q(source=a, target=b) | Q(source=b, target=a)).exists()
        tally.add("partenariats", not exists)
        if not exists:
            Partnership.objects.create(source=a, target=b, description=description)

    User = get_user_model()
    # One hash for every demo account: hashing is deliberately slow (about 0.3 s each).
    password = None
    for staff in STAFF:
        user = User.objects.filter(email=demo_email(staff.local)).first()
        tally.add("comptes", user is None)
        if user is None:
            password = password or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                email=demo_email(staff.local),
                password=password,
                first_name=staff.first_name,
                last_name=staff.last_name,
                current_structure=structures[staff.structure],
            )
        for structure_name, role in ((staff.structure, staff.role), *staff.also):
            _, made = Membership.objects.get_or_create(
                user=user,
                structure=structures[structure_name],
                defaults={
                    "role": role,
                    "need_to_know": staff.need_to_know and structure_name == staff.structure,
                },
            )
            tally.add("rattachements", made)
        if user.current_structure_id is None:
            user.current_structure = structures[staff.structure]
            user.save(update_fields=["current_structure"])

    for spec in STRUCTURES:
        if spec.people:
            partners = {p.name: p for p in structures[spec.name].partner_structures()}
            tally.add("personnes", *_create_people(spec, structures[spec.name], partners))
    # Each feature area loads its own demo on top of the structures, accounts and people.
    from . import agenda, directory, programmes, referrals

    referrals.load(tally, structures)
    agenda.load(tally, structures)
    directory.load(tally, structures)
    programmes.load(tally, structures)
    return tally
