"""Large volumes of plausible people, fast: bulk inserts instead of one save() per row.

Used by `jalon demo-data --people N` and by the benchmark (bench/run.py). Faker is only asked
once for pools of names; rows are then combined with a seeded random.Random, because calling
Faker per row makes 1 million people take hours instead of minutes. bulk_create skips
Person.save(), so the search fields are filled here with the same normalize() it uses.
"""

import random
import time
from bisect import bisect
from datetime import timedelta
from itertools import accumulate

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from faker import Faker

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
)
from jalon.structures.models import ROLE_PERMISSIONS, Commune, Membership, Structure
from jalon.text import normalize

POOL_SIZE = 4000
# Multiplier of the phone permutation: coprime with 10, so i -> (A*i + B) mod 10^8 is a bijection
# and phones stay unique as long as the global row index grows (it starts after the highest id).
PHONE_MULTIPLIER = 48_271
EMAIL_DOMAINS = ["example.org", "example.net", "example.com"]
LANGUAGES = [
    ("français", 70),
    ("français, anglais", 10),
    ("français, arabe", 8),
    ("arabe", 2),
    ("français, portugais", 2),
    ("français, espagnol", 2),
    ("français, wolof", 2),
    ("dari, pachto", 1),
    ("tamoul", 1),
    ("ukrainien, russe", 1),
    ("", 1),
]


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(accumulate(weights))


class _Picker:
    """random.choices(k=1) without its per-call setup: a bisect on precomputed cumulative weights."""

    def __init__(self, rng: random.Random, pairs):
        self.rng = rng
        self.values, self.cum = _weighted(pairs)
        self.total = self.cum[-1]

    def __call__(self):
        return self.values[bisect(self.cum, self.rng.random() * self.total)]


def name_pools(seed: int) -> dict[str, list[str]]:
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    return {
        "F": [fake.first_name_female() for _ in range(POOL_SIZE)],
        "M": [fake.first_name_male() for _ in range(POOL_SIZE)],
        "last": [fake.last_name() for _ in range(POOL_SIZE)],
    }


def _communes_by_structure(structures) -> dict[int, tuple[list[str], list[int]]]:
    """INSEE codes of each structure's département, weighted by population; any commune as fallback."""
    cache: dict[str, tuple[list[str], list[int]]] = {}

    def load(departement: str | None):
        if departement not in cache:
            rows = Commune.objects.filter(is_arrondissement=False)
            if departement:
                rows = rows.filter(departement=departement)
            pairs = list(rows.values_list("code", "population"))
            # Small communes still get people; big cities get more.
            cache[departement] = (
                _weighted([(code, population + 200) for code, population in pairs]) if pairs else ([], [])
            )
        return cache[departement]

    departements = dict(
        Structure.objects.filter(pk__in=[s.pk for s in structures]).values_list("pk", "commune__departement")
    )
    result = {}
    for structure in structures:
        codes = load(departements.get(structure.pk))
        result[structure.pk] = codes if codes[0] else load(None)
    return result


def _referents_by_structure(structures) -> dict[int, list[int]]:
    editors = [role for role, perms in ROLE_PERMISSIONS.items() if "people.edit" in perms]
    result = {}
    for structure in structures:
        active = Membership.objects.filter(structure=structure, is_active=True)
        users = list(active.filter(role__in=editors).values_list("user_id", flat=True)) or list(
            active.values_list("user_id", flat=True)
        )
        result[structure.pk] = sorted(users)
    return result


def _sqlite_fast_load(enable: bool) -> None:
    # The load is re-runnable: losing it to a power cut costs a re-run, not data.
    # PRAGMAs cannot change inside a transaction (a caller's atomic block, or a test).
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        if enable:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB: index pages stay in memory
            cursor.execute("PRAGMA temp_store=MEMORY")
        else:
            cursor.execute("PRAGMA synchronous=NORMAL")


def analyze() -> None:
    """Refresh planner statistics after a big load (PostgreSQL's autovacuum would do it later)."""
    tables = [Person._meta.db_table, Consent._meta.db_table, PersonEvent._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def bulk_people(
    *,
    structures: list[Structure],
    count: int,
    seed: int = 0,
    batch_size: int = 5000,
    stdout=None,
    with_events: bool = True,
    refresh_statistics: bool = True,
) -> int:
    """Create `count` people spread over `structures`, each with an active accompaniment consent.

    Also one "Dossier créé" timeline event each (`with_events`), so home pages and person files
    have the history real ones have. Then the planner statistics are refreshed
    (`refresh_statistics`): SQLite has none until ANALYZE runs, and without them it picks
    whole-structure scans for phone or age filters. Returns the number of people created.
    """
    if count <= 0 or not structures:
        return 0
    started = time.monotonic()
    pools = name_pools(seed)
    start_index = (Person.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    rng = random.Random(f"jalon-bulk-{seed}-{start_index}")
    communes = _communes_by_structure(structures)
    referents = _referents_by_structure(structures)
    phone_offset = rng.randrange(10**8)

    now = timezone.now()
    today = timezone.localdate()
    two_years = 2 * 365 * 86400
    gender = _Picker(rng, [(Gender.FEMALE, 50), (Gender.MALE, 48), (Gender.OTHER, 2)])
    age = _Picker(rng, [((16, 25), 35), ((26, 54), 50), ((55, 67), 15)])
    status = _Picker(
        rng,
        [
            (EmploymentStatus.UNEMPLOYED, 55),
            (EmploymentStatus.INACTIVE, 20),
            (EmploymentStatus.EMPLOYED, 15),
            (EmploymentStatus.STUDENT, 10),
        ],
    )
    education = _Picker(
        rng,
        [
            (EducationLevel.NONE, 35),
            (EducationLevel.CAP, 25),
            (EducationLevel.BAC, 22),
            (EducationLevel.BAC2, 8),
            (EducationLevel.BAC3, 6),
            (EducationLevel.BAC5, 3),
            ("", 1),
        ],
    )
    channel = _Picker(
        rng,
        [(Channel.SMS, 50), (Channel.PHONE, 25), (Channel.EMAIL, 15), (Channel.MAIL, 5), ("", 5)],
    )
    method = _Picker(rng, [(ConsentMethod.ORAL, 60), (ConsentMethod.PAPER, 35), (ConsentMethod.ONLINE, 5)])
    languages = _Picker(rng, LANGUAGES)
    text_version = CONSENT_TEXTS[ConsentPurpose.ACCOMPANIMENT][0]
    rand = rng.random
    first_names = {Gender.FEMALE: pools["F"], Gender.MALE: pools["M"], Gender.OTHER: pools["F"] + pools["M"]}
    last_names = pools["last"]

    def maybe(p_asked: float, p_yes: float):
        return None if rand() >= p_asked else rand() < p_yes

    created = 0
    _sqlite_fast_load(True)
    try:
        while created < count:
            size = min(batch_size, count - created)
            people = []
            for offset in range(size):
                index = start_index + created + offset
                structure = structures[index % len(structures)] if len(structures) > 1 else structures[0]
                g = gender()
                first = rng.choice(first_names[g])
                last = rng.choice(last_names)
                if rand() < 0.05:
                    last = f"{last}-{rng.choice(last_names)}"
                low, high = age()
                birth = today - timedelta(days=rng.randint(low * 365, high * 365 + 364))
                created_at = now - timedelta(seconds=rand() * two_years)
                last_contact = created_at + (now - created_at) * rand()
                codes, cum = communes[structure.pk]
                staff = referents[structure.pk]
                employment = status()
                since = None
                if employment == EmploymentStatus.UNEMPLOYED and rand() < 0.8:
                    since = today - timedelta(days=rng.randint(15, 4 * 365))
                email = ""
                if rand() < 0.3:
                    local = normalize(f"{first}.{last}").replace(" ", "-")
                    email = f"{local}{index % 1000}@{EMAIL_DOMAINS[index % 3]}"
                people.append(
                    Person(
                        structure=structure,
                        referent_id=rng.choice(staff) if staff and rand() < 0.95 else None,
                        first_name=first,
                        last_name=last,
                        birth_date=birth if rand() < 0.97 else None,
                        gender=g,
                        phone=f"+336{(PHONE_MULTIPLIER * index + phone_offset) % 10**8:08d}"
                        if rand() < 0.9
                        else "",
                        email=email,
                        preferred_channel=channel(),
                        commune_id=codes[bisect(cum, rand() * cum[-1])] if codes else None,
                        employment_status=employment,
                        france_travail_since=since,
                        long_term_unemployed=bool(since and (today - since).days >= 365),
                        rsa=rand() < 0.25,
                        ass=rand() < 0.05,
                        aah=rand() < 0.06,
                        rqth=rand() < 0.10,
                        qpv=rand() < 0.30,
                        education_level=education(),
                        has_smartphone=maybe(0.8, 0.85),
                        has_computer=maybe(0.8, 0.45),
                        has_internet=maybe(0.8, 0.7),
                        languages=languages(),
                        search_name=normalize(f"{last} {first}"),
                        search_name_alt=normalize(f"{first} {last}"),
                        created_at=created_at,
                        updated_at=last_contact,
                        last_contact_at=last_contact,
                    )
                )
            with transaction.atomic():
                Person.objects.bulk_create(people)
                Consent.objects.bulk_create(
                    [
                        Consent(
                            person_id=person.pk,
                            purpose=ConsentPurpose.ACCOMPANIMENT,
                            method=method(),
                            text_version=text_version,
                            given_at=person.created_at,
                            recorded_by_id=person.referent_id,
                        )
                        for person in people
                    ]
                )
                if with_events:
                    PersonEvent.objects.bulk_create(
                        [
                            PersonEvent(
                                person_id=person.pk,
                                structure_id=person.structure_id,
                                kind="created",
                                label="Dossier créé",
                                occurred_at=person.created_at,
                                actor_id=person.referent_id,
                            )
                            for person in people
                        ]
                    )
            created += size
            if stdout is not None:
                elapsed = time.monotonic() - started
                stdout.write(
                    f"{created:,}/{count:,} personnes ({created / elapsed:,.0f}/s)\n".replace(",", "\u202f")
                )
                stdout.flush()
    finally:
        _sqlite_fast_load(False)
    if refresh_statistics:
        analyze()
    return created
