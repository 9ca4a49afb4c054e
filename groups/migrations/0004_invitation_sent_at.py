from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def sent_when_created(apps, schema_editor):
    apps.get_model("groups", "Invitation").objects.update(sent_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("groups", "0003_group_name_constraints")]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="sent_at",
            field=models.DateTimeField(default=timezone.now, verbose_name="verstuurd op"),
        ),
        migrations.RunPython(sent_when_created, migrations.RunPython.noop),
    ]
