"""PostgreSQL: where each service is open, as a GIN-indexed array.

`jalon_service_zones(zone_eligibilite, commune_id)` gives the codes of ServiceZone for a service:
its zone_eligibilite, or else its commune's département (the first two characters of the INSEE
code, three overseas: the rule of jalon.directory.models.eligibility_codes, checked against the
commune table). Indexed with GIN, the territory filter and the words' GIN indexes combine
(BitmapAnd): a commune search reads only the services open there that match the words, where
the semi-join on ServiceZone made PostgreSQL check the words on every service open there.
COST 10000 tells the planner that computing the function row by row is dear, so it takes the index.
Nothing changes on SQLite (the semi-join is fast there, its FTS5 read stops early).
"""

from django.db import migrations

CREATE = [
    """
    CREATE FUNCTION jalon_service_zones(zones jsonb, commune varchar) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 10000 AS $$
      SELECT CASE
        WHEN jsonb_typeof(zones) = 'array' AND jsonb_array_length(zones) > 0
          THEN ARRAY(SELECT jsonb_array_elements_text(zones))
        WHEN commune IS NULL OR commune = '' THEN ARRAY[]::text[]
        WHEN left(commune, 2) IN ('97', '98') THEN ARRAY[left(commune, 3)]
        ELSE ARRAY[left(commune, 2)]
      END
    $$
    """,
    "CREATE INDEX directory_service_zones ON directory_service "
    "USING GIN (jalon_service_zones(zone_eligibilite, commune_id))",
]
DROP = [
    "DROP INDEX IF EXISTS directory_service_zones",
    "DROP FUNCTION IF EXISTS jalon_service_zones(jsonb, varchar)",
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
    dependencies = [("directory", "0007_unzoned_services_in_their_departement")]
    operations = [migrations.RunPython(forwards, backwards)]
