"""Staff screens in the Wagtail admin: the registration queue and the decision page, where a held
registration is shown side by side with what it overlaps (here, and only here, partner names
are visible). Views need ``cosell.change_dealregistration`` (programme managers hold ``cosell.*``).
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from core.exceptions import ApplicationError
from cosell import selectors
from cosell.models import Conflict, DealRegistration, RejectReason
from cosell.services import registrations as svc

DECIDE = "cosell.change_dealregistration"


def require_perm(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_perm(DECIDE):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class ConflictForm(forms.Form):
    resolution = forms.ChoiceField(label=gettext_lazy("Decision"), choices=Conflict.Resolution.choices)
    reason = forms.CharField(
        label=gettext_lazy("Reason (recorded)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    ACTIONS = (
        ("approve", gettext_lazy("Approve")),
        ("reject", gettext_lazy("Reject")),
        ("action_required", gettext_lazy("Ask the partner for changes")),
    )
    action = forms.ChoiceField(label=gettext_lazy("Decision"), choices=ACTIONS)
    code = forms.ChoiceField(
        label=gettext_lazy("Rejection reason"), choices=RejectReason.choices, required=False
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the partner"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fields = forms.MultipleChoiceField(
        label=gettext_lazy("Fields to fix"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(f, DealRegistration._meta.get_field(f).verbose_name) for f in svc.ACTION_REQUIRED_FIELDS],
    )


class ExtensionDecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=gettext_lazy("Extension"),
        choices=(("1", gettext_lazy("Grant")), ("0", gettext_lazy("Decline"))),
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False)


@require_perm
def queue(request):
    page = Paginator(selectors.staff_queue(), 50).get_page(request.GET.get("p"))
    from cosell.services.escalation import overdue, review_due

    late = [{"registration": r, "due": review_due(r.submitted_at)} for r in overdue()]
    return render(
        request,
        "cosell/admin/queue.html",
        {"page_obj": page, "dashboard": selectors.dashboard(), "overdue": late},
    )


@require_perm
def decide(request, pk):
    registration = get_object_or_404(DealRegistration.objects.select_related("partner__organisation"), pk=pk)
    conflicts = registration.conflicts.select_related(
        "existing__partner__organisation", "account", "resolved_by"
    )
    return render(
        request,
        "cosell/admin/decide.html",
        {
            "registration": registration,
            "listings": registration.listings.all(),
            "conflicts": conflicts,
            "conflict_form": ConflictForm(),
            "review_form": ReviewForm(),
            "extension_form": ExtensionDecisionForm(),
            "history": registration.transitions.select_related("actor"),
            "extension_pending": registration.extension_requested_at
            and registration.extension_granted is None,
        },
    )


def _refused(request, exc):
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, exc.message)


@require_perm
@require_POST
def resolve(request, pk):
    registration = get_object_or_404(DealRegistration, pk=pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give a reason."))
        return redirect("cosell_admin:decide", pk=pk)
    try:
        svc.resolve_conflict(registration=registration, user=request.user, **form.cleaned_data)
    except (ApplicationError, ValidationError) as exc:
        _refused(request, exc)
        return redirect("cosell_admin:decide", pk=pk)
    messages.success(request, _("Decision recorded."))
    return redirect("cosell_admin:queue")


@require_perm
@require_POST
def review(request, pk):
    registration = get_object_or_404(DealRegistration, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("cosell_admin:decide", pk=pk)
    action, code, note = (form.cleaned_data[k] for k in ("action", "code", "note"))
    try:
        if action == "approve":
            svc.approve(registration=registration, user=request.user, note=note)
        elif action == "reject":
            svc.reject(
                registration=registration, user=request.user, code=code or RejectReason.OTHER, note=note
            )
        else:
            svc.request_action(
                registration=registration, user=request.user, note=note, fields=form.cleaned_data["fields"]
            )
    except (ApplicationError, ValidationError) as exc:
        _refused(request, exc)
        return redirect("cosell_admin:decide", pk=pk)
    messages.success(request, _("Decision recorded."))
    return redirect("cosell_admin:queue")


@require_perm
@require_POST
def extension(request, pk):
    registration = get_object_or_404(DealRegistration, pk=pk)
    form = ExtensionDecisionForm(request.POST)
    if form.is_valid():
        try:
            svc.decide_extension(registration=registration, user=request.user, **form.cleaned_data)
            messages.success(request, _("Decision recorded."))
        except ApplicationError as exc:
            _refused(request, exc)
    return redirect("cosell_admin:decide", pk=pk)


class _QueueMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(DECIDE)


class CosellQueueViewSet(ViewSet):
    name = "cosell_admin"
    icon = "tasks"
    menu_label = gettext_lazy("Deal registrations")
    menu_order = 240
    menu_item_class = _QueueMenuItem

    def get_urlpatterns(self):
        return [
            path("", queue, name="queue"),
            path("<int:pk>/", decide, name="decide"),
            path("<int:pk>/resolve/", resolve, name="resolve"),
            path("<int:pk>/review/", review, name="review"),
            path("<int:pk>/extension/", extension, name="extension"),
        ]

    @property
    def menu_url(self):
        from django.urls import reverse

        return reverse("cosell_admin:queue")
