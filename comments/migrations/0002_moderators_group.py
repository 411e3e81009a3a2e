"""The "Moderators" group, with exactly what the moderation work needs: read comments, the
queue, reports and decisions, and moderate. `createsuperuser` makes the first account; an
administrator then adds moderators to this group."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = [
    ("comments", "comment", "view_comment"),
    ("comments", "comment", "moderate_comment"),
    ("comments", "moderationqueue", "view_moderationqueue"),
    ("comments", "moderationdecision", "view_moderationdecision"),
    ("comments", "flag", "view_flag"),
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; this group needs them now.
    comments_config = apps.get_app_config("comments")
    comments_config.models_module = True
    create_permissions(comments_config, verbosity=0, apps=apps)
    comments_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, model, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(
                content_type__app_label=app_label, content_type__model=model, codename=codename
            )
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
