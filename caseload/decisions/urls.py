from django.urls import path

from caseload.decisions import views

# Case-scoped pages sit under the case; the rest under /decisions/ (included at the root).
urlpatterns = [
    path("cases/<int:pk>/decisions/new/", views.decision_new, name="decision_new"),
    path("cases/<int:pk>/escalations/new/", views.escalation_new, name="escalation_new"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/correct/", views.decision_correct, name="decision_correct"),
    path(
        "decisions/<int:pk>/request-sign-off/",
        views.decision_request_sign_off,
        name="decision_request_sign_off",
    ),
    path("decisions/sign-off/", views.sign_off_list, name="sign_off_list"),
    path("decisions/sign-off/<int:pk>/", views.sign_off_answer, name="sign_off_answer"),
    path("decisions/escalations/", views.escalation_list, name="escalation_list"),
    path("decisions/escalations/<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path(
        "decisions/escalations/<int:pk>/advise/",
        views.escalation_advise,
        name="escalation_advise",
    ),
    path(
        "decisions/escalations/<int:pk>/director/",
        views.escalation_refer,
        name="escalation_refer",
    ),
    path(
        "decisions/escalations/<int:pk>/decide/",
        views.escalation_decide,
        name="escalation_decide",
    ),
    path("decisions/scheme/", views.scheme_detail, name="delegation_scheme"),
    path("decisions/scheme/edit/", views.scheme_edit, name="delegation_scheme_edit"),
]
