from django.urls import path

from caseload.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
