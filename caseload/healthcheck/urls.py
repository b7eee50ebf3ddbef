from django.urls import path

from caseload.healthcheck import views

urlpatterns = [
    path("health-check/", views.report, name="healthcheck_report"),
    path("health-check/publish/", views.publish, name="healthcheck_publish"),
    path("health-check/published/<int:pk>/", views.published, name="healthcheck_published"),
    path("health-check/survey-rounds/", views.rounds, name="healthcheck_rounds"),
    path("workload-survey/", views.survey, name="healthcheck_survey"),
]
