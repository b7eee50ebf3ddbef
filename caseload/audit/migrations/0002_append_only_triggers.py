"""A PostgreSQL trigger that refuses UPDATE and DELETE on the two logs, whoever the client.

PostgreSQL only: production runs on it. On SQLite (development and the demo) the model and
queryset guards apply; a trigger there would also block the test runner's table flushes, which
SQLite does with DELETE where PostgreSQL uses TRUNCATE.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLES = ("audit_accesslogentry", "audit_changeevent")


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION caseload_refuse_change() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'append-only table: % refused', TG_OP; END; $$ "
        "LANGUAGE plpgsql",
        params=None,  # the body's % is PL/pgSQL's placeholder, not the driver's
    )
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION caseload_refuse_change()"
        )


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS caseload_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
