from django.urls import path

from caseload.resource import views

urlpatterns = [
    path("resource/", views.resource, name="resource"),
    path("resource/establishment/", views.establishment_history, name="resource_establishment"),
    path("resource/establishment/new/", views.establishment_new, name="resource_establishment_new"),
]
