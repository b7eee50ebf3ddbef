from django.urls import path

from caseload.register import history, review_views, views

urlpatterns = [
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path(
        "teams/<int:pk>/review-interval/",
        views.team_review_interval,
        name="team_review_interval",
    ),
    path("teams/<int:pk>/cases/", review_views.team_cases, name="team_cases"),
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
    path("people/<int:pk>/break-glass/", views.person_break_glass, name="person_break_glass"),
    path("people/<int:pk>/referrals/new/", views.person_referral_new, name="person_referral_new"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/history/", history.case_history, name="case_history"),
    path("cases/<int:pk>/screen/", views.case_screen, name="case_screen"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("cases/<int:pk>/priority/", views.case_priority, name="case_priority"),
    path(
        "cases/<int:pk>/contacts/today/",
        review_views.case_contact_today,
        name="case_contact_today",
    ),
    path("cases/<int:pk>/contacts/new/", review_views.case_contact_new, name="case_contact_new"),
    path("cases/<int:pk>/hand-back/", review_views.case_hand_back, name="case_hand_back"),
    path("cases/<int:pk>/review/", review_views.case_review, name="case_review"),
]
