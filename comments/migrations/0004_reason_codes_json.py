from django.db import migrations, models


def fill_reason_codes(apps, schema_editor):
    # The codes come from the stored screening reasons, as comments.services.reason_codes()
    # derives them (restated here: a migration must not import code that changes later).
    Comment = apps.get_model("comments", "Comment")
    batch = []
    for comment in Comment.objects.only("pk", "screening_reasons").iterator(chunk_size=2000):
        reasons = comment.screening_reasons or []
        codes = {str(r["code"]): True for r in reasons if isinstance(r, dict) and r.get("code")}
        if codes:
            comment.reason_codes = codes
            batch.append(comment)
        if len(batch) >= 2000:
            Comment.objects.bulk_update(batch, ["reason_codes"])
            batch = []
    Comment.objects.bulk_update(batch, ["reason_codes"])


class Migration(migrations.Migration):
    dependencies = [("comments", "0003_review_queue")]

    operations = [
        # The space-joined codes are derived from screening_reasons: rebuilt, not converted.
        migrations.RemoveField(model_name="comment", name="reason_codes"),
        migrations.AddField(
            model_name="comment",
            name="reason_codes",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="The screening's reason codes.",
            ),
        ),
        migrations.RunPython(fill_reason_codes, migrations.RunPython.noop),
    ]
