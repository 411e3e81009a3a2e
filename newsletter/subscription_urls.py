"""URLs of the e-mail newsletter: subscribe, confirm, unsubscribe, archive."""

urlpatterns = []
