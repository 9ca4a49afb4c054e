from django.db import migrations, models
import django.db.models.functions.text


class Migration(migrations.Migration):

    dependencies = [
        ('groups', '0002_group_name_rules'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='group',
            constraint=models.CheckConstraint(condition=models.Q(('name__regex', '[\x01-\x1f\x7f-\x9f\u2028\u2029]'), _negated=True), name='group_name_no_control_characters'),
        ),
        migrations.AddConstraint(
            model_name='group',
            constraint=models.CheckConstraint(condition=models.Q(('name', django.db.models.functions.text.Trim('name')), models.Q(('name', ''), _negated=True)), name='group_name_trimmed'),
        ),
        migrations.AlterConstraint(
            model_name='group',
            name='group_name_unique_per_org',
            constraint=models.UniqueConstraint(models.F('organisation'), django.db.models.functions.text.Lower('name'), name='group_name_unique_per_org', violation_error_message='Deze organisatie heeft al een groep met deze naam.'),
        ),
        migrations.AlterConstraint(
            model_name='group',
            name='group_quorum_lte_size',
            constraint=models.CheckConstraint(condition=models.Q(('quorum__lte', models.F('size_limit'))), name='group_quorum_lte_size', violation_error_message='Het quorum kan niet groter zijn dan het maximaal aantal deelnemers.'),
        ),
    ]
