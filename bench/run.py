#!/usr/bin/env python
"""`make bench`: our pages against a bare Django view, served by the same gunicorn, in one run.

Absolute times on a shared 2-core machine are noise; the ratio to a login-protected view doing
nothing (/_bench/bare/, same middleware, same session, same server) is what we track. Endpoints
are requested round-robin, in a shuffled order each round, so machine noise hits them all alike.
Query counts are measured in-process (django.test.Client + CaptureQueriesContext) on the same
dataset: they must not grow with the number of people.

    .venv/bin/python bench/run.py                       # 100,000 people, SQLite
    .venv/bin/python bench/run.py --people 10000        # about a minute
    .venv/bin/python bench/run.py --people 1000000 --database postgres --keep
    make bench BENCH_ARGS="--people 10000"

The dataset lives under bench/data/ (SQLite) or in the PostgreSQL database `jalon_bench` on
127.0.0.1:5432; both are thrown away after the run unless --keep (which also reuses them).
Results are added to bench/RESULTS.md (newest first) with the command that produced them.
"""

import argparse
import base64
import http.client
import os
import platform
import random
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
MARKER = "<!-- runs: newest first; bench/run.py inserts below this line -->"
GOAL = 8.0
PG_ADMIN = dict(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
# BENCH_PG_NAME: engineers sharing one PostgreSQL each measure in their own database.
PG_NAME = os.environ.get("BENCH_PG_NAME", "jalon_bench")
STRUCTURE_NAME = "Structure de mesure"
MEASURED_EMAIL = "cip.mesure@example.org"
# What people type in the search box: three letters matching many last and first names
# (Martin, Marchand, Marie, Marc…), a whole last name, a typo matching nobody.
SEARCH = "mar"
SEARCH_LAST = "petit"
SEARCH_NONE = "xyzw"
PERSON_SAMPLE = 50


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000, help="people in the measured structure")
    parser.add_argument(
        "--referrals",
        type=int,
        default=0,
        help="referrals (repérage) in the measured structure; >0 also measures the inbox and indicators",
    )
    parser.add_argument(
        "--services",
        type=int,
        default=0,
        help="services in the directory; >0 also measures the directory search (rotating French queries)",
    )
    parser.add_argument(
        "--attendance",
        type=int,
        default=0,
        help="attendance rows of the national programme; >0 also builds one with a tenth of them and "
        "measures both dashboards and the funnel API (issue 5)",
    )
    parser.add_argument("--requests", type=int, default=200, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests per endpoint first")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--keep", action="store_true", help="reuse the dataset if present, keep it after")
    parser.add_argument(
        "--caseload",
        type=int,
        default=150,
        help="people per case worker: the structure gets people/caseload case workers, so the home page "
        "(one case worker's files) stays realistic while the list holds everyone",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="skip ANALYZE after the load: a SQLite file nobody ever analyzed (the planner guesses)",
    )
    parser.add_argument("--max-minutes", type=float, default=15, help="bound on the measuring phase")
    parser.add_argument("--no-results", action="store_true", help="print only, leave RESULTS.md alone")
    return parser.parse_args(argv)


# --- environment -------------------------------------------------------------------------------


def database_url(args) -> str:
    if args.database == "postgres":
        return f"postgres://{PG_ADMIN['user']}@{PG_ADMIN['host']}:{PG_ADMIN['port']}/{PG_NAME}"
    return f"sqlite:///{sqlite_path(args)}"


def sqlite_path(args) -> Path:
    return DATA / f"bench-{args.people}.sqlite3"


def server_env(args) -> dict[str, str]:
    """Production settings (DEBUG off, manifest static files), relaxed only for plain-HTTP loopback."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        JALON_ENCRYPTION_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        JALON_BENCH="1",
        JALON_ALLOW_DEMO="1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url(args),
        JALON_VAR_DIR=str(DATA / "var"),
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    return env


def pg_admin(sql: str, params=None):
    import psycopg

    with psycopg.connect(**PG_ADMIN, autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def drop_dataset(args):
    if args.database == "postgres":
        pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    else:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{sqlite_path(args)}{suffix}").unlink(missing_ok=True)


def dataset_exists(args) -> bool:
    if args.database == "postgres":
        return bool(pg_admin("SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]))
    return sqlite_path(args).exists()


# --- dataset -----------------------------------------------------------------------------------


def existing_people(args) -> int:
    from jalon.people.models import Person
    from jalon.structures.models import Membership

    try:
        from jalon.referrals.models import Referral

        if Membership.objects.filter(structure__name=STRUCTURE_NAME).count() != staff_count(args):
            return -1
        if Referral.objects.filter(structure__name=STRUCTURE_NAME).count() != args.referrals:
            return -1
        from jalon.directory.models import Service

        if Service.objects.count() != args.services:
            return -1
        return Person.objects.filter(structure__name=STRUCTURE_NAME).count()
    except Exception:  # noqa: BLE001 — a half-built dataset is rebuilt
        return -1


def staff_count(args) -> int:
    return max(1, -(-args.people // args.caseload))


def build_dataset(args, log) -> dict:
    """One structure holding every person (the hardest list to page and search), its staff, its people."""
    from jalon.demo.bulk import analyze, bulk_people
    from jalon.structures.models import Commune, Membership, Role, Structure, StructureKind
    from jalon.users.models import User

    structure = Structure.objects.create(
        name=STRUCTURE_NAME,
        kind=StructureKind.ASSOCIATION,
        commune=Commune.objects.filter(code="35238").first(),  # Rennes: 333 communes in Ille-et-Vilaine
    )
    users = User.objects.bulk_create(
        User(
            email=MEASURED_EMAIL if i == 0 else f"cip{i}.mesure@example.org",
            password="!",  # unusable: the bench logs in with a session, never a password
            first_name=f"Agent{i}",
            last_name="Mesure",
            current_structure=structure,
        )
        for i in range(staff_count(args))
    )
    Membership.objects.bulk_create(
        Membership(user=user, structure=structure, role=Role.CASE_WORKER) for user in users
    )
    started = time.monotonic()
    log(f"Génération de {fr(args.people)} personnes ({args.database})…")
    created = bulk_people(
        structures=[structure], count=args.people, seed=args.seed, stdout=sys.stdout, refresh_statistics=False
    )
    seconds = time.monotonic() - started
    referral_seconds = None
    if args.referrals:
        t0 = time.monotonic()
        log(f"Génération de {fr(args.referrals)} demandes de repérage…")
        bulk_referrals(structure, users, args.referrals, args.seed)
        referral_seconds = time.monotonic() - t0
    service_seconds = None
    if args.services:
        from jalon.directory.bulk import bulk_services

        t0 = time.monotonic()
        log(f"Génération de {fr(args.services)} services de l'annuaire…")
        bulk_services(args.services, seed=args.seed)
        service_seconds = time.monotonic() - t0
    programme_info = None
    if args.attendance:
        programme_info = bulk_programmes(structure, args, log)
    analyze_seconds = None
    if not args.no_analyze:
        # PostgreSQL's autovacuum would analyze the fresh tables within minutes (and set the
        # visibility map that index-only scans need); for SQLite the project has to run it (see
        # bench/README.md). Timed apart from the generation.
        t0 = time.monotonic()
        analyze()
        if args.database == "postgres" and (args.referrals or args.services or args.attendance):
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        analyze_seconds = time.monotonic() - t0
    return {
        "created": created,
        "seconds": seconds,
        "analyze_seconds": analyze_seconds,
        "referral_seconds": referral_seconds,
        "service_seconds": service_seconds,
        "programmes": programme_info,
    }


def bulk_programmes(structure, args, log) -> dict:
    """Two national programmes in the same database, one with a tenth of the other's attendance:
    their dashboards are measured in the same run, so their ratio is free of machine noise."""
    from jalon.people.models import Person
    from jalon.programmes import bulk, rollup

    ids = list(Person.objects.filter(structure=structure).order_by("pk").values_list("pk", flat=True))
    large_people = bulk.people_needed(args.attendance)
    small_rows = args.attendance // 10
    if large_people + bulk.people_needed(small_rows) > len(ids):
        raise SystemExit(
            f"--attendance {args.attendance} demande {large_people + bulk.people_needed(small_rows)} personnes : "
            f"augmentez --people ({len(ids)})."
        )
    t0 = time.monotonic()
    log(f"Programme national : {fr(args.attendance)} présences…")
    large = bulk.bulk_programme(
        structure=structure,
        name=PROGRAMME_LARGE,
        people_ids=ids[:large_people],
        attendance_rows=args.attendance,
        log=log,
    )
    log(f"Programme national : {fr(small_rows)} présences…")
    small = bulk.bulk_programme(
        structure=structure,
        name=PROGRAMME_SMALL,
        people_ids=ids[large_people:],
        attendance_rows=small_rows,
        log=log,
    )
    generated = time.monotonic() - t0
    # Statistics first, as autovacuum would have them in production: without them PostgreSQL
    # planned the first-entry query over 22 million fresh rows as nested loops (over ten minutes).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # every table (jalon.demo.bulk.analyze covers the people tables only)
    t0 = time.monotonic()
    log("Calcul des cumuls quotidiens (le travail des dix minutes, ici sur deux ans d'un coup)…")
    days = rollup.refresh()
    return {
        "large": {k: v for k, v in large.items() if k != "programme"},
        "small": {k: v for k, v in small.items() if k != "programme"},
        "seconds": generated,
        "rollup_seconds": time.monotonic() - t0,
        "rollup_days": days,
    }


# What case workers type: frequent words in the national directory, then selective ones.
FREQUENT_QUERIES = [
    "emploi",
    "formation",
    "numerique",
    "atelier",
    "accompagnement",
    "aide",
    "logement",
    "sante",
    "jeunes",
    "permanence",
    "recherche emploi",
    "formation qualifiante",
    "atelier numerique",
    "demarches en ligne",
    "acces aux droits",
    "mobilite",
    "budget",
    "francais",
    "garde enfants",
    "creation entreprise",
]
SELECTIVE_QUERIES = [
    "alphabetisation",
    "couveuse",
    "auto-ecole sociale",
    "ecrivain public",
    "job dating",
    "hebergement urgence",
    "concours",
    "surendettement",
    "parentalite",
    "scooter",
    "tablette",
    "entretien embauche",
    "batiment",
    "ameli",
    "expulsion",
    "medecin consultation gratuite",
    "permis de conduire",
    "titre professionnel",
    "remise a niveau",
    "lettre de motivation",
]


REFERRERS = 300
PROGRAMME_LARGE = "Programme national (grand)"
PROGRAMME_SMALL = "Programme national (dixième)"


def bulk_referrals(structure, users, count: int, seed: int) -> None:
    """Referrals over two years from 300 referrers, every status, with orientations and appointments."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from jalon.agenda.models import Appointment, Outcome, Participant
    from jalon.people.models import Person
    from jalon.referrals import rollup
    from jalon.referrals.models import (
        Orientation,
        OrientationStatus,
        OrientationTarget,
        Referral,
        ReferralStatus,
        Referrer,
        ReferrerKind,
    )

    rng = random.Random(seed)
    now = timezone.now()
    kinds = ReferrerKind.values
    referrers = Referrer.objects.bulk_create(
        Referrer(
            structure=structure,
            name=f"Relais {i:04d}",
            kind=kinds[i % len(kinds)],
            facilitator=users[i % len(users)],
            created_at=now - timedelta(days=800),
            last_referral_at=now - timedelta(days=rng.randrange(0, 200)),
        )
        for i in range(REFERRERS)
    )
    statuses = ReferralStatus.values
    batch = 5000
    for start in range(0, count, batch):
        rows = []
        for _ in range(min(batch, count - start)):
            created = now - timedelta(minutes=rng.randrange(0, 730 * 24 * 60))
            status = rng.choice(statuses)
            delay = rng.randrange(60, 200 * 60) if status != "nouvelle" else None
            rows.append(
                Referral(
                    structure=structure,
                    referrer=rng.choice(referrers) if rng.random() < 0.9 else None,
                    source="lien",
                    first_name="Mesure",
                    phone=f"+336{rng.randrange(10**8):08d}",
                    needs=["emploi"],
                    contact_consent_at=created,
                    consent_text_version="2026-11",
                    status=status,
                    assigned_to=rng.choice(users) if status != "nouvelle" else None,
                    created_at=created,
                    first_contact_at=created + timedelta(minutes=delay) if delay is not None else None,
                    first_contact_minutes=delay,
                    status_changed_at=created,
                )
            )
        with transaction.atomic():
            Referral.objects.bulk_create(rows)
    # bulk_create bypasses the actions that mark the indicators' monthly roll-ups dirty.
    rollup.rebuild(structure)
    people = list(Person.objects.filter(structure=structure).values_list("pk", flat=True)[:5000])
    orientation_statuses = OrientationStatus.values
    orientations = []
    for i in range(count // 20):
        created = now - timedelta(minutes=rng.randrange(0, 730 * 24 * 60))
        status = rng.choice(orientation_statuses)
        answered = status not in ("proposee", "expiree", "annulee")
        orientations.append(
            Orientation(
                person_id=people[i % len(people)],
                from_structure=structure,
                target_kind=OrientationTarget.PROGRAMME,
                target_label="Atelier",
                motive="Mesure",
                share_contact=False,
                status=status,
                created_at=created,
                answered_at=created + timedelta(hours=rng.randrange(1, 300)) if answered else None,
                status_changed_at=created,
            )
        )
    Orientation.objects.bulk_create(orientations, batch_size=5000)
    appointments = Appointment.objects.bulk_create(
        (
            Appointment(
                structure=structure,
                title="Premier accueil",
                starts_at=(at := now - timedelta(minutes=rng.randrange(-30 * 24 * 60, 730 * 24 * 60))),
                ends_at=at + timedelta(minutes=45),
                uid=f"bench{i}",
            )
            for i in range(count // 50)
        ),
        batch_size=5000,
    )
    outcomes = Outcome.values
    Participant.objects.bulk_create(
        (
            Participant(
                appointment=appointment,
                person_id=people[i % len(people)],
                first_name="Mesure",
                outcome=rng.choice(outcomes),
            )
            for i, appointment in enumerate(appointments)
        ),
        batch_size=5000,
    )


def refresh_statistics(args):
    """A reused dataset gets the statistics this run asks for, whatever the last run left."""
    from django.db import connection

    from jalon.demo.bulk import analyze

    if not args.no_analyze:
        analyze()
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat4")
        connection.close()  # the planner reads statistics when a connection opens


def pick_targets(args) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from jalon.pagination import encode_cursor
    from jalon.people.models import Person
    from jalon.users.models import User

    user = User.objects.get(email=MEASURED_EMAIL)
    year_ago = (timezone.localdate() - timedelta(days=365)).isoformat()
    people = Person.objects.filter(structure_id=user.current_structure_id)
    middle = people.order_by("search_name", "pk").values_list("search_name", "pk")[args.people // 2]
    rng = random.Random(args.seed)
    max_pk = people.order_by("-pk").values_list("pk", flat=True).first()
    min_pk = people.order_by("pk").values_list("pk", flat=True).first()
    ids, phones = [], []
    while len(ids) < PERSON_SAMPLE:
        candidate = (
            people.filter(pk__gte=rng.randint(min_pk, max_pk)).order_by("pk").values("pk", "phone").first()
        )
        if candidate:
            ids.append(candidate["pk"])
            if candidate["phone"]:
                phones.append("0" + candidate["phone"][3:])  # typed the French way: 06…
    programmes = {}
    if args.attendance:
        from jalon.programmes.models import Programme

        programmes = {
            p.name: p.pk for p in Programme.objects.filter(name__in=[PROGRAMME_LARGE, PROGRAMME_SMALL])
        }
    return {
        "user": user,
        "endpoints": {
            "bare": ["/_bench/bare/"],
            "home": ["/"],
            "list": ["/personnes/"],
            "list_page": [f"/personnes/?apres={encode_cursor(*middle)}"],
            "search": [f"/personnes/?q={SEARCH}"],
            "search_last": [f"/personnes/?q={SEARCH_LAST}"],
            "search_none": [f"/personnes/?q={SEARCH_NONE}"],
            "search_phone": [f"/personnes/?q={phone}" for phone in phones[:10]],
            "mine": ["/personnes/?mine=on"],
            "person": [f"/personnes/{pk}/" for pk in ids],
            **(
                {
                    "services_frequent": [f"/annuaire/?q={quote(q)}" for q in FREQUENT_QUERIES],
                    "services_selective": [f"/annuaire/?q={quote(q)}" for q in SELECTIVE_QUERIES],
                    "services_commune": [f"/annuaire/?q={quote(q)}&commune=35238" for q in FREQUENT_QUERIES],
                    "services_api": [
                        f"/api/v1/services?q={quote(q)}" for q in SELECTIVE_QUERIES + FREQUENT_QUERIES
                    ],
                }
                if args.services
                else {}
            ),
            **(
                {
                    "inbox": ["/accueil/"],
                    "inbox_all": ["/accueil/?statut=toutes"],
                    "referrers": ["/relais/"],
                    "indicators": ["/indicateurs/"],
                    "indicators_year": [f"/indicateurs/?du={year_ago}"],
                }
                if args.referrals
                else {}
            ),
            **(
                {
                    "programme_small": [f"/programmes/{programmes[PROGRAMME_SMALL]}/tableau-de-bord/"],
                    "programme_large": [f"/programmes/{programmes[PROGRAMME_LARGE]}/tableau-de-bord/"],
                    "programme_api": [f"/api/v1/programmes/{programmes[PROGRAMME_LARGE]}/funnel"],
                }
                if args.attendance
                else {}
            ),
        },
    }


LABELS = {
    "bare": "vue Django nue (référence) `/_bench/bare/`",
    "home": "accueil `/`",
    "list": "liste des personnes, page 1 `/personnes/`",
    "list_page": "liste, page du milieu `?apres=…`",
    "search": f"liste, recherche `?q={SEARCH}`",
    "search_last": f"liste, recherche d'un nom `?q={SEARCH_LAST}`",
    "search_none": f"liste, recherche sans résultat `?q={SEARCH_NONE}`",
    "search_phone": "liste, recherche d'un téléphone `?q=06…` (10 numéros)",
    "mine": "liste, mes personnes suivies `?mine=on`",
    "person": "fiche personne `/personnes/<id>/` (50 fiches)",
    "services_frequent": "annuaire, mots fréquents `/annuaire/?q=emploi…` (20 requêtes)",
    "services_selective": "annuaire, mots rares `/annuaire/?q=couveuse…` (20 requêtes)",
    "services_commune": "annuaire, mots fréquents + commune (Rennes)",
    "services_api": "API `/api/v1/services?q=…` (40 requêtes)",
    "inbox": "demandes reçues, à traiter `/accueil/`",
    "inbox_all": "demandes reçues, toutes `/accueil/?statut=toutes`",
    "referrers": "relais `/relais/`",
    "indicators": "indicateurs, 90 jours `/indicateurs/`",
    "indicators_year": "indicateurs, un an `/indicateurs/?du=…`",
    "programme_small": "tableau de bord d'un programme, le dixième des présences",
    "programme_large": "tableau de bord d'un programme, toutes les présences",
    "programme_api": "API entonnoir `/api/v1/programmes/<id>/funnel`, toutes les présences",
}


def count_queries(targets) -> dict[str, int]:
    """Queries per endpoint, in-process on the same dataset; the SQL goes to bench/out/ for reading."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # in this process only: gives response.context for the checks below
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(targets["user"])
    counts = {}
    OUT.mkdir(parents=True, exist_ok=True)
    for name, paths in targets["endpoints"].items():
        client.get(paths[0])  # warm caches (templates, content types) like a running server
        per_path = []
        for path in paths[:3]:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} a répondu {response.status_code} en interne")
            page = response.context.get("page") if response.context else None
            if page is not None and bool(page.items) != (name != "search_none"):
                # A list page measured empty (or a typo found) would be a fast, wrong result.
                raise SystemExit(f"{path} : {len(page.items)} ligne(s), ce n'est pas la page attendue")
            per_path.append(len(captured))
            if path == paths[0]:
                sql = "\n".join(f"-- {q['time']}s\n{q['sql']};" for q in captured.captured_queries)
                (OUT / f"queries-{name}.sql").write_text(sql + "\n")
        if len(set(per_path)) != 1:
            raise SystemExit(f"{name}: nombre de requêtes variable d'une fiche à l'autre {per_path}")
        counts[name] = per_path[0]
    return counts


def session_cookie(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    connection.close()  # nothing of ours stays open on the SQLite file while gunicorn serves
    return f"sessionid={store.session_key}"


# --- server ------------------------------------------------------------------------------------


def free_port() -> int:
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port != 8000:
            return port


def start_gunicorn(args, env, port, log_file):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "jalon.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "sync",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    # Own process group: stop_gunicorn ends the master and its workers, and nothing else.
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_gunicorn(process):
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


def get(port, path, cookie, timeout=60) -> tuple[float, int]:
    """One request on a fresh connection (sync workers close it anyway); seconds until the last byte."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Accept": "text/html"})
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    return time.perf_counter() - started, response.status


def wait_ready(port, process, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"gunicorn s'est arrêté (code {process.returncode}), voir bench/out/gunicorn.log"
            )
        try:
            _, status = get(port, "/healthz", "", timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn ne répond pas après 90 s")


def measure(args, port, cookie, endpoints, log) -> tuple[dict[str, list[float]], int]:
    rng = random.Random(args.seed)
    names = list(endpoints)
    cursor = dict.fromkeys(names, 0)
    samples = {name: [] for name in names}
    deadline = time.monotonic() + args.max_minutes * 60
    rounds = 0
    for round_no in range(args.warmup + args.requests):
        if time.monotonic() > deadline:
            log(f"Arrêt : limite de {args.max_minutes} min atteinte après {rounds} tours mesurés.")
            break
        rng.shuffle(names)
        for name in names:
            paths = endpoints[name]
            path = paths[cursor[name] % len(paths)]
            cursor[name] += 1
            seconds, status = get(port, path, cookie)
            if status != 200:
                raise SystemExit(f"{path} a répondu {status}")
            if round_no >= args.warmup:
                samples[name].append(seconds)
        if round_no >= args.warmup:
            rounds += 1
            if rounds % 50 == 0:
                log(f"  {rounds}/{args.requests} tours")
    return samples, rounds


def fr(number: float) -> str:
    """1 000 000 the French way (narrow no-break space)."""
    return f"{number:,.0f}".replace(",", "\u202f")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: an observed value, no interpolation."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# --- report ------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        mem = "?"
    return f"{cpu}, {os.cpu_count()} cœurs, {mem} RAM, {platform.system()} {platform.release()}"


def versions(args) -> str:
    import django
    import gunicorn
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        db = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
    return f"Python {platform.python_version()}, Django {django.get_version()}, gunicorn {gunicorn.__version__}, {db}"


def render(args, command, info, generation, queries, samples, rounds) -> str:
    bare50, bare95 = percentile(samples["bare"], 50), percentile(samples["bare"], 95)
    lines = [
        f"## {datetime.now():%Y-%m-%d %H:%M} — {'PostgreSQL' if args.database == 'postgres' else 'SQLite'}, "
        f"{fr(args.people)} personnes" + (f", {fr(args.referrals)} demandes" if args.referrals else ""),
        "",
        f"- Commande : `{command}`",
        f"- Machine : {info['machine']}",
        f"- Logiciels : {info['versions']}",
        f"- Serveur : gunicorn, {args.workers} workers sync, 127.0.0.1, DEBUG=0 ; client séquentiel "
        f"(une requête à la fois), {rounds} tours mesurés après {args.warmup} de chauffe, ordre mélangé à chaque tour",
        f"- Données : {fr(args.people)} personnes dans une seule structure, {fr(staff_count(args))} accompagnateur·rices "
        f"(~{fr(args.caseload)} personnes suivies chacun·e), 1 consentement et 1 événement de parcours par personne",
    ]
    if args.services:
        lines.append(
            f"- Annuaire : {fr(args.services)} services générés (`jalon.directory.bulk`)"
            + (
                f" en {generation['service_seconds']:.0f} s"
                if generation and generation.get("service_seconds")
                else ""
            )
        )
    if args.referrals:
        lines.append(
            f"- Repérage : {fr(args.referrals)} demandes sur deux ans venant de {REFERRERS} relais, "
            f"{fr(args.referrals // 20)} orientations, {fr(args.referrals // 50)} rendez-vous avec présence"
            + (
                f" (générés en {generation['referral_seconds']:.0f} s)"
                if generation and generation.get("referral_seconds")
                else ""
            )
        )
    if generation:
        rate = generation["created"] / generation["seconds"] if generation["seconds"] else 0
        text = (
            f"- Génération : {fr(generation['created'])} personnes en {generation['seconds']:.0f} s "
            f"({fr(rate)} personnes/s ; chacune avec 1 consentement et 1 événement, soit 3 lignes)"
        )
        if generation.get("analyze_seconds") is not None:
            text += f", puis ANALYZE en {generation['analyze_seconds']:.1f} s"
        else:
            text += ", sans ANALYZE (--no-analyze : statistiques du planificateur absentes)"
        lines.append(text)
    else:
        stats = (
            "statistiques du planificateur supprimées (--no-analyze)" if args.no_analyze else "ANALYZE refait"
        )
        lines.append(f"- Génération : jeu de données réutilisé (--keep), {stats}")
    lines += [
        "",
        "| page | p50 (ms) | p95 (ms) | p50 / nue | p95 / nue | requêtes SQL |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    worst = 0.0
    for name in LABELS:
        if name not in samples:
            continue
        p50, p95 = percentile(samples[name], 50), percentile(samples[name], 95)
        r50, r95 = p50 / bare50, p95 / bare95
        if name != "bare":
            worst = max(worst, r95)
        flag = " ⚠" if r95 > GOAL else ""
        lines.append(
            f"| {LABELS[name]} | {p50 * 1000:.1f} | {p95 * 1000:.1f} | {r50:.2f} | {r95:.2f}{flag} | {queries[name]} |"
        )
    info_programmes = generation.get("programmes") if generation else None
    if "programme_large" in samples:
        scale = percentile(samples["programme_large"], 95) / percentile(samples["programme_small"], 95)
        board = percentile(samples["programme_large"], 95) / bare95
        lines += [
            "",
            f"Programmes : tableau de bord p95 / nue = {board:.2f} (objectif ≤ 5) ; p95 à {fr(args.attendance)} "
            f"présences ÷ p95 à {fr(args.attendance // 10)} = {scale:.2f} (objectif ≤ 1,2).",
        ]
        if info_programmes:
            large, small = info_programmes["large"], info_programmes["small"]
            lines.append(
                f"Données : {fr(large['attendance'])} + {fr(small['attendance'])} présences, "
                f"{fr(large['enrolments'] + small['enrolments'])} inscriptions, "
                f"{fr(large['sessions'] + small['sessions'])} sessions, {fr(large['people'] + small['people'])} "
                f"personnes en parcours, générées en {info_programmes['seconds']:.0f} s ; cumuls quotidiens "
                f"({fr(info_programmes['rollup_days'])} jours×étapes) calculés en {info_programmes['rollup_seconds']:.0f} s."
            )
    if "services_frequent" in samples:
        spread = percentile(samples["services_frequent"], 99) / percentile(samples["services_selective"], 50)
        lines += [
            "",
            f"Annuaire : p99 des mots fréquents ÷ p50 des mots rares = {spread:.2f} (objectif ≤ 5) ; "
            f"{fr(args.services)} services ; objectif de l'annuaire p95 / nue ≤ 10.",
        ]
    verdict = "atteint" if worst <= GOAL else "NON atteint"
    lines += ["", f"Objectif p95 / nue ≤ {GOAL:g} : {verdict} (pire rapport : {worst:.2f}).", ""]
    return "\n".join(lines)


def write_results(section: str):
    if RESULTS.exists():
        text = RESULTS.read_text()
    else:
        text = f"# Résultats des mesures\n\n{MARKER}\n"
    if MARKER not in text:
        text = text.rstrip() + f"\n\n{MARKER}\n"
    head, tail = text.split(MARKER, 1)
    RESULTS.write_text(f"{head}{MARKER}\n\n{section}\n{tail.lstrip()}")


# --- main --------------------------------------------------------------------------------------


def _interrupted(signum, frame):
    # Turns `kill` or `timeout` into an exception, so the finally below stops gunicorn: it runs in
    # its own process group and would not get the signal.
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupted)
    args = parse_args(argv)
    command = " ".join(
        [".venv/bin/python bench/run.py", *map(shlex.quote, sys.argv[1:] if argv is None else argv)]
    )

    def log(message):
        print(message, flush=True)

    DATA.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    env = server_env(args)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    reuse = args.keep and dataset_exists(args)
    if not reuse:
        drop_dataset(args)
    if args.database == "postgres" and not reuse:
        pg_admin(f'CREATE DATABASE "{PG_NAME}"')

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    process = None
    try:
        generation = None
        call_command("migrate", verbosity=0, interactive=False)
        if reuse and existing_people(args) == args.people:
            log(f"Jeu de données réutilisé : {fr(args.people)} personnes.")
            refresh_statistics(args)
        else:
            if reuse:
                log("Jeu de données incomplet : reconstruction.")
                connection.close()
                drop_dataset(args)
                if args.database == "postgres":
                    pg_admin(f'CREATE DATABASE "{PG_NAME}"')
                # The dropped dataset took its tables along (a run interrupted while migrating).
                call_command("migrate", verbosity=0, interactive=False)
            generation = build_dataset(args, log)
            log(f"Généré en {generation['seconds']:.0f} s.")
        call_command("collectstatic", verbosity=0, interactive=False)
        targets = pick_targets(args)
        queries = count_queries(targets)
        log("Requêtes SQL par page : " + ", ".join(f"{k}={v}" for k, v in queries.items()))
        info = {"machine": machine(), "versions": versions(args)}
        cookie = session_cookie(targets["user"])

        port = free_port()
        with open(OUT / "gunicorn.log", "w") as log_file:
            process = start_gunicorn(args, env, port, log_file)
            wait_ready(port, process)
            log(f"gunicorn prêt sur 127.0.0.1:{port} ; mesure de {args.requests} tours…")
            samples, rounds = measure(args, port, cookie, targets["endpoints"], log)
        stop_gunicorn(process)
        if rounds == 0:
            raise SystemExit("Aucune mesure.")
        section = render(args, command, info, generation, queries, samples, rounds)
        print()
        print(section)
        if not args.no_results:
            write_results(section)
            log(f"Ajouté à {RESULTS.relative_to(ROOT)}.")
    finally:
        stop_gunicorn(process)
        connection.close()
        if not args.keep:
            drop_dataset(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
