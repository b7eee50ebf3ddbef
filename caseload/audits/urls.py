from django.urls import path

from caseload.audits import views

urlpatterns = [
    path("", views.audit_list, name="audits"),
    path("tool/", views.tool_detail, name="audits_tool"),
    path("tool/versions/<int:number>/", views.tool_detail, name="audits_tool_version"),
    path("tool/edit/", views.tool_edit, name="audits_tool_edit"),
    path("tool/edit/form/", views.tool_edit_form, name="audits_tool_edit_form"),
    path("sample/", views.sample, name="audits_sample"),
    path("results/", views.results_page, name="audits_results"),
    path("<int:pk>/", views.audit_detail, name="audits_audit"),
    path("<int:pk>/complete/", views.audit_complete, name="audits_audit_complete"),
    path("<int:pk>/respond/", views.audit_respond, name="audits_audit_respond"),
    path("<int:pk>/moderate/", views.audit_moderate, name="audits_audit_moderate"),
    path("actions/<int:pk>/done/", views.action_done, name="audits_action_done"),
    path("moderation/", views.moderation, name="audits_moderation"),
    path("moderation/moderators/", views.moderator_appoint, name="audits_moderator_appoint"),
    path(
        "moderation/moderators/<int:pk>/remove/",
        views.moderator_remove,
        name="audits_moderator_remove",
    ),
    path("moderation/share/", views.moderation_share, name="audits_moderation_share"),
]
