from django.urls import path

from caseload.security import oidc, views

# The names of the two council sign-in routes are the ones mozilla-django-oidc reverses.
urlpatterns = [
    path("sign-in/code/", views.verify, name="two_factor_verify"),
    path("sign-in/set-up-code/", views.setup, name="two_factor_setup"),
    path("sign-in/council/", oidc.CouncilSignInView.as_view(), name="oidc_authentication_init"),
    path(
        "sign-in/council/callback/",
        oidc.CouncilCallbackView.as_view(),
        name="oidc_authentication_callback",
    ),
]
