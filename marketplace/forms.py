"""Forms of the customer pages: reviews, replies, reports, moderation, browse filters."""

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from catalog.models import Deployment, ListingPage, ListingType, PricingModel
from marketplace.models import Review, ReviewReply, ReviewReport
from marketplace.models.reviews import BODY_MAX_LENGTH, REPLY_MAX_LENGTH, TITLE_MAX_LENGTH
from marketplace.selectors import listings as listing_selectors

RATING_CHOICES = [
    (5, _("5 stars — excellent")),
    (4, _("4 stars — good")),
    (3, _("3 stars — average")),
    (2, _("2 stars — poor")),
    (1, _("1 star — bad")),
]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5 stars.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("Sum up your experience in a few words."),
        error_messages={"required": _("Give your review a title.")},
    )
    body = forms.CharField(
        label=_("Your review"),
        max_length=BODY_MAX_LENGTH,
        min_length=20,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What worked, what didn't, and who it suits. Plain text; at least 20 characters."),
        error_messages={"required": _("Write a few sentences about your experience.")},
    )
    language = forms.ChoiceField(label=_("Written in"), choices=settings.LANGUAGES, required=False)

    @classmethod
    def for_review(cls, review: Review, **kwargs):
        return cls(
            initial={
                "rating": review.rating,
                "title": review.title,
                "body": review.body,
                "language": review.language,
            },
            **kwargs,
        )


class ReplyForm(forms.ModelForm):
    class Meta:
        model = ReviewReply
        fields = ["body"]
        labels = {"body": _("Public reply")}
        help_texts = {"body": _("One reply per review, shown under it with your partner name.")}
        widgets = {"body": forms.Textarea(attrs={"rows": 4, "maxlength": REPLY_MAX_LENGTH})}
        error_messages = {"body": {"required": _("Write your reply.")}}


class ReportForm(forms.ModelForm):
    reason = forms.ChoiceField(
        label=_("What is wrong with this review?"),
        choices=ReviewReport.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason."), "invalid_choice": _("Choose a reason.")},
    )

    class Meta:
        model = ReviewReport
        fields = ["reason", "details"]
        labels = {"details": _("Details (optional)")}
        widgets = {"details": forms.Textarea(attrs={"rows": 3})}


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the review's authors; not shown publicly."),
        error_messages={"required": _("Say why the review is hidden; the author sees the reason.")},
    )


SORT_CHOICES = (
    ("rating", _("Best rated")),
    ("newest", _("Newest")),
    ("name", _("Name")),
)


class ListingBrowseFilter(django_filters.FilterSet):
    """Filters of the category and industry pages (``?type=saas&pricing=free&deployment=cloud&sort=name``)."""

    type = django_filters.MultipleChoiceFilter(
        field_name="listing_type",
        choices=ListingType.choices,
        label=_("Type"),
        widget=forms.CheckboxSelectMultiple,
    )
    pricing = django_filters.MultipleChoiceFilter(
        choices=PricingModel.choices,
        label=_("Pricing"),
        method="filter_pricing",
        widget=forms.CheckboxSelectMultiple,
    )
    deployment = django_filters.MultipleChoiceFilter(
        choices=Deployment.choices, label=_("Deployment"), widget=forms.CheckboxSelectMultiple
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, label=_("Sort by"), method="apply_sort", empty_label=None
    )

    class Meta:
        model = ListingPage
        fields: list[str] = []  # every filter is declared above

    def filter_pricing(self, queryset, name, value):
        return listing_selectors.filter_by_pricing(queryset, value)

    def apply_sort(self, queryset, name, value):
        return queryset  # ordering is applied last, in ``qs``

    @property
    def qs(self):
        queryset = super().qs
        sort = self.form.cleaned_data.get("sort") if self.is_bound and self.form.is_valid() else ""
        return listing_selectors.sort_listings(queryset, sort or "rating")

    @property
    def sort_value(self) -> str:
        if self.is_bound and self.form.is_valid():
            return self.form.cleaned_data.get("sort") or "rating"
        return "rating"
