from django.urls import path

from caseload.asye import views

urlpatterns = [
    path("asye/", views.programme_list, name="asye_list"),
    path("asye/<int:pk>/", views.programme_detail, name="asye_programme"),
    path("practitioners/<int:pk>/asye/start/", views.programme_new, name="asye_programme_new"),
    path("asye/<int:pk>/reviews/new/", views.review_new, name="asye_review_new"),
    path("asye/reviews/<int:pk>/comments/", views.review_comments, name="asye_review_comments"),
]
