"""Demo of the directory, loaded by jalon.demo.data.load() after structures and people.

Built as a data·inclusion dump and imported through the real importer (validated whole, upserted
on source + id, so a second run changes nothing): Green Tech's guide of trainings and local
initiatives in Nouvelle-Aquitaine (all five themes), the trainings that follow Oser coder,
Tremplin Numérique and Ensemble à 100 %, and local services across the life domains for the demo
territories. Organisations other than the demo's structures are fictional ("exemple" in their
names); no certification code is invented.
"""

import json
import zlib
from datetime import timedelta

from django.utils import timezone

from jalon.directory.actions import record_import
from jalon.directory.importer import import_file
from jalon.directory.models import ImportRun

from . import greentech

SOURCE = "jalon-demo"

# (id, name, INSEE code, owner structure in the demo or None)
ORGANISATIONS = [
    ("ecocene", "Ecocène", "64445", "Ecocène"),
    ("campus-vert-exemple", "Campus des métiers verts (exemple)", "33063", None),
    ("lycee-agricole-exemple", "Lycée agricole du Béarn (exemple)", "64445", None),
    ("simplon-exemple", "École numérique de la rive droite (exemple)", "33119", None),
    ("gareaidees", "Gare à idées", "86194", "Gare à idées"),
    ("transitions64", "Transitions 64", "64410", "Transitions 64"),
    ("debrouillards", "Les petits débrouillards Bretagne", "29019", "Les petits débrouillards Bretagne"),
    ("pop", "POP", "75120", "POP"),
    ("centre-social-exemple-mourenx", "Centre social du bassin de Lacq (exemple)", "64410", None),
    ("asso-mobilite-exemple", "Plateforme mobilité Béarn (exemple)", "64445", None),
]

# Green Tech guide: (id, name, themes, level, hours, description)
TRAININGS = [
    (
        "technicien-eolien",
        "Technicien·ne de maintenance éolienne",
        ["energie-renouvelables"],
        4,
        700,
        "Installer, surveiller et entretenir des éoliennes : électricité, mécanique, travail en hauteur.",
    ),
    (
        "installateur-solaire",
        "Installateur·rice de panneaux solaires photovoltaïques",
        ["energie-renouvelables"],
        3,
        420,
        "Poser et raccorder des installations solaires sur les toits des particuliers et des entreprises.",
    ),
    (
        "conseiller-renovation",
        "Conseiller·ère en rénovation énergétique",
        ["energie-renouvelables", "changement-climatique-pollution"],
        5,
        600,
        "Accompagner les habitant·es dans leurs travaux d'isolation et de chauffage, monter les dossiers d'aides.",
    ),
    (
        "agent-dechets",
        "Agent·e de tri et de valorisation des déchets",
        ["protection-gestion-environnement"],
        3,
        350,
        "Trier, valoriser et réemployer : ressourceries, déchetteries, centres de tri.",
    ),
    (
        "animateur-nature",
        "Animateur·rice nature et environnement",
        ["protection-gestion-environnement", "developpement-durable-innovation"],
        4,
        500,
        "Faire découvrir la biodiversité aux enfants et aux adultes, animer des sorties et des ateliers.",
    ),
    (
        "jardinier-paysagiste",
        "Jardinier·ère paysagiste en gestion écologique",
        ["gestion-du-territoire", "protection-gestion-environnement"],
        3,
        650,
        "Entretenir les espaces verts sans pesticides, gérer l'eau, planter des haies.",
    ),
    (
        "chef-projet-transition",
        "Chargé·e de projet transition écologique",
        ["developpement-durable-innovation", "gestion-du-territoire"],
        6,
        800,
        "Piloter des projets de transition dans une collectivité ou une entreprise : mobilité, énergie, alimentation.",
    ),
    (
        "technicien-qualite-air",
        "Technicien·ne de mesure de la qualité de l'air",
        ["changement-climatique-pollution"],
        5,
        550,
        "Installer des capteurs, mesurer les polluants, analyser et expliquer les résultats.",
    ),
    (
        "reparateur-velo",
        "Mécanicien·ne cycles",
        ["developpement-durable-innovation"],
        3,
        400,
        "Réparer et entretenir vélos et vélos électriques, conseiller les cyclistes.",
    ),
    (
        "agent-eau",
        "Agent·e d'exploitation de l'eau et de l'assainissement",
        ["gestion-du-territoire", "protection-gestion-environnement"],
        4,
        600,
        "Surveiller les réseaux d'eau potable et les stations d'épuration.",
    ),
]

# The Green Tech guide exists in five languages: a few of its entries, translated.
TRANSLATIONS = {
    "technicien-eolien": {
        "en": (
            "Wind turbine maintenance technician",
            "Install, monitor and maintain wind turbines: electricity, mechanics, working at height.",
        ),
        "es": (
            "Técnico/a de mantenimiento eólico",
            "Instalar, vigilar y mantener aerogeneradores: electricidad, mecánica, trabajo en altura.",
        ),
        "pt": (
            "Técnico/a de manutenção eólica",
            "Instalar, vigiar e manter turbinas eólicas: eletricidade, mecânica, trabalho em altura.",
        ),
        "it": (
            "Tecnico/a di manutenzione eolica",
            "Installare, sorvegliare e mantenere turbine eoliche: elettricità, meccanica, lavoro in quota.",
        ),
    },
    "installateur-solaire": {
        "en": (
            "Solar panel installer",
            "Install and connect solar panels on the roofs of homes and businesses.",
        ),
        "es": (
            "Instalador/a de paneles solares",
            "Instalar y conectar paneles solares en los tejados de viviendas y empresas.",
        ),
    },
    "reparateur-velo": {
        "en": ("Bicycle mechanic", "Repair and service bicycles and e-bikes, advise cyclists."),
        "es": (
            "Mecánico/a de bicicletas",
            "Reparar y mantener bicicletas y bicicletas eléctricas, asesorar a los ciclistas.",
        ),
        "it": (
            "Meccanico/a di biciclette",
            "Riparare e mantenere biciclette e bici elettriche, consigliare i ciclisti.",
        ),
    },
}

# Local initiatives to visit or join (Green Tech): (id, name, theme, INSEE, description)
INITIATIVES = [
    (
        "repair-cafe-pau",
        "Repair café du quartier Saragosse",
        "developpement-durable-innovation",
        "64445",
        "Chaque premier samedi, des bénévoles aident à réparer petit électroménager, vélos et vêtements.",
    ),
    (
        "jardin-partage-mourenx",
        "Jardin partagé de la cité",
        "gestion-du-territoire",
        "64410",
        "Des parcelles à cultiver ensemble, des ateliers compost et semences, ouverts à tous.",
    ),
    (
        "fresque-climat-poitiers",
        "Fresque du climat ouverte à tous",
        "changement-climatique-pollution",
        "86194",
        "Trois heures pour comprendre le changement climatique en jeu collaboratif, chaque mois.",
    ),
    (
        "nettoyage-berges-gave",
        "Nettoyage des berges du Gave",
        "protection-gestion-environnement",
        "64445",
        "Une matinée par trimestre pour ramasser les déchets au bord de la rivière, avec une association locale.",
    ),
    (
        "ressourcerie-lacq",
        "Ressourcerie du bassin de Lacq",
        "developpement-durable-innovation",
        "64300",
        "Donner, réparer, revendre : des bénévoles et des salarié·es en insertion redonnent vie aux objets.",
    ),
    (
        "energie-citoyenne-bearn",
        "Centrale solaire citoyenne du Béarn",
        "energie-renouvelables",
        "64445",
        "Des habitant·es financent et gèrent des panneaux solaires sur les toits publics ; réunions ouvertes.",
    ),
]

# Local services by territory: (id suffix, name, thematique, type, description)
LOCAL = [
    (
        "numerique",
        "Permanence numérique",
        "numerique--acceder-a-des-services-en-ligne",
        "accompagnement",
        "Aide pour les démarches en ligne : créer une adresse e-mail, un compte CAF ou France Travail, imprimer.",
    ),
    (
        "cv",
        "Atelier CV et lettre de motivation",
        "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation",
        "atelier",
        "En petit groupe, écrire ou refaire son CV et préparer ses candidatures avec une conseillère.",
    ),
    (
        "mobilite",
        "Location de scooters et voitures à petit prix",
        "mobilite--acceder-a-un-vehicule",
        "aide-materielle",
        "Pour aller travailler ou se former quand on n'a pas de véhicule : location solidaire à la semaine.",
    ),
    (
        "budget",
        "Point conseil budget",
        "difficultes-financieres--ameliorer-sa-gestion-budgetaire",
        "accompagnement",
        "Faire le point sur son budget, ses dettes et ses droits, gratuitement et en toute confidentialité.",
    ),
    (
        "francais",
        "Ateliers de français pour adultes",
        "lecture-ecriture-calcul--maitriser-le-francais",
        "atelier",
        "Apprendre ou réapprendre à parler, lire et écrire le français, deux matinées par semaine.",
    ),
    (
        "droits",
        "Accès aux droits et aux démarches administratives",
        "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
        "accompagnement",
        "Un écrivain public et une juriste aident pour les papiers, les courriers et les recours.",
    ),
    (
        "garde",
        "Places de crèche à vocation d'insertion",
        "famille--garde-denfants",
        "aide-materielle",
        "Une solution de garde pour les parents qui reprennent un emploi ou une formation.",
    ),
    (
        "sante",
        "Bilan de santé gratuit",
        "sante--acces-aux-soins",
        "information",
        "Un bilan de santé complet et gratuit, avec un accompagnement vers les soins si besoin.",
    ),
]
TERRITORIES = [("64410", "64"), ("86194", "86"), ("75120", "75"), ("29019", "29"), ("33119", "33")]


# Approximate town centres, so that the demo can search by distance (communes carry none).
TOWN_POSITIONS = {
    "64445": (43.2951, -0.3708),  # Pau
    "64410": (43.3820, -0.6240),  # Mourenx
    "64300": (43.4100, -0.6260),  # Lacq
    "64430": (43.4880, -0.7720),  # Orthez
    "64422": (43.1940, -0.6070),  # Oloron-Sainte-Marie
    "64102": (43.4930, -1.4750),  # Bayonne
    "40192": (43.8900, -0.5000),  # Mont-de-Marsan
    "33063": (44.8378, -0.5792),  # Bordeaux
    "33119": (44.8570, -0.5320),  # Cenon
    "86194": (46.5802, 0.3404),  # Poitiers
    "87085": (45.8336, 1.2611),  # Limoges
    "17300": (46.1603, -1.1511),  # La Rochelle
    "75120": (48.8640, 2.3980),  # Paris 20e
    "29019": (48.3904, -4.4861),  # Brest
}


def _position(commune: str, sid: str) -> dict:
    """The town centre moved by up to about a kilometre, the same for a service at every run."""
    if commune not in TOWN_POSITIONS:
        return {}
    lat, lon = TOWN_POSITIONS[commune]
    spread = zlib.crc32(sid.encode())
    return {
        "latitude": round(lat + ((spread % 1001) - 500) / 50_000, 5),
        "longitude": round(lon + (((spread >> 10) % 1001) - 500) / 35_000, 5),
    }


def _service(sid, org, name, description, thematiques, kind_type, commune, zone, **extra):
    return {
        **_position(commune, sid),
        "source": SOURCE,
        "structure_id": org,
        "id": sid,
        "nom": name,
        "description": description + " Renseignements et inscription par téléphone ou sur place.",
        "date_maj": extra.pop("date_maj"),
        "type": kind_type,
        "thematiques": thematiques,
        "frais": extra.pop("frais", "gratuit"),
        "publics": extra.pop("publics", ["tous-publics"]),
        "modes_accueil": extra.pop("modes_accueil", ["en-presentiel"]),
        "zone_eligibilite": [zone],
        "code_insee": commune,
        "modes_mobilisation": ["se-presenter", "telephoner"],
        "mobilisable_par": ["usagers", "professionnels"],
        **extra,
    }


def build(today) -> dict:
    fresh = (today - timedelta(days=30)).isoformat()
    old = (today - timedelta(days=240)).isoformat()  # some owners must update their offer
    structures = [
        {"source": SOURCE, "id": sid, "nom": name, "date_maj": fresh, "code_insee": code}
        for sid, name, code, _ in ORGANISATIONS
    ]
    services = []
    sessions = [(today + timedelta(days=d)).isoformat() for d in (45, 120)]
    for index, (sid, name, themes, level, hours, text) in enumerate(TRAININGS):
        org = ("ecocene", "campus-vert-exemple", "lycee-agricole-exemple")[index % 3]
        commune, zone = ("33063", "33") if org == "campus-vert-exemple" else ("64445", "64")
        services.append(
            _service(
                sid,
                org,
                name,
                text,
                ["se-former--trouver-sa-formation"],
                "formation",
                commune,
                zone,
                date_maj=old if index == 4 else fresh,
                publics=["demandeurs-emploi", "jeunes"],
                jalon={
                    "nature": "formation",
                    "niveau": level,
                    "duree_heures": hours,
                    "prochaines_sessions": sessions,
                    "financement": "Gratuite pour les demandeur·ses d'emploi (financement Région ou France Travail).",
                    "themes_verts": themes,
                },
            )
        )
    for sid, name, theme, commune, text in INITIATIVES:
        services.append(
            _service(
                sid,
                "ecocene",
                name,
                text,
                ["remobilisation--benevolat-action-citoyenne"],
                "information",
                commune,
                commune[:2],
                date_maj=fresh,
                jalon={"nature": "initiative", "themes_verts": [theme]},
            )
        )
    services += [
        _service(
            "hackeuses",
            "simplon-exemple",
            "Développeuse web — parcours réservé aux femmes",
            "Après « Oser coder » : sept mois pour devenir développeuse web, avec un stage en entreprise.",
            ["se-former--trouver-sa-formation"],
            "formation",
            "33119",
            "33",
            date_maj=fresh,
            publics=["femmes", "demandeurs-emploi"],
            jalon={
                "nature": "formation",
                "niveau": 5,
                "duree_heures": 1100,
                "prochaines_sessions": sessions,
                "financement": "Financée par la Région et France Travail.",
            },
        ),
        _service(
            "tremplin-suite",
            "debrouillards",
            "Technicien·ne d'assistance informatique",
            "La formation qualifiante qui suit Tremplin Numérique : dépannage, réseaux, relation utilisateur.",
            ["se-former--trouver-sa-formation"],
            "formation",
            "29019",
            "29",
            date_maj=fresh,
            jalon={"nature": "formation", "niveau": 4, "duree_heures": 800, "prochaines_sessions": sessions},
        ),
        _service(
            "simulateur-pop",
            "pop",
            "Simulateur d'entreprise — projets réels",
            "Après le bootcamp d'Ensemble à 100 % : travailler en équipe sur des projets de vrais clients.",
            ["choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite"],
            "formation",
            "75120",
            "75",
            date_maj=fresh,
            jalon={"nature": "formation", "duree_heures": 280},
        ),
        _service(
            "point-situation-creation",
            "gareaidees",
            "Point de situation création d'activité",
            "Un premier rendez-vous pour faire le point sur votre projet, puis la bonne permanence partenaire.",
            ["creer-une-entreprise--definir-son-projet-de-creation-dentreprise"],
            "accompagnement",
            "86194",
            "86",
            date_maj=old,
        ),
    ]
    for commune, zone in TERRITORIES:
        for suffix, name, theme, kind_type, text in LOCAL:
            services.append(
                _service(
                    f"{suffix}-{commune}",
                    "centre-social-exemple-mourenx" if commune == "64410" else "asso-mobilite-exemple",
                    name,
                    text,
                    [theme],
                    kind_type,
                    commune,
                    zone,
                    date_maj=fresh,
                )
            )
    structures += greentech.organisations(fresh)
    services += greentech.trainings_na(_service, today)
    services += greentech.trainings_abroad(today)
    services += greentech.initiatives(_service, today)
    return {"structures": structures, "services": services}


def load(tally, structures: dict) -> None:
    """Idempotent: upserted on (source, id) by the importer. Counts go to `tally`."""
    data = build(timezone.localdate())
    owners = {}
    for sid, _, _, owner in ORGANISATIONS:
        owners.setdefault(owner, []).append(sid)
    owners.setdefault(None, []).extend(oid for oid, _, _, _ in greentech.ABROAD)
    created = unchanged = 0
    for owner_name, ids in owners.items():
        part = {
            "structures": [s for s in data["structures"] if s["id"] in ids],
            "services": [s for s in data["services"] if s["structure_id"] in ids],
        }
        report = import_file("demo.json", json.dumps(part).encode(), owner=structures.get(owner_name))
        if not report.ok:
            raise ValueError("Démo de l'annuaire invalide : " + "; ".join(map(str, report.problems[:5])))
        created += report.services["created"]
        unchanged += report.services["unchanged"] + report.services["updated"]
        owner = structures.get(owner_name)
        if owner is not None and not ImportRun.objects.for_structure(owner).exists():
            # One past import per owner: the offer's history and its report page have something
            # to show (and the crawl reaches that page).
            record_import(structure=owner, user=None, filename="offre-demo.json", report=report)
    tally.add("services de l'annuaire", created, unchanged)
