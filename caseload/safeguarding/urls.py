from django.urls import path

from caseload.safeguarding import views

# Each step of an enquiry's record has its own named page.
STEPS = ("lead", "outcomes", "strategy", "plan", "conclusion")

urlpatterns = [
    path("safeguarding/concerns/", views.concern_list, name="safeguarding_concerns"),
    path("safeguarding/concerns/new/", views.record_concern, name="safeguarding_concern_new"),
    path("safeguarding/concerns/<int:pk>/", views.concern_detail, name="safeguarding_concern"),
    path("safeguarding/enquiries/", views.enquiry_list, name="safeguarding_enquiries"),
    path("safeguarding/enquiries/<int:pk>/", views.enquiry_detail, name="safeguarding_enquiry"),
    *(
        path(
            f"safeguarding/enquiries/<int:pk>/{step}/",
            views.enquiry_step,
            {"step": step},
            name=f"safeguarding_enquiry_{step}",
        )
        for step in STEPS
    ),
    path("safeguarding/enquiries/<int:pk>/sign-off/", views.sign_off, name="safeguarding_sign_off"),
    path("safeguarding/overdue/", views.overdue, name="safeguarding_overdue"),
    path("safeguarding/targets/", views.targets, name="safeguarding_targets"),
]
