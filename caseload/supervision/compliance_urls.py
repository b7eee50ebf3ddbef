"""The compliance pages' routes, under /supervision/ (included from the app's urls.py)."""

from django.urls import path

from caseload.supervision import compliance_views

urlpatterns = [
    path("teams/<int:pk>/overdue/", compliance_views.overdue, name="supervision_overdue"),
    path("compliance/", compliance_views.trends, name="supervision_compliance"),
    path("compliance.csv", compliance_views.trends_csv, name="supervision_compliance_csv"),
]
