from django.urls import path

from caseload.demand import views

urlpatterns = [
    path("demand/", views.demand, name="demand"),
    path(
        "demand/teams/<int:pk>/contingency/",
        views.contingency_plan,
        name="demand_contingency_plan",
    ),
    path("demand/forecasts/run/", views.run_forecasts, name="demand_run_forecasts"),
]
