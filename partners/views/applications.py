"""Public application flow (owned by the onboarding work).

``/partners/apply/`` · ``/partners/applications/<public_id>/`` (its applicant and reviewers;
404 for anyone else) · ``/partners/applications/<public_id>/edit/`` (its applicant, when
reviewers asked for more information). The directory itself (``/partners/``) and partner
profiles are Wagtail pages (``partners.models.pages``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partners.forms.onboarding import ApplicationForm
from partners.models import ApplicationDecision
from partners.selectors.programme import partner_for_member
from partners.selectors.programme_page import programme_ladders
from partners.services import onboarding


def _initial_for(user) -> dict:
    name = getattr(user, "display_name", "") or user.get_full_name()
    return {"contact_email": user.email, "contact_name": name}


@require_http_methods(["GET", "POST"])
def apply(request):
    """Visitors see the programme (kinds, tiers and their criteria, benefits, how review works)
    and sign up or log in to apply; signed-in people get the application form."""
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(request, "partners/programme.html", {"kinds": programme_ladders()})
    existing = onboarding.open_application_of(request.user)
    if existing is not None:
        messages.info(request, onboarding.OPEN_APPLICATION_EXISTS)
        return redirect("partners:application", public_id=existing.public_id)
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=_initial_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            application = onboarding.submit_application(
                applicant=request.user, language=request.LANGUAGE_CODE, **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: your application has been submitted for review."))
            return redirect("partners:application", public_id=application.public_id)
    # Someone already working in a partner is most likely looking for its console, not a new
    # application (which they may still make, for another company).
    current_partner = partner_for_member(membership=request.membership)
    return render(
        request,
        "partners/apply.html",
        {"form": form, "current_partner": current_partner, "kinds": programme_ladders()},
    )


@login_required
def application_detail(request, public_id):
    application = onboarding.get_application_for_user(request.user, public_id)
    decisions = list(application.decisions.all())
    context = {
        "application": application,
        "is_applicant": application.applicant_id == request.user.pk,
        "latest_decision": decisions[-1] if decisions else None,
        "documents": application.documents.all(),
        "regions": application.regions.all(),
        "industries": application.industries.all(),
    }
    return render(request, "partners/application_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, public_id):
    application = onboarding.get_application_for_user(request.user, public_id)
    if application.applicant_id != request.user.pk:
        raise Http404
    if not application.can_be_edited_by_applicant:
        messages.info(request, onboarding.RESUBMIT_NOT_ALLOWED)
        return redirect("partners:application", public_id=application.public_id)
    form = ApplicationForm(
        request.POST or None, request.FILES or None, instance=application, resubmission=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            onboarding.resubmit_application(
                application=application,
                applicant=request.user,
                language=request.LANGUAGE_CODE,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your application has been resubmitted for review."))
            return redirect("partners:application", public_id=application.public_id)
    latest = application.decisions.filter(kind=ApplicationDecision.Kind.MORE_INFO).last()
    return render(
        request,
        "partners/application_edit.html",
        {"form": form, "application": application, "request_message": latest},
    )


urlpatterns = [
    path("apply/", apply, name="apply"),
    path("applications/<uuid:public_id>/", application_detail, name="application"),
    path("applications/<uuid:public_id>/edit/", application_edit, name="application_edit"),
]
