from newsletter.feed_urls import urlpatterns as feed_urlpatterns
from newsletter.subscription_urls import urlpatterns as subscription_urlpatterns

app_name = "newsletter"

urlpatterns = [*feed_urlpatterns, *subscription_urlpatterns]
