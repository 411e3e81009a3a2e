"""Data migrations carry existing rows over."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("comments", "0003_review_queue")]
AFTER = [("comments", "0004_reason_codes_json")]


@pytest.mark.django_db(transaction=True)
def test_space_joined_reason_codes_become_json_keys(make_article):
    article = make_article()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("comments", "Comment")
        reasons = [{"code": "insult", "decision": "hold"}, {"code": "spam_links"}]
        row = old.objects.create(
            article_id=article.pk,
            user_name="Reader",
            text="x",
            html="<p>x</p>",
            status="held",
            screening_reasons=reasons,
            reason_codes="insult spam_links",
            content_hash="h",
        )
        clean = old.objects.create(
            article_id=article.pk, user_name="Other", text="y", html="y", content_hash="i"
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(AFTER).apps.get_model("comments", "Comment")
    assert new.objects.get(pk=row.pk).reason_codes == {"insult": True, "spam_links": True}
    assert new.objects.get(pk=clean.pk).reason_codes == {}
    assert list(new.objects.filter(reason_codes__has_key="spam_links")) == [
        new.objects.get(pk=row.pk)
    ]
