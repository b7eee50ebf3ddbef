from django.contrib.auth import views as auth_views
from django.urls import path

from caseload.accounts import views

urlpatterns = [
    path("health/", views.health, name="health"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
]
