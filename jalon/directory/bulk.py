"""Realistic directory volume for benchmarks: `jalon demo-data --services N`.

Services are written in bulk with everything the search reads (prepared words, zones and
thematiques as rows, and on SQLite the FTS5 stems), spread over communes by population: a few
very frequent words ("emploi", "formation", "numérique") and many rare ones, like the real
national directory.
"""

import itertools
import random
from datetime import date, timedelta

from data_inclusion.schema.v1 import Thematique
from django.db import connection, transaction

from jalon.structures.models import Commune

from .models import DirectoryStructure, Service, ServiceKind, ServiceTheme, ServiceZone
from .search import FTS_TABLE, _stemmer, prepare

SOURCE = "jalon-bulk"

# (name templates, thematique prefix, description sentences)
DOMAINS = [
    (
        [
            "Atelier numérique {q}",
            "Permanence numérique {q}",
            "Initiation à l'ordinateur {q}",
            "Aide aux démarches en ligne {q}",
        ],
        "numerique",
        [
            "Apprendre à se servir d'un ordinateur, d'une tablette ou d'un smartphone.",
            "Créer une adresse e-mail, un compte CAF, Ameli ou France Travail.",
            "Accompagnement par un conseiller numérique, sur place ou par téléphone.",
        ],
    ),
    (
        [
            "Accompagnement vers l'emploi {q}",
            "Club de recherche d'emploi {q}",
            "Job dating {q}",
            "Atelier entretien d'embauche {q}",
        ],
        "trouver-un-emploi",
        [
            "Être accompagné dans sa recherche d'emploi par un conseiller.",
            "Préparer ses entretiens, rencontrer des employeurs qui recrutent.",
            "Pour les demandeurs d'emploi, les jeunes et les bénéficiaires du RSA.",
        ],
    ),
    (
        [
            "Formation qualifiante {q}",
            "Préparation aux concours {q}",
            "Remise à niveau {q}",
            "Formation aux métiers du bâtiment {q}",
        ],
        "se-former",
        [
            "Une formation pour obtenir un diplôme ou un titre professionnel.",
            "Financement possible par la Région, France Travail ou le compte personnel de formation.",
            "Entrée en formation toute l'année après un entretien.",
        ],
    ),
    (
        ["Atelier CV {q}", "Aide à la candidature {q}"],
        "preparer-sa-candidature",
        ["Rédiger son CV et sa lettre de motivation avec un professionnel.", "Valoriser ses compétences."],
    ),
    (
        ["Aide au logement {q}", "Hébergement d'urgence {q}", "Accès au logement social {q}"],
        "logement-hebergement",
        [
            "Trouver un logement, monter un dossier de logement social, éviter l'expulsion.",
            "Accueil sans rendez-vous, orientation vers les bailleurs.",
        ],
    ),
    (
        ["Point santé {q}", "Consultation gratuite {q}", "Accès aux soins {q}"],
        "sante",
        [
            "Un bilan de santé gratuit, l'ouverture des droits à l'assurance maladie.",
            "Accompagnement vers les soins.",
        ],
    ),
    (
        ["Auto-école sociale {q}", "Location solidaire de véhicules {q}", "Aide à la mobilité {q}"],
        "mobilite",
        [
            "Passer son permis de conduire à petit prix, louer un scooter pour aller travailler.",
            "Conseil en mobilité, aides au transport.",
        ],
    ),
    (
        ["Point conseil budget {q}", "Aide aux dettes {q}"],
        "difficultes-financieres",
        ["Faire le point sur son budget, ses dettes et le surendettement.", "Gratuit et confidentiel."],
    ),
    (
        ["Ateliers de français {q}", "Cours d'alphabétisation {q}"],
        "lecture-ecriture-calcul",
        ["Apprendre à parler, lire et écrire le français, à son rythme.", "Cours du soir et du matin."],
    ),
    (
        ["Garde d'enfants {q}", "Soutien à la parentalité {q}"],
        "famille",
        [
            "Une solution de garde pour reprendre un emploi ou une formation.",
            "Accueil des parents et des enfants.",
        ],
    ),
    (
        ["Accès aux droits {q}", "Écrivain public {q}", "Permanence juridique {q}"],
        "difficultes-administratives-ou-juridiques",
        ["Aide pour les papiers, les courriers administratifs et les recours.", "Sans rendez-vous."],
    ),
    (
        ["Création d'entreprise {q}", "Couveuse d'activité {q}"],
        "creer-une-entreprise",
        [
            "Tester son projet de création d'activité, être accompagné par un conseiller.",
            "Financement et réseau.",
        ],
    ),
]
QUALIFIERS = [
    "",
    "pour les jeunes",
    "pour les seniors",
    "du quartier",
    "intercommunal",
    "itinérant",
    "pour les femmes",
    "solidaire",
    "du centre social",
    "de la médiathèque",
    "de la mission locale",
]
THEMES = {}
for thematique in Thematique:
    THEMES.setdefault(thematique.value.split("--")[0], []).append(thematique.value)


def bulk_services(count: int, seed: int = 0, stdout=None, batch: int = 5000) -> int:
    rng = random.Random(seed)
    communes = list(
        Commune.objects.filter(is_arrondissement=False, population__gt=0).values_list(
            "code", "name", "epci", "departement", "population"
        )
    )
    cum_weights = list(itertools.accumulate(max(c[4], 500) ** 0.8 for c in communes))
    stem_cache: dict[str, str] = {}

    def stems(text: str) -> str:
        out = []
        for word in text.split():
            stem = stem_cache.get(word)
            if stem is None:
                stem = stem_cache[word] = _stemmer.stemWord(word)
            out.append(stem)
        return " ".join(out)

    today = date.today()
    start = Service.objects.filter(source=SOURCE).count()
    structures_needed = max(1, count // 20)
    parents = DirectoryStructure.objects.bulk_create(
        DirectoryStructure(
            source=SOURCE, source_id=f"s{start + i}", nom=f"Structure {start + i}", date_maj=today
        )
        for i in range(structures_needed)
    )
    written = 0
    while written < count:
        size = min(batch, count - written)
        services, zones, themes, fts = [], [], [], []
        places = rng.choices(communes, cum_weights=cum_weights, k=size)
        for i in range(size):
            code, town, epci, dep, _ = places[i]
            names, prefix, sentences = rng.choice(DOMAINS)
            name = (rng.choice(names).format(q=rng.choice(QUALIFIERS)) + f" — {town}").replace("  ", " ")
            description = " ".join(rng.sample(sentences, k=min(len(sentences), rng.randint(1, 3))))
            description += f" À {town}."
            zone = rng.choices([code, epci or dep, dep, "france"], [50, 20, 25, 5])[0]
            kind = rng.choices(ServiceKind.values, [80, 15, 5])[0]
            service = Service(
                structure=rng.choice(parents),
                source=SOURCE,
                source_id=f"b{start + written + i}",
                kind=kind,
                nom=name[:150],
                description=description,
                date_maj=today - timedelta(days=rng.randrange(0, 400)),
                type="formation" if kind == "formation" else "accompagnement",
                thematiques=rng.sample(THEMES[prefix], k=min(2, len(THEMES[prefix]))),
                frais=rng.choice(["gratuit", "gratuit", "payant"]),
                publics=["tous-publics"],
                modes_accueil=["en-presentiel"],
                zone_eligibilite=[zone],
                commune_id=code,
            )
            service.search_name = prepare(service.nom)
            service.search_body = prepare(f"{service.description} {service.structure.nom}")
            services.append(service)
        with transaction.atomic():
            Service.objects.bulk_create(services)
            for service in services:
                zones.append(ServiceZone(service=service, code=service.zone_eligibilite[0]))
                themes.extend(ServiceTheme(service=service, code=t) for t in service.thematiques)
                fts.append((service.pk, stems(service.search_name), stems(service.search_body)))
            ServiceZone.objects.bulk_create(zones)
            ServiceTheme.objects.bulk_create(themes)
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {FTS_TABLE} (rowid, name, body) VALUES (%s, %s, %s)", fts
                    )
        written += size
        if stdout is not None:
            stdout.write(f"  {written} / {count} services")
    return written
