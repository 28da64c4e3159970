"""Reviews on the listing page: write/edit, reply, report, hide. Thin: rules live in
``marketplace.services.reviews``; objects come from ``marketplace.selectors.reviews`` (404 for
anyone who may not act on them).

With htmx the forms update in place (errors inline; success reloads the page so the rating
aggregate shows the change); without JavaScript each form also works as its own page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from marketplace.forms.reviews import HideForm, ReplyForm, ReportForm, ReviewForm
from marketplace.selectors import reviews as selectors
from marketplace.services import reviews as services


def listing_url(request, listing, anchor="reviews") -> str:
    return f"{listing.get_url(request)}#{anchor}"


def active_organisation(request):
    """The organisation the user acts for (``request.organisation`` is lazy and may wrap None)."""
    organisation = getattr(request, "organisation", None)
    if not organisation:
        return None
    return getattr(organisation, "_wrapped", organisation)


def review_context(request, listing, *, review_form=None, page=None, sort=None) -> dict:
    """Everything ``catalog/includes/reviews.html`` needs (also used by the template tag)."""
    section = selectors.review_section(
        listing=listing,
        user=request.user,
        organisation=active_organisation(request),
        page_number=page or request.GET.get("reviews_page") or 1,
        sort=sort or request.GET.get("reviews_sort") or "recent",
    )
    own = section.own_review
    if review_form is None:
        if own is not None and getattr(own, "can_edit", False):
            review_form = ReviewForm.for_review(own, auto_id="review_%s")
        elif own is None and section.eligibility.allowed:
            review_form = ReviewForm(auto_id="review_%s", initial={"language": request.LANGUAGE_CODE})
    return {
        "request": request,
        "listing": listing,
        "section": section,
        "review_form": review_form,
        "reply_form": ReplyForm(auto_id=None),
        "report_form": ReportForm(auto_id=None),
        "hide_form": HideForm(auto_id=None),
    }


def _done(request, listing, message, anchor="reviews"):
    """Back to the listing after a change to the rating: a full reload, so the aggregate updates.
    (From the listing page itself htmx reloads it; a redirect to the same URL with only a new
    #fragment would not.)"""
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRefresh()
    return HttpResponseRedirect(listing_url(request, listing, anchor))


def reviews_partial(request, listing_id):
    """The review section of a listing (htmx pagination and sort)."""
    listing = selectors.get_listing(listing_id)
    if not request.htmx:
        query = request.GET.urlencode()
        return HttpResponseRedirect(f"{listing.get_url(request)}{'?' + query if query else ''}#reviews")
    return render(request, "catalog/includes/reviews.html", review_context(request, listing))


def _form_page(request, template, context, status=200):
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review_write(request, listing_id):
    """Write (or, when the organisation already did, edit) a review of a listing."""
    listing = selectors.get_listing(listing_id)
    organisation = active_organisation(request)
    eligibility = selectors.review_eligibility(user=request.user, organisation=organisation, listing=listing)
    existing = eligibility.existing
    if existing is not None and selectors.can_edit_review(request.user, existing):
        if request.method == "GET":
            messages.info(
                request, _("Your organisation has already reviewed this listing; you can edit it here.")
            )
        return review_edit(request, existing.public_id)

    data = request.POST if request.method == "POST" else None
    form = ReviewForm(data, auto_id="review_%s", initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            services.create_review(
                user=request.user,
                organisation=organisation,
                listing=listing,
                rating=form.cleaned_data["rating"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                language=form.cleaned_data.get("language") or request.LANGUAGE_CODE,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _done(request, listing, _("Thank you! Your review is published."))
    invalid = request.method == "POST"
    context = {"listing": listing, "review_form": form, "eligibility": eligibility, "mode": "create"}
    if request.htmx:
        return render(request, "catalog/includes/reviews_form.html", context)
    return _form_page(request, "marketplace/review_form.html", context, status=400 if invalid else 200)


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request, public_id):
    review = selectors.get_review_for_editor(request.user, public_id)
    listing = review.listing
    if request.method == "POST" and request.POST.get("rating") is not None:
        form = ReviewForm(request.POST, auto_id="review_%s")
        if form.is_valid():
            try:
                services.update_review(
                    review=review,
                    user=request.user,
                    rating=form.cleaned_data["rating"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    language=form.cleaned_data.get("language") or "",
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return _done(request, listing, _("Your review is updated."))
        status = 400
    else:
        form, status = ReviewForm.for_review(review, auto_id="review_%s"), 200
    context = {"listing": listing, "review_form": form, "review": review, "mode": "edit"}
    if request.htmx:
        return render(request, "catalog/includes/reviews_form.html", context)
    return _form_page(request, "marketplace/review_form.html", context, status=status)


@login_required
@require_POST
def review_delete(request, public_id):
    review = selectors.get_review_for_editor(request.user, public_id)
    listing = review.listing
    services.delete_review(review=review, user=request.user)
    return _done(request, listing, _("Your review is deleted."))


@login_required
@require_http_methods(["GET", "POST"])
def review_reply(request, public_id):
    review = selectors.get_review_for_partner(request.user, public_id)
    form = ReplyForm(request.POST if request.method == "POST" else None, auto_id="reply_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_to_review(review=review, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _item_or_redirect(request, review, _("Your reply is published."))
    return _action_page(request, review, form, "reply")


@login_required
@require_http_methods(["GET", "POST"])
def review_report(request, public_id):
    review = selectors.get_public_review(public_id)
    form = ReportForm(request.POST if request.method == "POST" else None, auto_id="report_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.report_review(
                review=review,
                user=request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _item_or_redirect(
                request, review, _("Thank you. Our moderators will look at this review.")
            )
    return _action_page(request, review, form, "report")


@login_required
@require_http_methods(["GET", "POST"])
def review_hide(request, public_id):
    review = selectors.get_review_for_moderator(request.user, public_id)
    form = HideForm(request.POST if request.method == "POST" else None, auto_id="hide_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.hide_review(review=review, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _done(
                request, review.listing, _("The review is hidden and no longer counts in the rating.")
            )
    return _action_page(request, review, form, "hide")


@login_required
@require_POST
def review_unhide(request, public_id):
    review = selectors.get_review_for_moderator(request.user, public_id)
    try:
        services.unhide_review(review=review, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(listing_url(request, review.listing))
    return _done(request, review.listing, _("The review is visible again."))


def _item_or_redirect(request, review, message):
    """After a reply or report: the refreshed review (htmx), else back to it on the listing page."""
    if request.htmx:
        context = review_context(request, review.listing)
        context.update(review=selectors.review_for_display(review.pk), notice=message)
        return render(request, "catalog/includes/reviews_item.html", context)
    messages.success(request, message)
    return HttpResponseRedirect(listing_url(request, review.listing, f"review-{review.public_id}"))


def _action_page(request, review, form, action):
    """A reply, report or hide form: its own page (GET, or errors without htmx), else the review
    re-rendered in place with the form open and its errors."""
    invalid = request.method == "POST"
    if request.htmx and invalid and action in ("reply", "report"):
        context = review_context(request, review.listing)
        context.update(
            {"review": selectors.review_for_display(review.pk), f"{action}_form": form, "open_action": action}
        )
        return render(request, "catalog/includes/reviews_item.html", context)
    context = {"listing": review.listing, "review": review, "form": form, "mode": action}
    return render(request, "marketplace/review_action.html", context, status=400 if invalid else 200)
