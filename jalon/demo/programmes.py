"""Demo of programmes and pathways, loaded by jalon.demo.data.load() after structures and people.

Five of the seed programmes with histories long enough for the dashboards to mean something:
- Ensemble à 100 % (POP and O'Clock): discovery workshops over five months, a SprintCamp of 80
  in ten teams, a three-month company simulator for about half of them, exits; the next
  workshops ahead, and the people who finished the SprintCamp proposed for the simulator.
- Tremplin Numérique (les petits débrouillards with IMT Atlantique) on its three sites.
- Oser coder (Hauts de Garonne Développement): four series a year of three Thursday mornings
  for about ten women, then the partner trainings.
- Défi Insertion's smartphone workshops for groups of eight, each led by a peer facilitator, with
  the three regional partners.
- Form'Ain Cube's course of eight learners, then the incubator and the three-month follow-up.

Everything goes through jalon.programmes.actions, as the screens do (audit events, timelines,
dirty days), then the roll-ups are refreshed. Idempotent: a programme already there (by name
and first owner) is left as it is. No message is queued (invitations are recorded, not sent).
Dates follow the day the demo is loaded; no session falls on a Sunday, on 24, 25 or 31 December
or on 1 January (see closed()). Sessions of a workshop stage have their own titles and topics,
so the stage reads as a catalogue.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from jalon.people.models import Person
from jalon.programmes import actions, rollup
from jalon.programmes.models import EnrolmentStatus, Programme, RuleKind, StageKind

from .data import stable_seed


@dataclass
class StageSpec:
    name: str
    kind: str
    description: str = ""
    typical_days: int | None = None
    capacity: int | None = None
    rules: list = field(default_factory=list)  # ("ateliers", n, stage index) | ("precedente",) | ...


# Nobody runs a workshop on these days (month, day), nor on a Sunday.
HOLIDAYS = {(12, 24), (12, 25), (12, 31), (1, 1)}


def closed(day: date) -> bool:
    return day.weekday() == 6 or (day.month, day.day) in HOLIDAYS


def open_day(day: date) -> date:
    """The day itself, or the next one a session can take place on."""
    while closed(day):
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int = 0):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))


def _half_days(first: date, days: int, *, afternoon: bool = True) -> list[tuple]:
    slots = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if day.weekday() >= 5 or closed(day):
            continue
        slots.append((_at(day, 9), _at(day, 12, 30)))
        if afternoon:
            slots.append((_at(day, 13, 30), _at(day, 17)))
    return slots


def _programme(name, owners, description, stages: list[StageSpec], *, template=False):
    lead = owners[0]
    programme = actions.create_programme(
        structure=lead, actor=None, name=name, description=description, is_template=template
    )
    programme.owners.add(*owners[1:])
    made = []
    for spec in stages:
        stage = actions.add_stage(
            programme=programme,
            structure=lead,
            actor=None,
            name=spec.name,
            kind=spec.kind,
            description=spec.description,
            typical_days=spec.typical_days,
            capacity=spec.capacity,
        )
        for rule in spec.rules:
            if rule[0] == RuleKind.MIN_ATTENDED:
                actions.add_rule(
                    stage=stage,
                    structure=lead,
                    actor=None,
                    kind=rule[0],
                    count=rule[1],
                    of_stage=made[rule[2]],
                )
            else:
                actions.add_rule(stage=stage, structure=lead, actor=None, kind=rule[0])
        made.append(stage)
    return programme, made


class Run:
    """Helpers that play a session's life: enrol, call the roll for past slots, end the stage."""

    def __init__(self, rng: random.Random, today: date):
        self.rng, self.today = rng, today
        # "Now" on the demo's day (the same as timezone.now() unless a test loads another day).
        self.now = timezone.now() + (today - timezone.localdate())

    def session(
        self, stage, structure, slots, *, capacity, place="", peer=None, trainer_label="", title="", topic=""
    ):
        # A slot planned on a closed day moves to the next open one, at the same hours.
        moved = []
        for starts_at, ends_at, *about in slots:
            shift = open_day(timezone.localtime(starts_at).date()) - timezone.localtime(starts_at).date()
            moved.append((starts_at + shift, ends_at + shift, *about))
        session = actions.schedule_session(
            stage=stage,
            structure=structure,
            actor=None,
            slots=moved,
            capacity=capacity,
            place=place,
            title=title,
            topic=topic,
        )
        if peer is not None:
            actions.add_trainer(session=session, structure=structure, actor=None, person=peer)
        if trainer_label:
            actions.add_trainer(session=session, structure=structure, actor=None, label=trainer_label)
        return session

    def enrol(self, session, people, *, check_rules=True):
        done = []
        for person in people:
            enrolment = actions.enrol(
                session=session,
                person=person,
                structure=person.structure,
                actor=None,
                check_rules=check_rules,
            )
            done.append(enrolment)
        return done

    def roll_calls(self, session, enrolments, *, presence=0.85, peer=None):
        """Marks every slot that has started; each person has their own assiduity."""
        now = self.now
        assiduity = {e.pk: min(1.0, presence + self.rng.uniform(-0.15, 0.15)) for e in enrolments}
        seated = [e for e in enrolments if e.status == EnrolmentStatus.ENROLLED]
        for slot in session.slots.all():
            if slot.starts_at > now:
                continue
            marks = {}
            for e in seated:
                draw = self.rng.random()
                if draw < assiduity[e.pk]:
                    marks[e.pk] = "retard" if self.rng.random() < 0.06 else "present"
                else:
                    marks[e.pk] = "excuse" if self.rng.random() < 0.5 else "absent"
            if marks:
                owner = None if peer else session.stage.programme.owners.order_by("pk").first()
                actions.take_attendance(slot=slot, marks=marks, structure=owner, peer=peer)

    def finish(
        self, enrolments, ended_on, *, leave_rate=0.1, reasons=("motivation", "sante", "emploi", "famille")
    ):
        """Ends the stage for everyone seated: most complete it, some leave with a reason."""
        finished = []
        for e in enrolments:
            if e.status != EnrolmentStatus.ENROLLED:
                continue
            reason = self.rng.choice(reasons) if self.rng.random() < leave_rate else ""
            day = (
                max(e.session.starts_on, ended_on)  # a session moved off a closed day ends after
                if not reason
                else max(e.session.starts_on, ended_on - timedelta(days=self.rng.randint(1, 20)))
            )
            actions.finish(enrolment=e, structure=e.person.structure, actor=None, ended_on=day, reason=reason)
            finished.append(e)
        return finished

    def exit(self, programme, person, day, weights):
        category, subtype = self.rng.choices(list(weights), weights=list(weights.values()))[0]
        actions.record_exit(
            programme=programme,
            person=person,
            structure=person.structure,
            actor=None,
            category=category,
            subtype=subtype,
            exited_on=min(day, self.today),
        )


def _people(structure, n=None):
    rows = list(Person.objects.filter(structure=structure, archived_at__isnull=True).order_by("pk"))
    return rows if n is None else rows[:n]


def _share_with_co_runners(people, owners):
    """People of a co-run programme agree at entry that its other structures see their file (and
    so their name in sessions); two of POP's later withdraw it for O'Clock, as in issue 13: O'Clock
    then only counts them."""
    from jalon.people.actions import give_consent, withdraw_consent
    from jalon.people.models import ConsentMethod, ConsentPurpose

    withdrawn = 0
    for person in people:
        for target in owners:
            if target.pk == person.structure_id:
                continue
            consent = give_consent(
                person=person,
                structure=person.structure,
                actor=None,
                purpose=ConsentPurpose.SHARING,
                method=ConsentMethod.PAPER,
                target_structure=target,
            )
            if withdrawn < 2 and person.structure_id == owners[0].pk:
                withdraw_consent(consent=consent, structure=person.structure, actor=None)
                withdrawn += 1


# The discovery workshops of Ensemble à 100 %: one stage, a catalogue of titles (title, topic).
WORKSHOPS_ENSEMBLE = [
    ("Oser coder : développeur·se web", "Développement web"),
    ("Imprimer en 3D", "Fabrication numérique"),
    ("Découpe laser : du dessin à l'objet", "Fabrication numérique"),
    ("Réparer un ordinateur", "Maintenance informatique"),
    ("Monter une vidéo avec son téléphone", "Audiovisuel"),
    ("Premiers pas en graphisme", "Design"),
    ("Programmer un robot", "Électronique"),
    ("Les métiers du numérique en une après-midi", "Métiers"),
]

# Défi Insertion's smartphone workshops, one theme each.
WORKSHOPS_DEFI = [
    ("Prendre en main son smartphone", "Smartphone"),
    ("Créer sa boîte mail", "E-mail"),
    ("Envoyer un document depuis son téléphone", "Démarches en ligne"),
    ("Les applis utiles au quotidien", "Smartphone"),
]

# Oser coder: each series explores one trade, over three Thursday mornings.
SERIES_OSER_CODER = [
    "Oser coder : développeur·se web",
    "Oser coder : technicien·ne systèmes et réseaux",
    "Oser coder : métiers de la data",
    "Oser coder : développeur·se web",
]
THURSDAYS_OSER_CODER = [
    ("Jeudi 1 : découvrir le code", "Code"),
    ("Jeudi 2 : rencontrer des professionnelles", "Métiers"),
    ("Jeudi 3 : choisir sa formation", "Formation"),
]

EXITS_ENSEMBLE = {
    ("durable", "cdi"): 3,
    ("durable", "cdd_6"): 3,
    ("transition", "cdd_court"): 2,
    ("positive", "formation"): 5,
    ("autre", "recherche"): 3,
}


def _ensemble(run: Run, s) -> Programme:
    pop, oclock = s["POP"], s["O'Clock"]
    programme, (workshops, camp, simulator, training) = _programme(
        "Ensemble à 100 %",
        [pop, oclock],
        "Du fablab à l'emploi : ateliers découverte ouverts aux partenaires, SprintCamp de 50 à 100 "
        "personnes, simulateur d'entreprise sur de vrais projets, puis formation certifiante.",
        [
            StageSpec(
                "Ateliers découverte",
                StageKind.WORKSHOP,
                "Trois heures pour découvrir un métier du numérique.",
                1,
                12,
            ),
            StageSpec(
                "SprintCamp",
                StageKind.BOOTCAMP,
                "Une semaine en équipes sur un défi, 50 à 100 personnes.",
                5,
                100,
                [(RuleKind.MIN_ATTENDED, 3, 0)],
            ),
            StageSpec(
                "Simulateur d'entreprise",
                StageKind.SIMULATOR,
                "Trois mois sur des projets réels, comme dans une entreprise.",
                90,
                40,
                [(RuleKind.PREVIOUS,)],
            ),
            StageSpec(
                "Formation certifiante",
                StageKind.QUALIFYING,
                "Titre professionnel avec O'Clock.",
                180,
                20,
                [(RuleKind.PREVIOUS,)],
            ),
        ],
        template=True,
    )
    people = _people(pop, 60) + _people(oclock, 20)
    _share_with_co_runners(people, (pop, oclock))
    today = run.today
    # Five months of workshops, two a week: each person comes to three or four.
    camp_day = today - timedelta(days=49)
    camp_day -= timedelta(days=camp_day.weekday())  # a Monday
    queue = []
    for person in people:
        queue += [person] * run.rng.choice((3, 3, 4))
    run.rng.shuffle(queue)
    first = camp_day - timedelta(days=150)
    attendance = {p.pk: 0 for p in people}
    pending = list(queue)
    for number in range(60):
        if not pending:
            break
        day = first + timedelta(days=7 * (number // 2) + (1 if number % 2 == 0 else 3))
        title, topic = WORKSHOPS_ENSEMBLE[number % len(WORKSHOPS_ENSEMBLE)]
        session = run.session(
            workshops,
            pop,
            [(_at(day, 14), _at(day, 17))],
            capacity=12,
            place="Fablab POP, Paris 20e",
            title=title,
            topic=topic,
        )
        group, rest = [], []
        for person in pending:
            if len(group) < 10 and person not in group:
                group.append(person)
            else:
                rest.append(person)
        pending = rest
        enrolments = run.enrol(session, group)
        # Workshops are short: attendance is high, and the demo needs three attended each.
        actions.take_attendance(
            slot=session.slots.get(), marks={e.pk: "present" for e in enrolments}, structure=pop
        )
        run.finish(enrolments, session.starts_on, leave_rate=0)
        for person in group:
            attendance[person.pk] += 1
    # The SprintCamp of 80 in ten teams.
    camp_session = run.session(
        camp, pop, _half_days(camp_day, 5), capacity=100, place="Fablab POP, Paris 20e"
    )
    eligible = [p for p in people if attendance[p.pk] >= 3]
    enrolments = run.enrol(camp_session, eligible)
    actions.split_teams(session=camp_session, structure=pop, actor=None, teams=10)
    run.roll_calls(camp_session, enrolments, presence=0.9)
    finished = run.finish(enrolments, camp_day + timedelta(days=4), leave_rate=0.08)
    completed = [e.person for e in finished if e.status == EnrolmentStatus.COMPLETED]
    # About half go on to the simulator, started two weeks after the SprintCamp.
    sim_day = camp_day + timedelta(days=14)
    simulator_session = run.session(
        simulator,
        oclock,
        _half_days(sim_day, 84, afternoon=False)[:40],
        capacity=40,
        place="O'Clock, Paris 10e",
    )
    chosen = completed[: len(completed) // 2]
    sim_enrolments = run.enrol(simulator_session, chosen)
    run.roll_calls(simulator_session, sim_enrolments, presence=0.85)
    # Some already left the simulator for a job or a training; their exits are recorded.
    for e in sim_enrolments[:8]:
        run.finish([e], today - timedelta(days=run.rng.randint(1, 20)), leave_rate=1, reasons=("emploi",))
        run.exit(
            programme,
            e.person,
            e.ended_on,
            {
                ("durable", "cdi"): 1,
                ("durable", "cdd_6"): 1,
                ("transition", "cdd_court"): 1,
                ("positive", "formation"): 1,
            },
        )
    # Those who left the SprintCamp: an exit each.
    for e in finished:
        if e.status == EnrolmentStatus.LEFT:
            run.exit(programme, e.person, e.ended_on, EXITS_ENSEMBLE)
    # Ahead: next workshops (one with a place left), the qualifying training after the simulator.
    for k, offset in enumerate((3, 10)):
        day = today + timedelta(days=offset)
        title, topic = WORKSHOPS_ENSEMBLE[k]
        run.session(
            workshops,
            pop,
            [(_at(day, 14), _at(day, 17))],
            capacity=12,
            place="Fablab POP, Paris 20e",
            title=title,
            topic=topic,
        )
    run.session(
        training,
        oclock,
        [(_at(sim_day + timedelta(days=98), 9), _at(sim_day + timedelta(days=98), 17))],
        capacity=20,
        place="O'Clock, Paris 10e",
    )
    # Alumni of an earlier cohort welcome the newcomers.
    for person in completed[-3:]:
        actions.mark_peer(person=person, structure=person.structure, actor=None)
    return programme


def _tremplin(run: Run, s) -> Programme:
    lead, imt = s["Les petits débrouillards Bretagne"], s["IMT Atlantique"]
    programme, (info, code, fab, web, follow) = _programme(
        "Tremplin Numérique",
        [lead, imt],
        "Formation longue et variée à Brest, Rennes et Rostrenen : programmation, découpe laser, "
        "web, avec l'IMT Atlantique ; le recrutement se fait avec France Travail.",
        [
            StageSpec(
                "Information collective", StageKind.JOB_DISCOVERY, "Présentation avec France Travail.", 1, 20
            ),
            StageSpec(
                "Programmation", StageKind.MODULE, "Bases de la programmation.", 20, 15, [(RuleKind.INVITED,)]
            ),
            StageSpec(
                "Fabrication numérique et découpe laser", StageKind.MODULE, "", 15, 15, [(RuleKind.PREVIOUS,)]
            ),
            StageSpec("Web", StageKind.MODULE, "Sites et contenus.", 20, 15, [(RuleKind.PREVIOUS,)]),
            StageSpec(
                "Suivi vers l'emploi",
                StageKind.FOLLOW_UP,
                "Trois mois d'accompagnement.",
                90,
                15,
                [(RuleKind.PREVIOUS,)],
            ),
        ],
    )
    people = _people(lead, 45)
    sites = ["Brest", "Rennes", "Rostrenen"]
    start = run.today - timedelta(days=120)
    for i, site in enumerate(sites):
        group = people[i * 15 : (i + 1) * 15]
        day = start + timedelta(days=i)
        info_session = run.session(
            info, lead, [(_at(day, 9, 30), _at(day, 12))], capacity=20, place=f"Tremplin Numérique, {site}"
        )
        enrolments = run.enrol(info_session, group)
        actions.take_attendance(
            slot=info_session.slots.get(), marks={e.pk: "present" for e in enrolments}, structure=lead
        )
        run.finish(enrolments, day, leave_rate=0)
        current = group
        module_day = day + timedelta(days=14)
        for stage, days, label in ((code, 20, "Atelier programmation"), (fab, 15, ""), (web, 20, "")):
            session = run.session(
                stage,
                lead,
                _half_days(module_day, days)[:16],
                capacity=15,
                place=f"Tremplin Numérique, {site}",
                trainer_label="IMT Atlantique" if stage is code else label,
            )
            if stage is code:  # invited by the coordination (no message in the demo)
                for person in current:
                    actions.invite(session=session, person=person, structure=lead, actor=None, notify=False)
            enrolments = run.enrol(session, current)
            run.roll_calls(session, enrolments, presence=0.82)
            end = module_day + timedelta(days=days)
            if end < run.today:
                finished = run.finish(enrolments, end, leave_rate=0.1)
                current = [e.person for e in finished if e.status == EnrolmentStatus.COMPLETED]
                for e in finished:
                    if e.status == EnrolmentStatus.LEFT:
                        run.exit(
                            programme,
                            e.person,
                            e.ended_on,
                            {("autre", "recherche"): 2, ("transition", "cdd_court"): 1},
                        )
            else:
                break
            module_day = end + timedelta(days=3)
    return programme


def _oser_coder(run: Run, s) -> Programme:
    lead = s["Hauts de Garonne Développement"]
    programme, (mornings, training) = _programme(
        "Oser coder",
        [lead],
        "Trois jeudis matin pour des femmes éloignées de l'emploi : découvrir le code et les métiers "
        "du numérique, puis entrer dans une formation des partenaires. Quatre séries par an.",
        [
            StageSpec(
                "Trois jeudis découverte",
                StageKind.JOB_DISCOVERY,
                "Trois matinées, un jeudi par semaine.",
                15,
                12,
            ),
            StageSpec(
                "Formation d'un partenaire",
                StageKind.QUALIFYING,
                "Développeur·se web, TSSR, data…",
                180,
                12,
                [(RuleKind.PREVIOUS,)],
            ),
        ],
        template=True,
    )
    women = [p for p in _people(lead) if p.gender == "F"] or _people(lead)
    today = run.today
    for series in range(4):
        # Series every quarter: three past, one ahead.
        first = today + timedelta(days=10) - timedelta(days=91 * (3 - series))
        first += timedelta(days=(3 - first.weekday()) % 7)  # a Thursday
        slots = [
            (_at(first + timedelta(days=7 * k), 9), _at(first + timedelta(days=7 * k), 12), *about)
            for k, about in enumerate(THURSDAYS_OSER_CODER)
        ]
        session = run.session(
            mornings,
            lead,
            slots,
            capacity=12,
            place="Hauts de Garonne Développement, Cenon",
            title=SERIES_OSER_CODER[series],
            topic="Métiers du numérique",
        )
        group = [women[(series * 10 + k) % len(women)] for k in range(10)]
        group = list(dict.fromkeys(group))
        enrolments = run.enrol(session, group)
        run.roll_calls(session, enrolments, presence=0.88)
        end = timezone.localtime(session.slots.order_by("-starts_at").first().starts_at).date()
        if end < today:
            finished = run.finish(enrolments, end, leave_rate=0.1, reasons=("famille", "mobilite", "sante"))
            for e in finished:
                if e.status == EnrolmentStatus.COMPLETED and run.rng.random() < 0.5:
                    run.exit(
                        programme,
                        e.person,
                        end + timedelta(days=30),
                        {("positive", "formation"): 5, ("transition", "contrat_aide"): 1},
                    )
    return programme


def _defi(run: Run, s) -> Programme:
    partners = [s["Campus Vitamine T"], s["FAS Grand Est"], s["Inter-Réseaux IAE Occitanie"]]
    programme, (workshop,) = _programme(
        "Défi Insertion — ateliers smartphone",
        [s["WeTechCare"], *partners],
        "Ateliers smartphone par groupes de huit, animés par des pairs facilitateur·rices formé·es "
        "par WeTechCare, dans les trois régions pilotes.",
        [
            StageSpec(
                "Atelier smartphone",
                StageKind.WORKSHOP,
                "Prendre en main son téléphone : appels, SMS, applis utiles.",
                1,
                8,
            )
        ],
        template=True,
    )
    for partner in partners:
        people = _people(partner)
        peer, learners = people[0], people[1:]
        actions.mark_peer(person=peer, structure=partner, actor=None)
        for k in range(4):
            day = run.today - timedelta(days=7 * (3 - k) + 2) if k < 3 else run.today + timedelta(days=5)
            title, topic = WORKSHOPS_DEFI[k]
            session = run.session(
                workshop,
                partner,
                [(_at(day, 14), _at(day, 16))],
                capacity=8,
                place=f"{partner.name}",
                peer=peer,
                title=title,
                topic=topic,
            )
            group = list(dict.fromkeys(learners[(k * 8 + j) % len(learners)] for j in range(8)))
            enrolments = run.enrol(session, group)
            run.roll_calls(session, enrolments, presence=0.8, peer=peer)
            if session.starts_on < run.today:
                run.finish(enrolments, session.starts_on, leave_rate=0)
    return programme


def _formaincube(run: Run, s) -> Programme:
    lead = s["Form'Ain Cube"]
    programme, (course, incubator, follow) = _programme(
        "Référent numérique en entreprise",
        [lead],
        "Huit apprenant·es formé·es au métier de référent numérique, mis en situation avec les porteurs "
        "de projet de l'incubateur ; enquête à trois mois pour la sortie dynamique.",
        [
            StageSpec("Formation", StageKind.MODULE, "", 60, 8, [(RuleKind.DIAGNOSTIC,)]),
            StageSpec(
                "Mise en situation à l'incubateur",
                StageKind.SIMULATOR,
                "Avec quatre porteurs de projet.",
                30,
                8,
                [(RuleKind.PREVIOUS,)],
            ),
            StageSpec("Suivi à trois mois", StageKind.FOLLOW_UP, "", 90, 8, [(RuleKind.PREVIOUS,)]),
        ],
    )
    learners = _people(lead, 8)
    for person in learners:
        actions.record_diagnostic(person=person, structure=lead, actor=None)
    start = run.today - timedelta(days=200)
    current = learners
    for stage, days in ((course, 60), (incubator, 30)):
        session = run.session(
            stage, lead, _half_days(start, days)[:30], capacity=8, place="Form'Ain Cube, Ambérieu-en-Bugey"
        )
        enrolments = run.enrol(session, current)
        run.roll_calls(session, enrolments, presence=0.9)
        current = [e.person for e in run.finish(enrolments, start + timedelta(days=days), leave_rate=0)]
        start += timedelta(days=days + 3)
    session = run.session(
        follow,
        lead,
        [(_at(start + timedelta(days=90), 10), _at(start + timedelta(days=90), 11))],
        capacity=8,
        title="Entretien à trois mois",
    )
    followed = run.enrol(session, current)
    if session.starts_on < run.today:  # the meeting took place: the follow-up is done
        run.roll_calls(session, followed, presence=1.0)
        run.finish(followed, session.starts_on, leave_rate=0)
    # The survey three months after: six of eight in a dynamic exit, as the article reports.
    outcomes = [
        ("durable", "cdi"),
        ("durable", "creation"),
        ("transition", "cdd_court"),
        ("positive", "formation"),
        ("durable", "cdd_6"),
        ("positive", "formation"),
        ("autre", "recherche"),
        ("autre", "recherche"),
    ]
    for person, outcome in zip(current, outcomes, strict=False):
        run.exit(programme, person, start + timedelta(days=20), {outcome: 1})
    return programme


BUILDERS = [
    ("Ensemble à 100 %", "POP", _ensemble),
    ("Tremplin Numérique", "Les petits débrouillards Bretagne", _tremplin),
    ("Oser coder", "Hauts de Garonne Développement", _oser_coder),
    ("Défi Insertion — ateliers smartphone", "WeTechCare", _defi),
    ("Référent numérique en entreprise", "Form'Ain Cube", _formaincube),
]


def load(tally, structures: dict, *, today: date | None = None) -> None:
    today = today or timezone.localdate()
    for name, lead, build in BUILDERS:
        exists = Programme.objects.filter(name=name, owners=structures[lead]).exists()
        tally.add("programmes", not exists)
        if not exists:
            build(Run(random.Random(stable_seed("programme", name)), today), structures)
    rollup.refresh()
