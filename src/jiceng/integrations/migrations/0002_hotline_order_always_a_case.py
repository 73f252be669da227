"""Every hotline work order is a case: one the address matcher cannot place below its
district is filed at the district and waits in the appeals placement queue, so the
work order's own "unplaced" state and reason go (issue 18).

Orders imported before, left unplaced and so without a case, are removed: they hold
nothing but the platform's row, and importing the platform's batch again files them
(the import is idempotent by work-order number, and their numbers are then unknown).
"""

import django.db.models.deletion
from django.db import migrations, models


def forget_orders_without_a_case(apps, schema_editor):
    HotlineWorkOrder = apps.get_model("integrations", "HotlineWorkOrder")
    HotlineWorkOrder.objects.filter(appeal__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0009_appeal_placement"),
        ("integrations", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forget_orders_without_a_case, migrations.RunPython.noop),
        migrations.RemoveField(model_name="hotlineworkorder", name="state"),
        migrations.RemoveField(model_name="hotlineworkorder", name="unplaced_reason"),
        migrations.AlterField(
            model_name="hotlineworkorder",
            name="appeal",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="hotline_order",
                to="appeals.appeal",
                verbose_name="诉求",
            ),
        ),
    ]
