from django.urls import path

from caseload.workload import views

# Team-scoped pages sit under the team; the rest under /workload/ (included at the root).
urlpatterns = [
    path("workload/", views.workload_home, name="workload_home"),
    path("teams/<int:pk>/workload/", views.team_workload, name="team_workload"),
    path(
        "teams/<int:pk>/workload/levels/",
        views.team_workload_levels,
        name="team_workload_levels",
    ),
    path("workload/extra-hours/", views.extra_hours, name="workload_extra_hours"),
    path(
        "workload/practitioners/<int:pk>/extra-hours/",
        views.practitioner_extra_hours,
        name="practitioner_extra_hours",
    ),
    path("workload/concerns/", views.concern_list, name="workload_concerns"),
    path("workload/concerns/new/", views.concern_new, name="workload_concern_new"),
    path("workload/concerns/<int:pk>/", views.concern_detail, name="workload_concern"),
    path("workload/escalations/", views.escalation_list, name="workload_escalations"),
]
