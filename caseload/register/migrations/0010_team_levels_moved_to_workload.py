"""A team's safe level now lives in the workload app's SafeWorkingLevel history, which its
migration 0002 filled from this column first."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0009_held_cases_reviews_contacts_employment"),
        ("workload", "0002_carry_over_safe_levels"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="team", name="team_safe_utilisation_percent_range"),
        migrations.RemoveField(model_name="team", name="safe_utilisation_percent"),
    ]
