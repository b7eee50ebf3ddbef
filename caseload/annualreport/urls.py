from django.urls import path

from caseload.annualreport import views

urlpatterns = [
    path("annual-report/", views.report_list, name="annual_reports"),
    path("annual-report/<int:pk>/", views.report_detail, name="annual_report"),
    path(
        "annual-report/<int:pk>/sections/<int:index>/",
        views.section_edit,
        name="annual_report_section",
    ),
    path("annual-report/<int:pk>/publish/", views.report_publish, name="annual_report_publish"),
    path("annual-report/<int:pk>/rebuild/", views.report_rebuild, name="annual_report_rebuild"),
    path("annual-report/<int:pk>/delete/", views.report_delete, name="annual_report_delete"),
    path("annual-report/<int:pk>/report.pdf", views.report_pdf, name="annual_report_pdf"),
    path("annual-report/<int:pk>/report.docx", views.report_docx, name="annual_report_docx"),
    path("annual-report/<int:pk>/report.odt", views.report_odt, name="annual_report_odt"),
]
