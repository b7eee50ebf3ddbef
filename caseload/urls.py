from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from caseload.accounts import views as account_views
from caseload.allocation import views as allocation_views
from caseload.complexity import views as complexity_views
from caseload.register import history, views

# URLs carry numeric ids only: never a name, NHS number or search term.
urlpatterns = [
    path("", views.home, name="home"),
    path("health/", account_views.health, name="health"),
    path("sign-in/", account_views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("caseload.security.urls")),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/waiting/", views.team_waiting_list, name="team_waiting_list"),
    path("practitioners/<int:pk>/", views.practitioner_detail, name="practitioner_detail"),
    path(
        "practitioners/<int:pk>/history/",
        history.practitioner_history,
        name="practitioner_history",
    ),
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/history/", history.person_history, name="person_history"),
    path("people/<int:pk>/referrals/new/", views.person_referral_new, name="person_referral_new"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/history/", history.case_history, name="case_history"),
    path("cases/<int:pk>/screen/", views.case_screen, name="case_screen"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("cases/<int:pk>/priority/", views.case_priority, name="case_priority"),
    path("cases/<int:pk>/complexity/", complexity_views.case_score, name="case_score"),
    path(
        "cases/<int:pk>/complexity/preview/",
        complexity_views.case_score_preview,
        name="case_score_preview",
    ),
    path("cases/<int:pk>/complexity/rescore/", complexity_views.case_rescore, name="case_rescore"),
    path(
        "assessments/<int:pk>/override/",
        complexity_views.assessment_override,
        name="assessment_override",
    ),
    path("complexity/", complexity_views.model_detail, name="complexity_model"),
    path(
        "complexity/versions/<int:number>/",
        complexity_views.model_detail,
        name="complexity_model_version",
    ),
    path("complexity/edit/", complexity_views.model_edit, name="complexity_model_edit"),
    path("teams/<int:pk>/allocation/", allocation_views.meeting, name="allocation_meeting"),
    path(
        "teams/<int:pk>/allocation/propose/",
        allocation_views.propose,
        name="allocation_propose",
    ),
    path(
        "allocation/proposals/<int:pk>/",
        allocation_views.proposal_detail,
        name="allocation_proposal",
    ),
    path("practitioners/<int:pk>/what-if/", allocation_views.what_if, name="allocation_what_if"),
    path("handovers/<int:pk>/cancel/", allocation_views.handover_cancel, name="handover_cancel"),
    path("handovers/<int:pk>/now/", allocation_views.handover_now, name="handover_now"),
    path("audit/", include("caseload.audit.urls")),
    path("", include("caseload.jobs.urls")),
    path("", include("caseload.notifications.urls")),
    path("admin/", admin.site.urls),
]
