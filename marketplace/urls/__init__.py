"""Customer pages outside the Wagtail tree (included inside ``i18n_patterns`` by config/urls.py)."""

from django.urls import path

from marketplace.views import browse, compare, reviews

app_name = "marketplace"

urlpatterns = [
    path("categories/", browse.category_index, name="categories"),
    path("categories/<slug:slug>/", browse.category_detail, name="category"),
    path("industries/<slug:slug>/", browse.industry_detail, name="industry"),
    path("compare/", compare.compare, name="compare"),
    path("compare/add/", compare.compare_add, name="compare-add"),
    path("compare/remove/", compare.compare_remove, name="compare-remove"),
    path("compare/clear/", compare.compare_clear, name="compare-clear"),
    path("reviews/listing/<int:listing_id>/", reviews.reviews_partial, name="reviews"),
    path("reviews/listing/<int:listing_id>/write/", reviews.review_write, name="review-write"),
    path("reviews/<uuid:public_id>/edit/", reviews.review_edit, name="review-edit"),
    path("reviews/<uuid:public_id>/delete/", reviews.review_delete, name="review-delete"),
    path("reviews/<uuid:public_id>/reply/", reviews.review_reply, name="review-reply"),
    path("reviews/<uuid:public_id>/report/", reviews.review_report, name="review-report"),
    path("reviews/<uuid:public_id>/hide/", reviews.review_hide, name="review-hide"),
    path("reviews/<uuid:public_id>/unhide/", reviews.review_unhide, name="review-unhide"),
]
