from django.urls import path

from caseload.sacreport import views

urlpatterns = [
    path("safeguarding-return/", views.sac_return, name="sacreport_return"),
    path("safeguarding-return/download/", views.sac_download, name="sacreport_download"),
    path("safeguarding-quality/", views.quality, name="sacreport_quality"),
]
