"""The roll-up job: what it deletes, when it runs, and how it behaves next to other writers."""

import html
import threading
from datetime import date, datetime

import pytest
from django.db import close_old_connections, connection, transaction
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from jalon.programmes import actions, rollup, tasks
from jalon.programmes.models import DirtyDay, Programme, RollupRun, Stage, StageKind
from tests.factories import PersonFactory


def _stage(structure) -> Stage:
    programme = Programme.objects.create(name="Ensemble à 100 %")
    programme.owners.add(structure)
    return Stage.objects.create(programme=programme, position=1, name="Ateliers", kind=StageKind.WORKSHOP)


@pytest.mark.django_db(transaction=True)
def test_a_dirty_day_committed_late_with_a_lower_id_survives_the_roll_up(personas, monkeypatch):
    """Two connections: a writer takes a DirtyDay id, then holds its transaction open; a later
    DirtyDay (higher id) commits; the roll-up reads, and the late writer commits before the
    roll-up deletes. Deleting "every id up to the last one read" would drop the late row, whose
    day would then never be rebuilt."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the interleaving needs PostgreSQL's concurrent transactions")
    stage = _stage(personas.structure_a)
    late_day, early_day = date(2027, 1, 4), date(2027, 1, 5)
    inserted, go_commit, committed = threading.Event(), threading.Event(), threading.Event()
    late_ids = []

    def late_writer():
        try:
            with transaction.atomic():
                late_ids.append(
                    DirtyDay.objects.create(programme_id=stage.programme_id, stage=stage, day=late_day).pk
                )
                inserted.set()
                assert go_commit.wait(30)
        finally:
            committed.set()
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=late_writer)
    thread.start()
    assert inserted.wait(30)
    early = DirtyDay.objects.create(programme_id=stage.programme_id, stage=stage, day=early_day)
    assert early.pk > late_ids[0]

    rebuild = rollup._stages
    seen = []

    def rebuild_then_let_the_late_writer_commit(pairs):
        seen.append(set(pairs))
        rebuild(pairs)
        # The roll-up has read its rows; the late transaction commits before the roll-up deletes.
        go_commit.set()
        assert committed.wait(30)

    monkeypatch.setattr(rollup, "_stages", rebuild_then_let_the_late_writer_commit)
    rollup.refresh()
    thread.join()
    assert seen[0] == {(stage.pk, early_day)}
    assert list(DirtyDay.objects.values_list("pk", flat=True)) == late_ids
    # The next run rebuilds the late day and only then lets its row go.
    monkeypatch.setattr(rollup, "_stages", rebuild)
    rollup.refresh()
    assert not DirtyDay.objects.exists()


@pytest.mark.django_db
def test_refresh_deletes_exactly_the_rows_it_read(personas, monkeypatch):
    """Same rule without threads: a row that appears while the roll-up rebuilds (as a late commit
    would) is left for the next run, even with a lower id than the rows read."""
    stage = _stage(personas.structure_a)
    hidden = DirtyDay.objects.create(programme_id=stage.programme_id, stage=stage, day=date(2027, 1, 4))
    hidden_pk = hidden.pk
    hidden.delete()
    DirtyDay.objects.create(programme_id=stage.programme_id, stage=stage, day=date(2027, 1, 5))
    rebuild = rollup._stages

    def rebuild_while_a_late_row_lands(pairs):
        rebuild(pairs)
        if not DirtyDay.objects.filter(pk=hidden_pk).exists():
            DirtyDay.objects.create(
                pk=hidden_pk, programme_id=stage.programme_id, stage=stage, day=date(2027, 1, 4)
            )

    monkeypatch.setattr(rollup, "_stages", rebuild_while_a_late_row_lands)
    rollup.refresh()
    assert list(DirtyDay.objects.values_list("pk", flat=True)) == [hidden_pk]
    monkeypatch.setattr(rollup, "_stages", rebuild)
    rollup.refresh()
    assert not DirtyDay.objects.exists()


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _dashboard(client, programme) -> str:
    return html.unescape(client.get(reverse("programme_dashboard", args=[programme.pk])).content.decode())


@pytest.mark.django_db
def test_the_dashboard_shows_an_enrolment_and_an_exit_once_committed(
    personas, django_capture_on_commit_callbacks
):
    """No waiting for the ten-minute job: the action's commit queues a refresh (inline here, as
    huey runs in the tests), so the next look at the dashboard has the change."""
    a = personas.structure_a
    stage = _stage(a)
    programme = stage.programme
    today = timezone.localdate()
    session = actions.schedule_session(
        stage=stage, structure=a, actor=None, slots=[(_at(today, 9), _at(today, 12))], capacity=5
    )
    person = PersonFactory(structure=a)
    client = personas.client_for(personas.coordinator_a)
    assert '<td data-label="Personnes entrées">0</td>' in _dashboard(client, programme)

    with django_capture_on_commit_callbacks(execute=True):
        actions.enrol(session=session, person=person, structure=a, actor=None)
    assert '<td data-label="Personnes entrées">1</td>' in _dashboard(client, programme)

    with django_capture_on_commit_callbacks(execute=True):
        actions.record_exit(
            programme=programme,
            person=person,
            structure=a,
            actor=None,
            category="durable",
            subtype="cdi",
            exited_on=today,
        )
    page = _dashboard(client, programme)
    assert '<td data-label="Départs">1</td>' in page and "1 sortie." in page
    assert not DirtyDay.objects.exists()


@pytest.mark.django_db
def test_refreshes_do_not_pile_up(personas, django_capture_on_commit_callbacks):
    """While one refresh waits in the queue, commits queue no other; the periodic job clears a
    mark left by a lost job, so the next commit queues again."""
    a = personas.structure_a
    stage = _stage(a)
    session = actions.schedule_session(
        stage=stage,
        structure=a,
        actor=None,
        slots=[(_at(timezone.localdate(), 9), _at(timezone.localdate(), 12))],
        capacity=5,
    )
    HUEY.put(tasks.QUEUED, "1")  # a refresh already waits in the queue
    runs = RollupRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        actions.enrol(session=session, person=PersonFactory(structure=a), structure=a, actor=None)
    assert RollupRun.objects.count() == runs and DirtyDay.objects.exists()

    tasks.rollup_task.call_local()  # the periodic safety net
    assert not DirtyDay.objects.exists() and RollupRun.objects.count() == runs + 1
    with django_capture_on_commit_callbacks(execute=True):
        actions.enrol(session=session, person=PersonFactory(structure=a), structure=a, actor=None)
    assert not DirtyDay.objects.exists() and RollupRun.objects.count() == runs + 2
