from django.urls import include, path

urlpatterns = [
    path("", include("caseload.supervision.compliance_urls")),
]
