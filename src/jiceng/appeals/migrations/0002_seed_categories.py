from django.db import migrations

from jiceng.core.fresh_schema import on_empty_database


@on_empty_database
def seed(apps, schema_editor):
    from jiceng.appeals.taxonomy import CATEGORIES

    Category = apps.get_model("appeals", "Category")
    for sort, (code, name, group, response, amount, unit, mediation) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "group": group,
                "response_hours": response,
                "resolution_amount": amount,
                "resolution_unit": unit,
                "is_mediation": mediation,
                "sort": sort,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
