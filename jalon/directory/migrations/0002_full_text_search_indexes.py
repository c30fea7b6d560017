from django.db import migrations

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS directory_service_fts USING fts5(name, body, tokenize = 'unicode61')"
)
PG_GIN = (
    "CREATE INDEX IF NOT EXISTS directory_service_fts ON directory_service USING GIN "
    "((setweight(to_tsvector('french', search_name), 'A') || setweight(to_tsvector('french', search_body), 'B')))"
)


def create(apps, schema_editor):
    # Each database gets its own full-text structure (see jalon/directory/search.py).
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_FTS)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_GIN)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS directory_service_fts")
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS directory_service_fts")


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_directory_structures_and_services")]
    operations = [migrations.RunPython(create, drop)]
