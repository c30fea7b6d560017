import importlib

import pytest
from django.apps import apps

from jalon.audit.actions import record, record_person_reads
from jalon.audit.models import Action, AuditEvent, Via

migration = importlib.import_module("jalon.audit.migrations.0003_via_choices_one_value_for_links")


def test_via_is_a_vocabulary_not_a_free_string(db):
    with pytest.raises(ValueError):
        record(action=Action.READ, via="lien")
    with pytest.raises(ValueError):
        record_person_reads(actor=None, structure=None, person_ids=[], detail="", via="courrier")
    assert not AuditEvent.objects.exists()
    event = record(action=Action.READ, via="link")
    assert event.via == Via.LINK and event.get_via_display() == "Lien sans compte"


def test_old_link_spellings_count_as_one_channel(db):
    AuditEvent.objects.bulk_create(
        [AuditEvent(action=Action.READ, via="lien"), AuditEvent(action=Action.READ, via="link")]
        + [AuditEvent(action=Action.READ, via="api")]
    )
    migration.one_value_for_links(apps, None)
    assert sorted(AuditEvent.objects.values_list("via", flat=True)) == ["api", "link", "link"]
