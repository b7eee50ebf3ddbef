"""Every published model version must pass the stricter validation of issue 10 (bounds, no
aliases, no unknown keys): a version that does not would make every page that reads it fail.
Stop the upgrade instead, naming the version and what to correct."""

from django.db import migrations

from caseload_engine import complexity


def refuse_invalid_versions(apps, schema_editor):
    ModelVersion = apps.get_model("complexity", "ModelVersion")
    problems = []
    for number, definition in ModelVersion.objects.order_by("number").values_list(
        "number", "definition"
    ):
        try:
            complexity.loads(definition)
        except complexity.ModelError as error:
            problems.append(f"version {number}: {error}")
    if problems:
        raise RuntimeError(
            "These complexity model versions no longer pass validation. Correct their "
            "definition (ModelVersion.definition) to the same meaning within the limits in "
            "docs/complexity.md, then migrate again:\n" + "\n".join(problems)
        )


class Migration(migrations.Migration):
    dependencies = [("complexity", "0001_initial")]

    operations = [migrations.RunPython(refuse_invalid_versions, migrations.RunPython.noop)]
