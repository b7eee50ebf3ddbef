from django.urls import path

from caseload.planning import views

urlpatterns = [
    path("planning/", views.home, name="planning_home"),
    path("planning/scenario/", views.scenario, name="planning_scenario"),
    path("planning/upload/", views.upload, name="planning_upload"),
    path("planning/compare/", views.compare, name="planning_compare"),
    path("planning/plans/<int:pk>/", views.plan, name="planning_plan"),
    path("planning/plans/<int:pk>/save/", views.save, name="planning_plan_save"),
    path("planning/plans/<int:pk>/delete/", views.delete, name="planning_plan_delete"),
    path("planning/plans/<int:pk>/scenario.yaml", views.download, name="planning_plan_yaml"),
]
