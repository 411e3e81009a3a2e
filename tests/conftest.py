"""Shared fixtures: static files without collectstatic, factories for articles and the seed
article's address."""

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article, Source, Topic

from .retraining import (  # noqa: F401 (pytest finds hooks and fixtures by name here)
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_unconfigure,
    retrained_artifact,
)

SEED_URL = "/2012/06/03/china-russia-ties-at-all-time-high/"

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits live in the cache; one test's attempts must not count against the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _static_from_sources(settings):
    # The manifest storage knows only what collectstatic wrote, so on a fresh clone every
    # {% static %} would raise; and the browser tests' live server serves /static/ through
    # the finders, which know the source names only. Plain names keep every test on the
    # current CSS and JavaScript without collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The real hasher spends ~0.5 s of CPU per password on purpose; tests only need it to match.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_article(db):
    def make(**fields) -> Article:
        n = next(_counter)
        topics = fields.pop("topics", [])
        defaults = {
            "headline": f"Test headline {n}",
            "slug": f"test-headline-{n}",
            "summary": "A short summary.",
            "body": "<p>First paragraph.</p><p>Second paragraph.</p>",
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now() - datetime.timedelta(hours=1),
        }
        defaults.update(fields)
        article = Article.objects.create(**defaults)
        if topics:
            article.topics.set(topics)
        return article

    return make


@pytest.fixture
def make_topic(db):
    def make(name: str | None = None) -> Topic:
        n = next(_counter)
        name = name or f"Topic {n}"
        return Topic.objects.create(name=name, slug=f"topic-{n}")

    return make


@pytest.fixture
def source(db) -> Source:
    return Source.objects.get_or_create(name="Test Agency")[0]


@pytest.fixture
def seed_article(db) -> Article:
    return Article.objects.get(slug="china-russia-ties-at-all-time-high")
