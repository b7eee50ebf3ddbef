from django.contrib import admin
from django.urls import include, path

# URLs carry numeric ids only: never a name, NHS number or search term. Each app keeps its own
# routes; URL names are flat (no namespaces) and unique across apps.
urlpatterns = [
    path("", include("caseload.web.urls")),
    path("", include("caseload.accounts.urls")),
    path("", include("caseload.register.urls")),
    path("", include("caseload.complexity.urls")),
    path("", include("caseload.allocation.urls")),
    path("", include("caseload.asye.urls")),
    path("", include("caseload.security.urls")),
    path("audit/", include("caseload.audit.urls")),
    path("", include("caseload.jobs.urls")),
    path("", include("caseload.notifications.urls")),
    path("supervision/", include("caseload.supervision.urls")),
    path("", include("caseload.decisions.urls")),
    path("", include("caseload.resource.urls")),
    path("", include("caseload.demand.urls")),
    path("", include("caseload.workload.urls")),
    path("", include("caseload.healthcheck.urls")),
    path("", include("caseload.planning.urls")),
    path("audits/", include("caseload.audits.urls")),
    path("", include("caseload.safeguarding.urls")),
    path("", include("caseload.sacreport.urls")),
    path("", include("caseload.learning.urls")),
    path("", include("caseload.annualreport.urls")),
    path("admin/", admin.site.urls),
]
