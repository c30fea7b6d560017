"""The Green Tech guide at its real size (seed 004): 25 trainings in Nouvelle-Aquitaine, 71 across
the four partners' territories (Ecocène in the Béarn, Sargantana in Aragon, GAL Molise, eFuturo in
Lisbon), about 200 local initiatives, all five themes.

The guide itself is not published as data, so its entries are rebuilt from the kinds of trainings
and initiatives the article names, spread over real towns; the organisations are fictional
("exemple") and no certification code is invented. The trainings abroad have no French commune or
zone: a territory filter never shows them, a word search does, with their local-language name.
"""

from datetime import timedelta

# Trainings added to jalon.demo.directory.TRAININGS to make 25 in Nouvelle-Aquitaine:
# (id, name, Green Tech themes, level, hours, description)
MORE_TRAININGS = [
    (
        "agent-valorisation-bois",
        "Agent·e de valorisation du bois local",
        ["gestion-du-territoire"],
        3,
        450,
        "Scier, sécher et transformer le bois des forêts voisines pour la construction et le chauffage.",
    ),
    (
        "technicien-methanisation",
        "Technicien·ne d'unité de méthanisation",
        ["energie-renouvelables"],
        4,
        560,
        "Conduire une unité qui transforme les déchets agricoles en biogaz et en engrais.",
    ),
    (
        "ouvrier-eco-construction",
        "Ouvrier·ère de l'éco-construction",
        ["energie-renouvelables", "developpement-durable-innovation"],
        3,
        630,
        "Bâtir et isoler avec la paille, le chanvre, la terre et le bois.",
    ),
    (
        "maraicher-bio",
        "Maraîcher·ère en agriculture biologique",
        ["protection-gestion-environnement"],
        4,
        840,
        "Produire des légumes sans chimie de synthèse, vendre en circuit court, gérer l'eau du sol.",
    ),
    (
        "guide-nature",
        "Guide nature et patrimoine",
        ["protection-gestion-environnement"],
        4,
        480,
        "Accompagner des groupes en montagne et en forêt, expliquer la faune, la flore et les paysages.",
    ),
    (
        "gestionnaire-dechets-chantier",
        "Gestionnaire des déchets de chantier",
        ["changement-climatique-pollution"],
        5,
        520,
        "Organiser le tri et le réemploi des matériaux sur les chantiers du bâtiment.",
    ),
    (
        "technicien-batterie",
        "Technicien·ne de réparation de batteries",
        ["developpement-durable-innovation"],
        4,
        380,
        "Diagnostiquer et reconditionner les batteries de vélos, d'outils et de petits véhicules.",
    ),
    (
        "conseiller-mobilite",
        "Conseiller·ère en mobilité durable",
        ["gestion-du-territoire", "changement-climatique-pollution"],
        5,
        420,
        "Aider entreprises et habitant·es à se déplacer autrement.",
    ),
    (
        "agent-riviere",
        "Agent·e d'entretien des rivières",
        ["gestion-du-territoire", "protection-gestion-environnement"],
        3,
        500,
        "Entretenir les berges, surveiller les crues, restaurer les zones humides.",
    ),
    (
        "bilan-carbone",
        "Chargé·e de bilan carbone",
        ["changement-climatique-pollution"],
        6,
        350,
        "Mesurer les émissions d'une organisation et construire son plan de réduction.",
    ),
    (
        "reemploi-informatique",
        "Technicien·ne du réemploi informatique",
        ["developpement-durable-innovation"],
        4,
        600,
        "Reconditionner ordinateurs et téléphones pour leur donner une seconde vie.",
    ),
    (
        "ingenieur-energies",
        "Ingénieur·e en systèmes énergétiques",
        ["energie-renouvelables"],
        7,
        1800,
        "Concevoir des réseaux de chaleur, des installations solaires et le stockage de l'énergie.",
    ),
    (
        "doctorat-ecologie",
        "Doctorat en écologie des territoires",
        ["protection-gestion-environnement", "gestion-du-territoire"],
        8,
        4800,
        "Trois ans de recherche avec un laboratoire de l'université et un territoire partenaire.",
    ),
    (
        "animateur-climat",
        "Animateur·rice sensibilisation climat",
        ["changement-climatique-pollution"],
        4,
        300,
        "Animer des ateliers sur le climat dans les écoles, les centres sociaux et les entreprises.",
    ),
    (
        "assistant-qse",
        "Assistant·e qualité, sécurité, environnement",
        ["developpement-durable-innovation"],
        5,
        650,
        "Suivre les règles environnementales d'une entreprise et préparer ses certifications.",
    ),
]
NA_TOWNS = [
    ("64445", "64"),
    ("33063", "33"),
    ("86194", "86"),
    ("87085", "87"),
    ("17300", "17"),
    ("40192", "40"),
    ("64102", "64"),
]

# The partners abroad: (organisation id, name, city in French, language)
ABROAD = [
    ("sargantana-exemple", "Sargantana (exemple)", "Saragosse", "es"),
    ("gal-molise-exemple", "GAL Molise (exemple)", "Campobasso", "it"),
    ("efuturo-exemple", "eFuturo (exemple)", "Lisbonne", "pt"),
]
LOCAL_CITY = {"es": "Zaragoza", "it": "Campobasso", "pt": "Lisboa"}
LOCAL_DESCRIPTION = {
    "es": "Formación ofrecida en {city} por un socio europeo del proyecto Green Tech.",
    "it": "Formazione proposta a {city} da un partner europeo del progetto Green Tech.",
    "pt": "Formação proposta em {city} por um parceiro europeu do projeto Green Tech.",
}
# (id, French name, themes, level, hours, {language: local name})
ABROAD_TRAININGS = [
    (
        "energies-renouvelables",
        "Technicien·ne en énergies renouvelables",
        ["energie-renouvelables"],
        4,
        700,
        {
            "es": "Técnico/a en energías renovables",
            "it": "Tecnico/a delle energie rinnovabili",
            "pt": "Técnico/a de energias renováveis",
        },
    ),
    (
        "agroecologie",
        "Agroécologie et circuits courts",
        ["protection-gestion-environnement"],
        4,
        500,
        {
            "es": "Agroecología y circuitos cortos",
            "it": "Agroecologia e filiera corta",
            "pt": "Agroecologia e circuitos curtos",
        },
    ),
    (
        "gestion-forets",
        "Gestion durable des forêts",
        ["gestion-du-territoire"],
        5,
        600,
        {
            "es": "Gestión sostenible de los bosques",
            "it": "Gestione sostenibile delle foreste",
            "pt": "Gestão sustentável das florestas",
        },
    ),
    (
        "eau-territoire",
        "Gestion de l'eau sur un territoire rural",
        ["gestion-du-territoire"],
        5,
        450,
        {
            "es": "Gestión del agua en el territorio rural",
            "it": "Gestione dell'acqua nel territorio rurale",
            "pt": "Gestão da água no território rural",
        },
    ),
    (
        "tourisme-durable",
        "Tourisme durable et accueil",
        ["developpement-durable-innovation"],
        4,
        400,
        {"es": "Turismo sostenible", "it": "Turismo sostenibile", "pt": "Turismo sustentável"},
    ),
    (
        "economie-circulaire",
        "Économie circulaire et réemploi",
        ["developpement-durable-innovation"],
        5,
        380,
        {
            "es": "Economía circular y reutilización",
            "it": "Economia circolare e riuso",
            "pt": "Economia circular e reutilização",
        },
    ),
    (
        "renovation-energetique",
        "Rénovation énergétique des bâtiments",
        ["energie-renouvelables"],
        4,
        650,
        {
            "es": "Rehabilitación energética de edificios",
            "it": "Riqualificazione energetica degli edifici",
            "pt": "Reabilitação energética de edifícios",
        },
    ),
    (
        "qualite-air",
        "Surveillance de la qualité de l'air",
        ["changement-climatique-pollution"],
        5,
        420,
        {
            "es": "Control de la calidad del aire",
            "it": "Monitoraggio della qualità dell'aria",
            "pt": "Monitorização da qualidade do ar",
        },
    ),
    (
        "adaptation-climat",
        "Adaptation au changement climatique",
        ["changement-climatique-pollution"],
        6,
        300,
        {
            "es": "Adaptación al cambio climático",
            "it": "Adattamento ai cambiamenti climatici",
            "pt": "Adaptação às alterações climáticas",
        },
    ),
    (
        "biodiversite",
        "Inventaire et protection de la biodiversité",
        ["protection-gestion-environnement"],
        5,
        480,
        {
            "es": "Inventario y protección de la biodiversidad",
            "it": "Inventario e tutela della biodiversità",
            "pt": "Inventário e proteção da biodiversidade",
        },
    ),
    (
        "mobilite-douce",
        "Mobilité douce et vélo",
        ["gestion-du-territoire"],
        3,
        250,
        {
            "es": "Movilidad sostenible y bicicleta",
            "it": "Mobilità dolce e bicicletta",
            "pt": "Mobilidade suave e bicicleta",
        },
    ),
    (
        "dechets",
        "Gestion et valorisation des déchets",
        ["protection-gestion-environnement"],
        3,
        350,
        {
            "es": "Gestión y valorización de residuos",
            "it": "Gestione e valorizzazione dei rifiuti",
            "pt": "Gestão e valorização de resíduos",
        },
    ),
    (
        "innovation-verte",
        "Créer une entreprise de l'innovation verte",
        ["developpement-durable-innovation"],
        6,
        320,
        {
            "es": "Crear una empresa de innovación verde",
            "it": "Creare un'impresa dell'innovazione verde",
            "pt": "Criar uma empresa de inovação verde",
        },
    ),
    (
        "solaire-thermique",
        "Installation solaire thermique",
        ["energie-renouvelables"],
        3,
        380,
        {
            "es": "Instalación solar térmica",
            "it": "Impianti solari termici",
            "pt": "Instalação solar térmica",
        },
    ),
    (
        "education-environnement",
        "Éducation à l'environnement",
        ["protection-gestion-environnement"],
        5,
        450,
        {"es": "Educación ambiental", "it": "Educazione ambientale", "pt": "Educação ambiental"},
    ),
    (
        "risques-naturels",
        "Prévention des risques naturels",
        ["changement-climatique-pollution", "gestion-du-territoire"],
        6,
        500,
        {
            "es": "Prevención de riesgos naturales",
            "it": "Prevenzione dei rischi naturali",
            "pt": "Prevenção de riscos naturais",
        },
    ),
]
ABROAD_COUNT = 71 - 25

# Initiatives: (id, name, theme, description); each in every town of INITIATIVE_TOWNS.
INITIATIVE_KINDS = [
    (
        "repair-cafe",
        "Repair café",
        "developpement-durable-innovation",
        "Des bénévoles aident à réparer petit électroménager, vélos et vêtements, un samedi par mois.",
    ),
    (
        "jardin-partage",
        "Jardin partagé",
        "gestion-du-territoire",
        "Des parcelles à cultiver ensemble et des ateliers compost, ouverts à toutes et tous.",
    ),
    (
        "fresque-climat",
        "Fresque du climat",
        "changement-climatique-pollution",
        "Trois heures pour comprendre le changement climatique en jeu collaboratif.",
    ),
    (
        "ramassage-dechets",
        "Matinée de ramassage des déchets",
        "protection-gestion-environnement",
        "Une matinée par trimestre pour nettoyer un quartier, un parc ou des berges.",
    ),
    (
        "ressourcerie",
        "Ressourcerie solidaire",
        "developpement-durable-innovation",
        "Donner, réparer, revendre : des salarié·es en insertion redonnent vie aux objets.",
    ),
    (
        "solaire-citoyen",
        "Centrale solaire citoyenne",
        "energie-renouvelables",
        "Des habitant·es financent et gèrent des panneaux solaires sur des toits publics.",
    ),
    (
        "atelier-velo",
        "Atelier vélo participatif",
        "gestion-du-territoire",
        "Apprendre à réparer son vélo avec des outils partagés et des bénévoles.",
    ),
    (
        "grainotheque",
        "Grainothèque de la médiathèque",
        "protection-gestion-environnement",
        "Prendre et déposer des graines de légumes et de fleurs, gratuitement.",
    ),
    (
        "compost",
        "Composteur collectif de quartier",
        "protection-gestion-environnement",
        "Déposer ses épluchures, récupérer du compost, rencontrer ses voisin·es.",
    ),
    (
        "fablab",
        "Fab lab et atelier numérique",
        "developpement-durable-innovation",
        "Imprimantes 3D, découpe laser et réparation : on vient apprendre et fabriquer.",
    ),
    (
        "amap",
        "AMAP de légumes de saison",
        "gestion-du-territoire",
        "Un panier de légumes d'un producteur voisin chaque semaine, distribution par les adhérent·es.",
    ),
    (
        "defi-energie",
        "Défi familles à énergie positive",
        "energie-renouvelables",
        "Des équipes de familles réduisent leurs factures d'énergie en quelques mois, accompagnées.",
    ),
    (
        "sortie-nature",
        "Sorties nature en famille",
        "protection-gestion-environnement",
        "Découvrir oiseaux, plantes et zones humides avec un·e animateur·rice.",
    ),
    (
        "friperie",
        "Friperie solidaire",
        "developpement-durable-innovation",
        "Vêtements de seconde main à petit prix, tenue par une association d'insertion.",
    ),
    (
        "conference-climat",
        "Soirées débat climat",
        "changement-climatique-pollution",
        "Un film ou un·e invité·e, puis un débat sur ce que chacun peut faire localement.",
    ),
    (
        "rucher",
        "Rucher pédagogique",
        "protection-gestion-environnement",
        "Observer les abeilles et apprendre leur rôle, avec un apiculteur bénévole.",
    ),
    (
        "covoiturage",
        "Réseau de covoiturage solidaire",
        "gestion-du-territoire",
        "Des conducteurs bénévoles emmènent au travail ou en formation ceux qui n'ont pas de voiture.",
    ),
    (
        "troc-plantes",
        "Troc de plantes et de boutures",
        "gestion-du-territoire",
        "Échanger plantes, boutures et conseils de jardinage au printemps et à l'automne.",
    ),
    (
        "epicerie-vrac",
        "Épicerie coopérative en vrac",
        "developpement-durable-innovation",
        "Des produits locaux sans emballage, gérée par ses membres.",
    ),
    (
        "mesure-air",
        "Capteurs citoyens de qualité de l'air",
        "changement-climatique-pollution",
        "Des habitant·es installent des capteurs et publient les mesures de leur rue.",
    ),
]
INITIATIVE_TOWNS = [
    ("64445", "Pau"),
    ("64410", "Mourenx"),
    ("64430", "Orthez"),
    ("64422", "Oloron-Sainte-Marie"),
    ("64102", "Bayonne"),
    ("40192", "Mont-de-Marsan"),
    ("33063", "Bordeaux"),
    ("86194", "Poitiers"),
    ("87085", "Limoges"),
    ("17300", "La Rochelle"),
]


def organisations(fresh: str) -> list[dict]:
    """The directory structures of the partners abroad (no French commune)."""
    return [{"source": "jalon-demo", "id": oid, "nom": name, "date_maj": fresh} for oid, name, _, _ in ABROAD]


def trainings_na(service, today) -> list[dict]:
    """The Nouvelle-Aquitaine trainings beyond jalon.demo.directory.TRAININGS."""
    fresh = (today - timedelta(days=20)).isoformat()
    sessions = [(today + timedelta(days=d)).isoformat() for d in (30, 150)]
    items = []
    for index, (sid, name, themes, level, hours, text) in enumerate(MORE_TRAININGS):
        commune, zone = NA_TOWNS[index % len(NA_TOWNS)]
        org = ("ecocene", "campus-vert-exemple", "lycee-agricole-exemple")[index % 3]
        items.append(
            service(
                sid,
                org,
                name,
                text,
                ["se-former--trouver-sa-formation"],
                "formation",
                commune,
                zone,
                date_maj=fresh,
                publics=["demandeurs-emploi", "jeunes"],
                jalon={
                    "nature": "formation",
                    "niveau": level,
                    "duree_heures": hours,
                    "prochaines_sessions": sessions,
                    "themes_verts": themes,
                },
            )
        )
    return items


def trainings_abroad(today) -> list[dict]:
    """46 trainings in Aragon, Molise and Lisbon: French name, local-language translation."""
    fresh = (today - timedelta(days=20)).isoformat()
    items = []
    for number in range(ABROAD_COUNT):
        oid, _, city, language = ABROAD[number % len(ABROAD)]
        sid, name, themes, level, hours, local = ABROAD_TRAININGS[
            number // len(ABROAD) % len(ABROAD_TRAININGS)
        ]
        description = f"Formation proposée à {city} par un partenaire européen du projet Green Tech."
        items.append(
            {
                "source": "jalon-demo",
                "structure_id": oid,
                "id": f"{oid}-{sid}",
                "nom": f"{name} ({city})",
                "description": description + " Renseignements auprès du partenaire.",
                "date_maj": fresh,
                "type": "formation",
                "thematiques": ["se-former--trouver-sa-formation"],
                "frais": "gratuit",
                "publics": ["jeunes"],
                "modes_accueil": ["en-presentiel"],
                "jalon": {
                    "nature": "formation",
                    "niveau": level,
                    "duree_heures": hours,
                    "themes_verts": themes,
                    "traductions": {
                        language: {
                            "nom": f"{local[language]} ({LOCAL_CITY[language]})",
                            "description": LOCAL_DESCRIPTION[language].format(city=LOCAL_CITY[language]),
                        }
                    },
                },
            }
        )
    return items


def initiatives(service, today) -> list[dict]:
    """About 200 local initiatives to visit or join, in ten towns of Nouvelle-Aquitaine."""
    fresh = (today - timedelta(days=10)).isoformat()
    items = []
    for kid, name, theme, text in INITIATIVE_KINDS:
        for commune, town in INITIATIVE_TOWNS:
            items.append(
                service(
                    f"initiative-{kid}-{commune}",
                    "ecocene",
                    f"{name} — {town}",
                    text,
                    ["remobilisation--benevolat-action-citoyenne"],
                    "information",
                    commune,
                    commune[:2],
                    date_maj=fresh,
                    jalon={"nature": "initiative", "themes_verts": [theme]},
                )
            )
    return items
