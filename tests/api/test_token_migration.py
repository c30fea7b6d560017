"""Tokens issued before expiry and rights existed keep read and write for a year after creation."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("users", "0001_initial")]
AFTER = [("users", "0002_api_token_expiry_and_scope")]


@pytest.mark.django_db(transaction=True)
def test_existing_tokens_become_read_write_and_expire_a_year_after_creation():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        user = old.get_model("users", "User").objects.create(email="ancien@example.org", password="!")
        created = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
        old.get_model("users", "ApiToken").objects.create(
            user=user, name="ancien", key_hash="a" * 64, hint="jln_abcd", created_at=created
        )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        token = new.get_model("users", "ApiToken").objects.get(name="ancien")
        assert token.scope == "read write"
        assert token.expires_at == created + timedelta(days=365)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
