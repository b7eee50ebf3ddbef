from django.urls import path

from caseload.allocation import views

urlpatterns = [
    path("teams/<int:pk>/allocation/", views.meeting, name="allocation_meeting"),
    path("teams/<int:pk>/allocation/propose/", views.propose, name="allocation_propose"),
    path("allocation/overrides/", views.overrides, name="allocation_overrides"),
    path("allocation/proposals/<int:pk>/", views.proposal_detail, name="allocation_proposal"),
    path(
        "allocation/proposals/<int:pk>/across-teams/",
        views.across_teams,
        name="allocation_across_teams",
    ),
    path("allocation/proposals/<int:pk>/escalate/", views.escalate, name="allocation_escalate"),
    path("practitioners/<int:pk>/what-if/", views.what_if, name="allocation_what_if"),
    path("handovers/<int:pk>/cancel/", views.handover_cancel, name="handover_cancel"),
    path("handovers/<int:pk>/now/", views.handover_now, name="handover_now"),
]
