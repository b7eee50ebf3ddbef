"""Indexes for the people search's name query on PostgreSQL.

Django runs `istartswith` as `UPPER("col"::text) LIKE UPPER('smi%')`: the plain B-tree on the
names cannot serve it, so every search read the register in name order. An index on the same
expression with text_pattern_ops serves the prefix match under any collation; the search's two
names become a BitmapOr of the two. SQLite has no operator classes and searches small
registers: it is left as it is.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

NAMES = ("given_name", "family_name")


def _index(name: str) -> str:
    return f"person_{name}_upper_prefix_idx"


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NAMES:
        schema_editor.execute(
            f'CREATE INDEX {_index(name)} ON register_person (UPPER("{name}"::text) '
            "text_pattern_ops)"
        )


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NAMES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index(name)}")


class Migration(migrations.Migration):
    dependencies = [("register", "0006_team_safe_utilisation_percent")]

    operations = [migrations.RunPython(create, drop)]
