"""Each team's single safe level (Team.safe_utilisation_percent) becomes the red threshold of
its first safe working level, with amber 15 points below it; the register's next migration
then drops the old column, so that the levels live in one place. Nobody agreed these with the
practitioners, and the row says so: the manager records the real agreement over it."""

from django.db import migrations
from django.utils import timezone

CARRIED_OVER = (
    "Carried over from the team's earlier single safe level; not yet agreed with the practitioners"
)
AMBER_BELOW_RED = 15


def carry_over(apps, schema_editor):
    Team = apps.get_model("register", "Team")
    SafeWorkingLevel = apps.get_model("workload", "SafeWorkingLevel")
    now = timezone.now()
    SafeWorkingLevel.objects.bulk_create(
        SafeWorkingLevel(
            team_id=team_id,
            amber_percent=max(1, red - AMBER_BELOW_RED),
            red_percent=max(2, red),
            agreed_on=timezone.localdate(now),
            agreed_with=CARRIED_OVER,
            recorded_by=None,
            recorded_at=now,
        )
        for team_id, red in Team.objects.values_list("pk", "safe_utilisation_percent")
    )


def carry_back(apps, schema_editor):
    """Reversed: each team's red threshold in force goes back on the team."""
    Team = apps.get_model("register", "Team")
    SafeWorkingLevel = apps.get_model("workload", "SafeWorkingLevel")
    latest = dict(
        SafeWorkingLevel.objects.order_by("recorded_at", "id").values_list("team_id", "red_percent")
    )
    for team_id, red in latest.items():
        Team.objects.filter(pk=team_id).update(safe_utilisation_percent=red)


class Migration(migrations.Migration):
    dependencies = [("workload", "0001_initial")]

    operations = [migrations.RunPython(carry_over, carry_back)]
