from django.urls import include, path

from caseload.supervision import views

urlpatterns = [
    path(
        "practitioners/<int:pk>/",
        views.practitioner_supervision,
        name="supervision_practitioner",
    ),
    path("practitioners/<int:pk>/record/", views.record_session, name="supervision_record"),
    path(
        "practitioners/<int:pk>/agreement/", views.new_agreement, name="supervision_agreement_new"
    ),
    path("sessions/<int:pk>/", views.session_detail, name="supervision_session"),
    path("sessions/<int:pk>/edit/", views.edit_session, name="supervision_session_edit"),
    path("sessions/<int:pk>/sign/", views.sign_session, name="supervision_session_sign"),
    path(
        "sessions/<int:pk>/comment/", views.comment_on_session, name="supervision_session_comment"
    ),
    path("sessions/<int:pk>/addendum/", views.add_addendum, name="supervision_session_addendum"),
    path("agreements/<int:pk>/", views.agreement_detail, name="supervision_agreement"),
    path("agreements/<int:pk>/sign/", views.sign_agreement, name="supervision_agreement_sign"),
    path("policy/", views.policy, name="supervision_policy"),
    path("policy/edit/", views.policy_edit, name="supervision_policy_edit"),
    path("actions/", views.my_actions, name="supervision_actions"),
    path("actions/<int:pk>/done/", views.complete_action, name="supervision_action_done"),
    path("", include("caseload.supervision.compliance_urls")),
]
