"""The launch article arrives with every fresh database, word for word."""

import pytest

from articles.models import Article
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db


def test_seed_article_is_published_with_its_metadata():
    article = Article.objects.published().get(slug="china-russia-ties-at-all-time-high")
    assert article.headline == "China-Russia ties at all-time high"
    assert article.source.name == "Xinhua"
    assert article.publisher == "China.org.cn"
    assert article.publication_date.isoformat() == "2012-06-03"
    assert article.get_absolute_url() == SEED_URL
    assert sorted(t.name for t in article.topics.all()) == ["China", "Diplomacy", "Russia", "SCO"]
    assert article.comment_mode == Article.CommentMode.OPEN
    # The original page gives no byline, dateline or update time: nothing is invented.
    assert (article.byline, article.dateline, article.updated_at) == ("", "", None)


def test_seed_body_is_the_original_text_without_page_furniture(client):
    article = Article.objects.get(slug="china-russia-ties-at-all-time-high")
    assert article.body.count("<p>") == 22
    assert article.body.startswith(
        "<p>Relations between Russia and China have reached unprecedented high levels, "
        "Russian Foreign Minister Sergei Lavrov said in an interview ahead of President "
        "Vladimir Putin&#x27;s upcoming visit to China.</p>"
    )
    assert article.body.endswith(
        "<p>The 12th Meeting of the Council of Heads of Member States of the SCO will be held "
        "in Beijing on June 6-7.</p>"
    )
    for furniture in ("Adjust font size", "Print E-mail", "Go to Forum", "Add your comments"):
        assert furniture not in article.body
    page = client.get(SEED_URL).content.decode()
    assert "New blood would bring extra energy to the SCO" in page
