"""URLs of the e-mail newsletter: subscribe, confirm, unsubscribe, archive."""

from django.urls import path

from newsletter import views

urlpatterns = [
    path("newsletter/", views.subscribe, name="subscribe"),
    path("newsletter/check-your-inbox/", views.subscribe_sent, name="subscribe-sent"),
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("newsletter/archive/", views.archive, name="archive"),
    path("newsletter/archive/<int:pk>/", views.issue_detail, name="issue"),
]
