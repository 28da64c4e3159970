"""The health models moved to the health app (``health/migrations/0001_initial.py``).

State only: their tables stay as they are (the health models keep the ``partners_…`` table
names), so existing databases keep their data; health's 0001 adds them back to its own state.
"""

from django.db import migrations

MOVED = ("AtRiskFlag", "GeneratedReport", "HealthMetric", "HealthRun", "HealthSettings", "HealthSnapshot")
MOVED += ("VendorRevenue",)


class Migration(migrations.Migration):
    dependencies = [("partners", "0007_health_defaults")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
            database_operations=[],
        )
    ]
