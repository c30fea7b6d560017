"""PostgreSQL: stored tsvectors of the name and of the whole text, each with its GIN index.

The search ranks by tiers (the words in the name first, see jalon/directory/search.py). With one
expression index mixing weights, a tier such as "in the name" made PostgreSQL fetch every match
of the word and compute to_tsvector() again for each: seconds on a frequent word at 300,000
services. Stored vectors make every check a read, and the name's own index answers the name tiers.
Nothing changes on SQLite (the FTS5 table already holds both columns).
"""

from django.db import migrations

CREATE = [
    "ALTER TABLE directory_service ADD COLUMN search_name_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('french', search_name)) STORED",
    "ALTER TABLE directory_service ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('french', search_name || ' ' || search_body)) STORED",
    "CREATE INDEX directory_service_name_vector ON directory_service USING GIN (search_name_vector)",
    "CREATE INDEX directory_service_vector ON directory_service USING GIN (search_vector)",
    "DROP INDEX IF EXISTS directory_service_fts",
]
DROP = [
    "DROP INDEX IF EXISTS directory_service_vector",
    "DROP INDEX IF EXISTS directory_service_name_vector",
    "ALTER TABLE directory_service DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE directory_service DROP COLUMN IF EXISTS search_name_vector",
    "CREATE INDEX IF NOT EXISTS directory_service_fts ON directory_service USING GIN "
    "((setweight(to_tsvector('french', search_name), 'A') || setweight(to_tsvector('french', search_body), 'B')))",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_translations")]
    operations = [migrations.RunPython(forwards, backwards)]
