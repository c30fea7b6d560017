"""Writes of the directory that pages and jobs share: imports through the offer screen."""

import io
import logging
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action

from .importer import Report, import_file
from .models import ImportRun

logger = logging.getLogger(__name__)

# Shown while a run waits or works; the share of the bar each stage fills (writing is the long one).
STAGES = {"attente": (0, 0), "lecture": (0, 10), "vérification": (10, 30), "écriture": (30, 100)}
STAGE_LABELS = {
    "attente": "En attente d'un créneau…",
    "lecture": "Lecture du fichier…",
    "vérification": "Vérification de chaque ligne…",
    "écriture": "Enregistrement…",
}
MAX_PROBLEMS = 1000  # enough to fix a file; the count is in the summary
# Far beyond the longest import: a run still unfinished then lost its job (a queue emptied, a
# consumer killed mid-import — its transaction rolled back, so nothing was written).
ABANDONED_AFTER = timedelta(hours=6)


def _progress_key(run: ImportRun) -> str:
    return f"directory-import-{run.token}"


def _queue():
    # The job queue's key-value store is shared by the web server and the consumer (SQLite file
    # or Redis): the database row cannot carry progress, the import writes in one transaction.
    from huey.contrib.djhuey import HUEY

    return HUEY


def import_progress(run: ImportRun) -> dict:
    """{"stage", "label", "percent"} of a run that has not finished."""
    stage, done, total = _queue().get(_progress_key(run), peek=True) or ("attente", 0, 1)
    start, end = STAGES.get(stage, (0, 0))
    percent = start + (end - start) * min(done, total) // max(total, 1)
    return {"stage": stage, "label": STAGE_LABELS.get(stage, ""), "percent": percent}


def _enqueue(run_id: int) -> None:
    from .tasks import import_task

    import_task(run_id)


@transaction.atomic
def start_import(*, structure, user, filename: str, content: bytes) -> ImportRun:
    """Store an uploaded file and queue its import; the page follows the run."""
    run = ImportRun.objects.create(
        token=uuid.uuid4(), structure=structure, created_by=user, filename=filename[:200], content=content
    )
    record(action=Action.ADMIN, actor=user, structure=structure, obj=run, detail="import annuaire déposé")
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


@transaction.atomic
def finish_import(*, run: ImportRun, report: Report | None) -> ImportRun:
    """Keep the report, drop the file, write the journal."""
    run.finished_at = timezone.now()
    run.content = b""
    if report is None:
        run.status, run.accepted = ImportRun.Status.FAILED, False
        run.summary = (
            "L'import n'a pas pu aller au bout : rien n'a été enregistré. Réessayez plus tard ; "
            "si cela recommence, écrivez à l'équipe qui gère Jalon."
        )
    else:
        run.status, run.accepted = ImportRun.Status.DONE, report.ok
        run.summary = report.summary()
        run.problems = [str(p) for p in report.problems[:MAX_PROBLEMS]]
        run.notices = report.notices[:MAX_PROBLEMS]
    run.save()
    outcome = {True: "accepté", False: "refusé", None: "en échec"}[None if report is None else report.ok]
    record(
        action=Action.ADMIN,
        actor=run.created_by,
        structure=run.structure,
        obj=run,
        detail=f"import annuaire {outcome}",
        via="job",
    )
    return run


@transaction.atomic
def record_import(*, structure, user, filename: str, report: Report) -> ImportRun:
    """An import done outside the screen (the demo, a command run for a structure), kept in the
    offer's history like the screen's own."""
    run = ImportRun.objects.create(
        token=uuid.uuid4(), structure=structure, created_by=user, filename=filename
    )
    return finish_import(run=run, report=report)


def run_import(*, run_id: int) -> ImportRun:
    """The job: import the stored file, telling how far it got. Not atomic as a whole: the
    import writes in its own transaction, and the run's state must be seen while it works."""
    run = ImportRun.objects.select_related("structure", "created_by").get(pk=run_id)
    if run.finished:
        return run  # a job run twice (a worker restarted) does nothing more
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    queue, key = _queue(), _progress_key(run)

    def progress(stage: str, done: int, total: int) -> None:
        queue.put(key, (stage, done, total))

    content = bytes(run.content)
    try:
        stream = io.BytesIO(content) if run.filename.lower().endswith(".xlsx") else content
        report = import_file(run.filename, stream, owner=run.structure, progress=progress)
    except Exception as exc:  # noqa: BLE001 — the page must end, whatever broke
        # The type only: a message could quote a value of the file.
        logger.error("directory import %s failed (%s)", run.pk, type(exc).__name__)
        report = None
    finally:
        queue.get(key)  # removes it
    return finish_import(run=run, report=report)


def end_abandoned_imports(now=None) -> int:
    """End the runs whose job was lost, so their page stops waiting. Returns how many."""
    limit = (now or timezone.now()) - ABANDONED_AFTER
    ended = 0
    stale = ImportRun.objects.filter(
        status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING], created_at__lt=limit
    ).select_related("structure", "created_by")
    for run in stale:
        finish_import(run=run, report=None)
        ended += 1
    return ended
