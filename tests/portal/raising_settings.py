"""Settings for the served logging test (tests/portal/test_logs.py): the real settings, with
URLs that add /boom/, a view that raises (tests/portal/raising_urls.py)."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.portal.raising_urls"
# Plain static names, so the 500 page renders without collectstatic.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
