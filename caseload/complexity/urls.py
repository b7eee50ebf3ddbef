from django.urls import path

from caseload.complexity import views

urlpatterns = [
    path("cases/<int:pk>/complexity/", views.case_score, name="case_score"),
    path("cases/<int:pk>/complexity/preview/", views.case_score_preview, name="case_score_preview"),
    path("cases/<int:pk>/complexity/rescore/", views.case_rescore, name="case_rescore"),
    path("assessments/<int:pk>/override/", views.assessment_override, name="assessment_override"),
    path("complexity/", views.model_detail, name="complexity_model"),
    path("complexity/versions/<int:number>/", views.model_detail, name="complexity_model_version"),
    path("complexity/edit/", views.model_edit, name="complexity_model_edit"),
    path("complexity/edit/form/", views.model_edit_form, name="complexity_model_edit_form"),
    path("complexity/outdated/", views.model_outdated, name="complexity_outdated"),
    path("complexity/outdated/rescore/", views.model_rescore_all, name="complexity_rescore_all"),
]
