"""Demo of repérage and accueil, loaded by jalon.demo.data.load() after structures and people.

RE-PAIR (Transitions 64, around Mourenx): about thirty "capteurs" — shops, bars, an estate agent,
temp agencies, charities, clubs, the social landlord, the town hall's poster, and the partner
agencies —, some dormant, two deactivated, a prospection log with follow-ups due, five months of
referrals at every status, intakes and action plans, and orientations to the PLIE and France
Travail. Elsewhere, partners orient people to POP and to les petits débrouillards.
Idempotent: keyed on natural keys (referrer name, referral phone, one intake per file); no message
is queued. Deterministic: every random choice comes from a seeded generator.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from jalon.people.models import Person
from jalon.referrals import actions, rollup
from jalon.referrals.models import (
    ClosedReason,
    Orientation,
    OrientationStatus,
    OrientationTarget,
    PlanAction,
    ProspectionEntry,
    ProspectionKind,
    Referral,
    ReferralSource,
    ReferralStatus,
    Referrer,
    RefusalReason,
)
from jalon.structures.models import Commune

from .data import _mobile, demo_email, stable_seed

# (name, kind, town, contact) — fictional businesses; institutions under their public names.
NETWORK = [
    ("Boulangerie Le Fournil de Mourenx", "commerce", "Mourenx", "Sylvie, la gérante"),
    ("Pharmacie du Centre", "sante", "Mourenx", "M. Larrieu"),
    ("Bar-tabac Le Béarn", "cafe", "Mourenx", "Jo"),
    ("Café de la Place", "cafe", "Lacq", "Nathalie"),
    ("Agence immobilière du Gave", "agence_immobiliere", "Orthez", "M. Roux"),
    ("Intérim Plus Lacq", "interim", "Lacq", "Élise, chargée de recrutement"),
    ("Agence Travail Temporaire Béarn", "interim", "Mourenx", "Karim"),
    ("Secours populaire — antenne de Mourenx", "caritatif", "Mourenx", "Danièle, bénévole"),
    ("Restos du cœur de Monein", "caritatif", "Monein", "Pierre, responsable d'antenne"),
    ("Épicerie solidaire du bassin de Lacq", "caritatif", "Mourenx", "Fatima"),
    ("Union sportive Mourenx rugby", "club_sportif", "Mourenx", "l'entraîneur des seniors"),
    ("Judo club d'Artix", "club_sportif", "Artix", "Mme Pouey"),
    ("Office 64 de l'Habitat — agence de Mourenx", "bailleur", "Mourenx", "la chargée de proximité"),
    ("Mairie de Mourenx — accueil", "lieu_public", "Mourenx", "l'agent d'accueil"),
    ("Médiathèque de Mourenx", "lieu_public", "Mourenx", "la médiatrice numérique"),
    ("CCAS d'Orthez", "partenaire", "Orthez", "l'assistante sociale"),
    ("France Travail Mourenx", "partenaire", "Mourenx", "la conseillère référente"),
    ("Mission locale Mourenx Oloron Orthez", "partenaire", "Mourenx", "le conseiller jeunes"),
    ("Coiffure Régine", "commerce", "Mourenx", "Régine"),
    ("Supérette du Vieux Bourg", "commerce", "Monein", "M. Casteig"),
    ("Garage solidaire du Béarn", "autre", "Artix", "Thierry"),
    ("Laverie du marché", "commerce", "Orthez", "Mme Lalanne"),
    ("Auto-école Béarnaise", "commerce", "Mourenx", "Fabien"),
    ("Centre social Alexis Peyret", "caritatif", "Mourenx", "l'animatrice famille"),
    ("Club de pétanque de Lacq", "club_sportif", "Lacq", "le président"),
    ("Cabinet infirmier des Pyrénées", "sante", "Monein", "Sandrine"),
    ("Paroisse Saint-Jean — aide alimentaire", "caritatif", "Orthez", "le diacre"),
    ("Bar Le Relais", "cafe", "Artix", "Momo"),
    ("Kebab de la gare", "cafe", "Orthez", "Ali"),
    ("Boutique de réparation de téléphones", "commerce", "Pau", "Yacine"),
]
DORMANT = {
    "Judo club d'Artix",
    "Laverie du marché",
    "Club de pétanque de Lacq",
    "Bar Le Relais",
    "Kebab de la gare",
}
NEVER = {"Cabinet infirmier des Pyrénées", "Paroisse Saint-Jean — aide alimentaire"}
DEACTIVATED = {"Boutique de réparation de téléphones", "Auto-école Béarnaise"}
TOWNS = ["Mourenx", "Lacq", "Monein", "Orthez", "Pau", "Artix"]
FIRST_NAMES = [
    "Kévin",
    "Jessica",
    "Mohamed",
    "Sandrine",
    "Dylan",
    "Océane",
    "Rachid",
    "Nadia",
    "Jordan",
    "Émilie",
    "Thierry",
    "Leïla",
    "Anthony",
    "Cindy",
    "Mickaël",
    "Samira",
    "Bruno",
    "Aurélie",
    "Yassine",
    "Laetitia",
]
NEED_SETS = [
    ["emploi"],
    ["emploi", "mobilite"],
    ["numerique"],
    ["numerique", "droits"],
    ["formation"],
    ["emploi", "numerique"],
    ["budget", "droits"],
    ["logement", "emploi"],
    ["langue"],
    ["creation"],
    ["famille", "emploi"],
    ["sante", "emploi"],
]
REFERRALS = 120
DAYS = 150


def _town_communes() -> dict:
    rows = Commune.objects.filter(departement="64", name__in=TOWNS, is_arrondissement=False)
    return {c.name: c for c in rows}


def load(tally, structures: dict) -> None:
    """Idempotent: keyed on natural keys, a second run creates nothing. Counts go to `tally`."""
    repair = structures["Transitions 64"]
    User = get_user_model()
    facilitator = User.objects.get(email=demo_email("cip.transitions64"))
    now = timezone.now()
    rng = random.Random(stable_seed("demo-repair"))
    towns = _town_communes()

    referrers = {}
    for index, (name, kind, town, contact) in enumerate(NETWORK):
        referrer = Referrer.objects.filter(structure=repair, name=name).first()
        tally.add("relais", referrer is None)
        if referrer is None:
            partner = next((s for s in structures.values() if s.name == name), None)
            referrer = Referrer.objects.create(
                structure=repair,
                name=name,
                kind=kind,
                partner_structure=partner,
                contact_name=contact,
                address=town,
                commune=towns.get(town),
                facilitator=facilitator,
                is_active=name not in DEACTIVATED,
                created_at=now - timedelta(days=DAYS + 60 - index),
                link_revoked_at=now - timedelta(days=20) if name in DEACTIVATED else None,
            )
        referrers[name] = referrer

    _prospection(tally, referrers, facilitator, rng, now)
    welcomed = _referrals(tally, repair, referrers, rng, now, towns)
    _intakes_and_plans(tally, repair, facilitator, welcomed, now)
    _repair_orientations(tally, structures, facilitator, welcomed, rng, now)
    _partner_orientations(tally, structures, rng, now)


def _prospection(tally, referrers, facilitator, rng, now):
    if ProspectionEntry.objects.filter(referrer__in=referrers.values()).exists():
        tally.add(
            "journal de prospection",
            0,
            ProspectionEntry.objects.filter(referrer__in=referrers.values()).count(),
        )
        return
    today = timezone.localdate()
    entries = []
    for index, referrer in enumerate(referrers.values()):
        first = today - timedelta(days=DAYS + 40 - index)
        entries.append(
            ProspectionEntry(
                referrer=referrer,
                kind=ProspectionKind.VISIT,
                happened_on=first,
                author=facilitator,
                note="Présentation de la démarche RE-PAIR et du lien pour orienter.",
                follow_up_done_at=now - timedelta(days=DAYS),
            )
        )
        entries.append(
            ProspectionEntry(
                referrer=referrer,
                kind=ProspectionKind.POSTER,
                happened_on=first + timedelta(days=1),
                author=facilitator,
                note="Affiche « je veux être rappelé·e » laissée au comptoir.",
            )
        )
        if referrer.name in DORMANT or index % 7 == 0:
            # Follow-ups due: some today, some late, a few next week.
            due = today + timedelta(days=rng.choice([-12, -5, -1, 0, 0, 3, 8]))
            entries.append(
                ProspectionEntry(
                    referrer=referrer,
                    kind=ProspectionKind.CALL,
                    happened_on=today - timedelta(days=30),
                    author=facilitator,
                    note="Appel : pas de nouvelle orientation depuis l'été.",
                    follow_up_on=due,
                )
            )
    ProspectionEntry.objects.bulk_create(entries)
    tally.add("journal de prospection", len(entries))


def _status_for(age_days: int, rng) -> tuple[str, str]:
    if age_days < 4:
        return rng.choice([ReferralStatus.NEW, ReferralStatus.NEW, ReferralStatus.CONTACTED]), ""
    if age_days < 15:
        return rng.choice([ReferralStatus.CONTACTED, ReferralStatus.APPOINTMENT, ReferralStatus.NEW]), ""
    roll = rng.random()
    if roll < 0.45:
        return ReferralStatus.WELCOMED, ""
    if roll < 0.65:
        return ReferralStatus.ORIENTED, ""
    if roll < 0.80:
        return ReferralStatus.APPOINTMENT, ""
    return ReferralStatus.CLOSED, rng.choice(
        [
            ClosedReason.UNREACHABLE,
            ClosedReason.UNREACHABLE,
            ClosedReason.DECLINED,
            ClosedReason.ALREADY_FOLLOWED,
        ]
    )


def _referrals(tally, repair, referrers, rng, now, towns) -> list[Referral]:
    """About 120 referrals over five months; returns the welcomed and oriented ones."""
    existing = Referral.objects.filter(structure=repair)
    if existing.exists():
        tally.add("demandes", 0, existing.count())
        return list(existing.filter(person__isnull=False).select_related("person").order_by("pk"))
    workers = list(
        get_user_model().objects.filter(
            memberships__structure=repair, memberships__role__in=["accompagnateur"]
        )
    )
    people = list(Person.objects.filter(structure=repair).order_by("pk"))
    lively = [r for name, r in referrers.items() if name not in DORMANT | NEVER | DEACTIVATED]
    quiet = [r for name, r in referrers.items() if name in DORMANT]
    taken = set(Referral.objects.values_list("phone", flat=True))
    rows = []
    for index in range(REFERRALS):
        age = rng.randrange(0, DAYS)
        if index % 10 == 9:
            referrer, source = None, ReferralSource.SELF
        elif index % 10 == 8 and quiet:
            referrer, source = rng.choice(quiet), ReferralSource.LINK
            age = rng.randrange(100, DAYS)  # dormant: nothing for more than 90 days
        else:
            referrer, source = rng.choice(lively), ReferralSource.LINK
        created = now - timedelta(days=age, hours=rng.randrange(0, 9))
        status, reason = _status_for(age, rng)
        first_contact = None
        if status != ReferralStatus.NEW and not (
            status == ReferralStatus.CLOSED and reason == ClosedReason.UNREACHABLE
        ):
            first_contact = created + timedelta(hours=rng.choice([2, 5, 20, 26, 48, 70, 120]))
        person = None
        if status in (ReferralStatus.WELCOMED, ReferralStatus.ORIENTED) and people:
            person = people.pop(0)
        elif status in (ReferralStatus.WELCOMED, ReferralStatus.ORIENTED):
            status = ReferralStatus.APPOINTMENT
        first_name = person.first_name if person else rng.choice(FIRST_NAMES)
        rows.append(
            Referral(
                structure=repair,
                referrer=referrer,
                source=source,
                first_name=first_name,
                last_name=person.last_name if person else "",
                phone=person.phone if person and person.phone else _mobile(rng, taken),
                commune=towns.get(rng.choice(TOWNS)),
                needs=rng.choice(NEED_SETS),
                referrer_note="Vu au comptoir, motivé·e mais sans voiture."
                if index % 6 == 0 and referrer
                else "",
                contact_consent_at=created,
                consent_text_version=actions.CONTACT_CONSENT_TEXT[0],
                share_outcome=rng.random() < 0.6,
                status=status,
                closed_reason=reason,
                assigned_to=rng.choice(workers) if workers and status != ReferralStatus.NEW else None,
                person=person,
                created_at=created,
                first_contact_at=first_contact,
                first_contact_minutes=int((first_contact - created).total_seconds() // 60)
                if first_contact
                else None,
                status_changed_at=first_contact or created,
            )
        )
    for row in rows:
        row.refresh_search_fields()  # the inbox search reads it
    Referral.objects.bulk_create(rows)
    # bulk_create bypasses the actions that keep the indicators' monthly roll-ups in step.
    rollup.rebuild()
    for referrer in referrers.values():
        actions.refresh_referrer_counts(referrer.pk)
    tally.add("demandes", len(rows))
    return [r for r in rows if r.person_id]


def _intakes_and_plans(tally, repair, facilitator, welcomed, now):
    made = 0
    for referral in welcomed[:6]:
        person = referral.person
        if person.intakes.exists():
            continue
        needs = [
            {"domain": code, "priority": 1 if i == 0 else 2, "note": ""}
            for i, code in enumerate(referral.needs)
        ]
        actions.record_intake(
            person=person,
            structure=repair,
            actor=facilitator,
            summary="Premier point de situation.",
            needs=needs,
        )
        axis = actions.add_plan_axis(
            person=person, structure=repair, actor=facilitator, title="Retour à l'emploi"
        )
        objective = actions.add_plan_objective(
            axis=axis, structure=repair, actor=facilitator, title="Préparer les candidatures"
        )
        for title, days in (
            ("Mettre à jour le CV", -3),
            ("Créer un compte France Travail", 2),
            ("Atelier entretien", 10),
        ):
            action = actions.add_plan_action(
                objective=objective, structure=repair, actor=facilitator, title=title
            )
            PlanAction.objects.filter(pk=action.pk).update(
                due_on=timezone.localdate() + timedelta(days=days), owner=facilitator
            )
        made += 1
    tally.add("points de situation", made, len(welcomed[:6]) - made)


def _orientation(person, from_structure, from_user, target, motive, status, created, rng, referral=None):
    answered = (
        created + timedelta(hours=rng.choice([6, 20, 30, 52, 96]))
        if status not in (OrientationStatus.PROPOSED, OrientationStatus.EXPIRED)
        else None
    )
    return Orientation(
        person=person,
        from_structure=from_structure,
        from_user=from_user,
        referral=referral,
        target_kind=OrientationTarget.STRUCTURE,
        target_structure=target,
        motive=motive,
        share_contact=True,
        status=status,
        refusal_reason=RefusalReason.values[0] if status == OrientationStatus.REFUSED else "",
        answered_by_name="Accueil" if answered else "",
        created_at=created,
        answered_at=answered,
        started_at=answered + timedelta(days=7)
        if status in (OrientationStatus.STARTED, OrientationStatus.FINISHED)
        else None,
        ended_at=created + timedelta(days=30)
        if status in (OrientationStatus.FINISHED, OrientationStatus.EXPIRED)
        else None,
        status_changed_at=answered or created,
    )


def _repair_orientations(tally, structures, facilitator, welcomed, rng, now):
    repair = structures["Transitions 64"]
    if Orientation.objects.filter(from_structure=repair).exists():
        tally.add("orientations", 0, Orientation.objects.filter(from_structure=repair).count())
        return
    plie, agency = structures["PLIE Ouest Béarn"], structures["France Travail Mourenx"]
    statuses = [
        OrientationStatus.STARTED,
        OrientationStatus.ACCEPTED,
        OrientationStatus.FINISHED,
        OrientationStatus.REFUSED,
        OrientationStatus.PROPOSED,
        OrientationStatus.EXPIRED,
        OrientationStatus.STARTED,
        OrientationStatus.ACCEPTED,
    ]
    rows = []
    for referral, status in zip(
        [r for r in welcomed if r.status == ReferralStatus.ORIENTED], statuses, strict=False
    ):
        target = plie if len(rows) % 3 else agency
        created = max(referral.created_at + timedelta(days=10), now - timedelta(days=40))
        if status == OrientationStatus.PROPOSED:
            created = now - timedelta(days=3)
        rows.append(
            _orientation(
                referral.person,
                repair,
                facilitator,
                target,
                "Accompagnement renforcé vers l'emploi (PLIE).",
                status,
                created,
                rng,
                referral=referral,
            )
        )
    Orientation.objects.bulk_create(rows)
    tally.add("orientations", len(rows))


def _partner_orientations(tally, structures, rng, now):
    """People sent to POP's discovery workshops and to the petits débrouillards' Tremplin Numérique."""
    made = already = 0
    for sender_name, target_name, motive in (
        ("O'Clock", "POP", "Ateliers découverte du numérique (Ensemble à 100 %)."),
        (
            "IMT Atlantique",
            "Les petits débrouillards Bretagne",
            "Tremplin Numérique : ateliers de découverte.",
        ),
        ("Chênelet", "Les petits débrouillards Bretagne", "Médiation numérique avant la formation."),
    ):
        sender, target = structures.get(sender_name), structures.get(target_name)
        if sender is None or target is None:
            continue
        existing = Orientation.objects.filter(from_structure=sender, target_structure=target)
        if existing.exists():
            already += existing.count()
            continue
        people = list(Person.objects.filter(structure=sender).order_by("pk")[:5])
        statuses = [
            OrientationStatus.ACCEPTED,
            OrientationStatus.STARTED,
            OrientationStatus.PROPOSED,
            OrientationStatus.REFUSED,
            OrientationStatus.FINISHED,
        ]
        rows = [
            _orientation(p, sender, p.referent, target, motive, s, now - timedelta(days=5 + 9 * i), rng)
            for i, (p, s) in enumerate(zip(people, statuses, strict=False))
        ]
        Orientation.objects.bulk_create(rows)
        made += len(rows)
    tally.add("orientations vers POP et les petits débrouillards", made, already)
