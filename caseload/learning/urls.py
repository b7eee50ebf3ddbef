from django.urls import path

from caseload.learning import views

urlpatterns = [
    path("incidents/", views.incident_list, name="learning_incidents"),
    path("incidents/new/", views.incident_new, name="learning_incident_new"),
    path("incidents/<int:pk>/", views.incident_detail, name="learning_incident"),
    path("incidents/<int:pk>/grade/", views.incident_regrade, name="learning_incident_grade"),
    path("learning-reviews/<int:pk>/", views.review_detail, name="learning_review"),
    path("learning-reviews/<int:pk>/update/", views.review_update, name="learning_review_update"),
    path(
        "learning-reviews/<int:pk>/recommendations/",
        views.recommendation_add,
        name="learning_recommendation_add",
    ),
    path(
        "recommendations/<int:pk>/done/",
        views.recommendation_done,
        name="learning_recommendation_done",
    ),
    path("recommendations/", views.recommendations, name="learning_recommendations"),
    path("learning-briefs/", views.briefs, name="learning_briefs"),
    path("learning-briefs/<int:pk>/read/", views.brief_read, name="learning_brief_read"),
    path("feedback/", views.feedback_list, name="learning_feedback"),
    path("feedback/new/", views.feedback_new, name="learning_feedback_new"),
    path("feedback/links/new/", views.feedback_link_new, name="learning_feedback_link_new"),
    path("feedback/<int:pk>/pick/", views.feedback_pick, name="learning_feedback_pick"),
    path("feedback/mine/", views.feedback_mine, name="learning_feedback_mine"),
    path("learning/figures/", views.learning_figures, name="learning_figures"),
    path("practice-framework/", views.framework, name="learning_framework"),
    path(
        "practice-framework/acknowledge/",
        views.framework_acknowledge,
        name="learning_framework_acknowledge",
    ),
    path("practice-framework/edit/", views.framework_edit, name="learning_framework_edit"),
    path("direct-practice/", views.direct_practice, name="learning_direct_practice"),
    # The person's feedback page: its token is the only secret, and it shows nothing personal.
    path("f/<str:token>/", views.feedback_link, name="feedback_link"),
]
