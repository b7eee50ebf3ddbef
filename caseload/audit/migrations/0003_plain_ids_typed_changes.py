"""The logs keep plain ids instead of PROTECT foreign keys, so that a person's register rows can
be erased (docs/decisions/0001-audit-rows-keep-plain-ids.md); change events are typed and carry
old and new values; an access-log entry names every person it showed (AccessLogSubject).

Every existing row is kept. Nothing here UPDATEs or DELETEs a log row, so the PostgreSQL
append-only trigger (0002) stays on throughout: foreign keys become plain columns by dropping
their constraints (the columns, values and indexes stay), and the one person an old access-log
entry named is copied into a subject row before that column goes.
"""

import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SUBJECT_TABLE = "audit_accesslogsubject"
BATCH = 2000

ACCESS_ACTIONS = [
    ("view_person", "Viewed a person"),
    ("view_case", "Viewed a case"),
    ("search_people", "Searched people"),
    ("list_people", "Listed people"),
    ("view_team", "Viewed a team"),
    ("view_waiting_list", "Viewed a waiting list"),
    ("view_caseload", "Viewed a practitioner's caseload"),
    ("view_allocation_meeting", "Viewed an allocation meeting"),
    ("view_proposal", "Viewed an allocation proposal"),
    ("view_what_if", "Viewed a what-if"),
    ("view_history", "Viewed a history of changes"),
    ("case_form", "Used a form about a case"),
    ("person_form", "Used a form about a person"),
    ("identity_check_failed", "Entered an NHS number held by someone else"),
    ("search_audit_log", "Searched the audit log"),
    ("export_audit_log", "Exported the audit log"),
]
CHANGE_ACTIONS = [
    ("person_added", "Person added"),
    ("referral_recorded", "Request for support recorded"),
    ("case_screened", "Case screened"),
    ("case_closed", "Case closed"),
    ("case_priority_set", "Priority changed"),
    ("complexity_assessed", "Complexity scored"),
    ("complexity_rescored", "Complexity re-scored"),
    ("complexity_tier_overridden", "Tier overridden"),
    ("complexity_model_published", "Complexity model published"),
    ("allocation_proposed", "Allocation proposed"),
    ("case_allocated", "Case allocated"),
    ("absence_recorded", "Absence recorded"),
    ("handover_planned", "Handover planned"),
    ("handover_carried_out", "Handover carried out"),
    ("handover_cancelled", "Handover cancelled"),
    ("handover_lapsed", "Handover lapsed"),
    ("admin_added", "Added in administration"),
    ("admin_changed", "Changed in administration"),
    ("admin_deleted", "Deleted in administration"),
]


def copy_people_viewed(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    entries = apps.get_model("audit", "AccessLogEntry")
    subjects = apps.get_model("audit", "AccessLogSubject")
    batch = []
    rows = entries.objects.filter(person__isnull=False).values_list("pk", "person_id")
    for entry_id, person_id in rows.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(subjects(entry_id=entry_id, person_id=person_id))
        if len(batch) == BATCH:
            subjects.objects.bulk_create(batch)
            batch = []
    subjects.objects.bulk_create(batch)


def create_subject_trigger(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # The function is 0002's; see there why this is PostgreSQL only.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {SUBJECT_TABLE}_append_only BEFORE UPDATE OR DELETE ON "
            f"{SUBJECT_TABLE} FOR EACH ROW EXECUTE FUNCTION caseload_refuse_change()"
        )


def drop_subject_trigger(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {SUBJECT_TABLE}_append_only ON {SUBJECT_TABLE}"
        )


def unconstrained(to: str, *, null: bool) -> models.ForeignKey:
    """The foreign key as it was, without its database constraint."""
    return models.ForeignKey(
        to=to,
        on_delete=django.db.models.deletion.DO_NOTHING,
        db_constraint=False,
        null=null,
        blank=null,
        related_name="+",
    )


def to_plain_id(
    model: str, field: str, to: str, *, null: bool, index: models.Index | None = None
) -> list[migrations.operations.base.Operation]:
    """Drop the foreign key's constraint, then call the same column (`<field>_id`, with its
    indexes) a plain integer: the second step changes Django's state only. `index` is a
    two-column index on the field, named again over the plain column."""
    renamed = [
        migrations.RemoveField(model_name=model, name=field),
        migrations.AddField(
            model_name=model,
            name=f"{field}_id",
            field=models.BigIntegerField(null=null, blank=null, db_index=True),
        ),
    ]
    if index is not None:
        renamed = [
            migrations.RemoveIndex(model_name=model, name=index.name),
            *renamed,
            migrations.AddIndex(model_name=model, index=index),
        ]
    return [
        migrations.AlterField(model_name=model, name=field, field=unconstrained(to, null=null)),
        migrations.SeparateDatabaseAndState(state_operations=renamed),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
        ("register", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Access log: the people an entry showed move to a child table.
        migrations.CreateModel(
            name="AccessLogSubject",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("person_id", models.BigIntegerField(db_index=True)),
                (
                    "entry",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="subjects",
                        to="audit.accesslogentry",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("entry", "person_id"), name="accesslog_subject_once"
                    )
                ],
            },
        ),
        migrations.RunPython(copy_people_viewed, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="accesslogentry", name="accesslog_person_at_idx"),
        migrations.RemoveField(model_name="accesslogentry", name="person"),
        # Foreign keys to plain ids.
        *to_plain_id("accesslogentry", "case", "register.case", null=True),
        *to_plain_id("accesslogentry", "user", settings.AUTH_USER_MODEL, null=False),
        *to_plain_id(
            "changeevent",
            "case",
            "register.case",
            null=True,
            index=models.Index(fields=["case_id", "at"], name="changeevent_case_at_idx"),
        ),
        *to_plain_id("changeevent", "person", "register.person", null=True),
        *to_plain_id("changeevent", "user", settings.AUTH_USER_MODEL, null=False),
        # Single-column indexes that the (id, at) indexes below make redundant.
        *[
            migrations.AlterField(
                model_name=model, name=name, field=models.BigIntegerField(null=null, blank=null)
            )
            for model, name, null in [
                ("accesslogentry", "case_id", True),
                ("accesslogentry", "user_id", False),
                ("changeevent", "case_id", True),
                ("changeevent", "person_id", True),
                ("changeevent", "user_id", False),
            ]
        ],
        # New ids, the old and new values, and the known actions.
        *[
            migrations.AddField(
                model_name=model, name=name, field=models.BigIntegerField(null=True, blank=True)
            )
            for model in ("accesslogentry", "changeevent")
            for name in ("practitioner_id", "team_id")
        ],
        migrations.AddField(
            model_name="changeevent",
            name="from_practitioner_id",
            field=models.BigIntegerField(null=True, blank=True),
        ),
        migrations.AddField(
            model_name="changeevent",
            name="changes",
            field=models.JSONField(
                blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder
            ),
        ),
        migrations.AlterField(
            model_name="changeevent",
            name="detail",
            field=models.JSONField(
                blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder
            ),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="action",
            field=models.CharField(choices=ACCESS_ACTIONS, max_length=32),
        ),
        migrations.AlterField(
            model_name="changeevent",
            name="action",
            field=models.CharField(choices=CHANGE_ACTIONS, max_length=40),
        ),
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(fields=["user_id", "at"], name="accesslog_user_at_idx"),
        ),
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(fields=["case_id", "at"], name="accesslog_case_at_idx"),
        ),
        migrations.AddIndex(
            model_name="changeevent",
            index=models.Index(fields=["person_id", "at"], name="changeevent_person_at_idx"),
        ),
        migrations.AddIndex(
            model_name="changeevent",
            index=models.Index(fields=["practitioner_id", "at"], name="changeevent_prac_at_idx"),
        ),
        migrations.AddIndex(
            model_name="changeevent",
            index=models.Index(
                fields=["from_practitioner_id", "at"], name="changeevent_from_prac_at_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="changeevent",
            index=models.Index(fields=["user_id", "at"], name="changeevent_user_at_idx"),
        ),
        migrations.AddConstraint(
            model_name="accesslogentry",
            constraint=models.CheckConstraint(
                condition=models.Q(action__in=[code for code, _ in ACCESS_ACTIONS]),
                name="accesslog_action_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="changeevent",
            constraint=models.CheckConstraint(
                condition=models.Q(action__in=[code for code, _ in CHANGE_ACTIONS]),
                name="changeevent_action_known",
            ),
        ),
        migrations.RunPython(create_subject_trigger, drop_subject_trigger),
    ]
