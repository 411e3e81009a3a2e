"""URLs of the feeds (RSS, Atom, JSON Feed)."""

urlpatterns = []
