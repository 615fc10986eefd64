"""Biweekly reviews (SPEC section 3)."""

from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("teams/<slug:slug>/reviews/", views.review_list, name="list"),
    path("teams/<slug:slug>/reviews/start/", views.review_start, name="start"),
    path("teams/<slug:slug>/reviews/<int:pk>/", views.review_detail, name="detail"),
    path("teams/<slug:slug>/reviews/<int:pk>/summary/", views.review_summary, name="summary"),
    path(
        "teams/<slug:slug>/reviews/<int:pk>/items/<int:item_pk>/note/",
        views.review_item_note,
        name="item_note",
    ),
    path("teams/<slug:slug>/reviews/<int:pk>/close/", views.review_close, name="close"),
    path("teams/<slug:slug>/reviews/<int:pk>/reopen/", views.review_reopen, name="reopen"),
]
