from django.urls import path

from caseload.audit import views

# Filters travel by POST: these URLs never carry a person's identifier.
urlpatterns = [
    path("changes/", views.change_log, name="audit_change_log"),
    path("changes/export/", views.change_log_export, name="audit_change_log_export"),
    path("access/", views.access_log, name="audit_access_log"),
    path("access/export/", views.access_log_export, name="audit_access_log_export"),
]
