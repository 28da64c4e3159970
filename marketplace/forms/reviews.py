"""Forms of the customer pages: reviews, replies, reports, moderation, browse filters."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from marketplace.models import Review, ReviewReply, ReviewReport
from marketplace.models.reviews import BODY_MAX_LENGTH, REPLY_MAX_LENGTH, TITLE_MAX_LENGTH

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
