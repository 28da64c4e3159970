"""Account home, organisation switching, members and invitations. Thin: rules live in
``services`` and ``selectors``. Someone else's organisation answers 404; a member who may
not manage gets a clear message and nothing changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import InviteForm, RoleForm, grantable_roles


def _error(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _organisation_url(organisation) -> str:
    return reverse("accounts:organisation_detail", kwargs={"slug": organisation.slug})


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
def dashboard(request):
    memberships = selectors.memberships_for(request.user)
    active = request.membership
    return render(
        request,
        "accounts/dashboard.html",
        {
            "memberships": memberships,
            "partner_memberships": [m for m in memberships if m.organisation.kind == "partner"],
            "active_organisation_id": active.organisation_id if active else None,
            "invitations": selectors.pending_invitations_for(request.user),
        },
    )


@require_POST
@login_required
def switch(request):
    membership = selectors.get_membership_for_user(request.user, request.POST.get("organisation", ""))
    request.session[selectors.SESSION_KEY] = membership.organisation_id
    messages.success(
        request, _("You are now working in %(organisation)s.") % {"organisation": membership.organisation}
    )
    return HttpResponseRedirect(_safe_next(request, reverse("accounts:dashboard")))


@login_required
def organisation_detail(request, slug):
    membership = selectors.get_membership_for_user(request.user, slug)
    organisation = membership.organisation
    roles = grantable_roles(membership)
    context = {
        "organisation": organisation,
        "membership": membership,
        "members": selectors.members_of(organisation),
        "can_manage": membership.can_manage,
    }
    if membership.can_manage:
        context.update(
            invite_form=InviteForm(roles=roles),
            grantable_roles=roles,
            invitations=selectors.pending_invitations_of(organisation),
        )
    return render(request, "accounts/organisation_detail.html", context)


@require_POST
@login_required
def invite(request, slug):
    membership = selectors.get_membership_for_user(request.user, slug)
    organisation = membership.organisation
    form = InviteForm(request.POST, roles=grantable_roles(membership) or None)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_organisation_url(organisation))
    try:
        invitation = services.invite_member(
            organisation=organisation,
            invited_by=request.user,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            language=form.cleaned_data["language"],
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect(_organisation_url(organisation))


@require_POST
@login_required
def invitation_revoke(request, slug, invitation):
    organisation = selectors.get_organisation_for_user(request.user, slug)
    target = selectors.get_invitation_of(organisation, invitation)
    try:
        services.revoke_invitation(actor=request.user, invitation=target)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The invitation to %(email)s was revoked.") % {"email": target.email})
    return redirect(_organisation_url(organisation))


@require_POST
@login_required
def member_role(request, slug, member):
    organisation = selectors.get_organisation_for_user(request.user, slug)
    target = selectors.get_member_of(organisation, member)
    form = RoleForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_organisation_url(organisation))
    try:
        updated = services.change_role(actor=request.user, membership=target, role=form.cleaned_data["role"])
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            _("%(person)s is now %(role)s.") % {"person": updated.user, "role": updated.get_role_display()},
        )
    return redirect(_organisation_url(organisation))


@require_POST
@login_required
def member_remove(request, slug, member):
    organisation = selectors.get_organisation_for_user(request.user, slug)
    target = selectors.get_member_of(organisation, member)
    try:
        services.remove_member(actor=request.user, membership=target)
    except ValidationError as exc:
        _error(request, exc)
        return redirect(_organisation_url(organisation))
    messages.success(request, _("%(person)s was removed.") % {"person": target.user})
    if target.user_id == request.user.id:
        request.session.pop(selectors.SESSION_KEY, None)
        return redirect("accounts:dashboard")
    return redirect(_organisation_url(organisation))


@require_POST
@login_required
def leave(request, slug):
    organisation = selectors.get_organisation_for_user(request.user, slug)
    try:
        services.leave_organisation(user=request.user, organisation=organisation)
    except ValidationError as exc:
        _error(request, exc)
        return redirect(_organisation_url(organisation))
    if request.session.get(selectors.SESSION_KEY) == organisation.pk:
        request.session.pop(selectors.SESSION_KEY)
    messages.success(request, _("You left %(organisation)s.") % {"organisation": organisation})
    return redirect("accounts:dashboard")


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    """GET shows the invitation (and remembers it for sign-up); POST accepts it."""
    invitation = selectors.get_invitation_by_token(token)
    user = request.user
    if (
        invitation is not None
        and user.is_authenticated
        and invitation.accepted_by_id == user.pk
        and selectors.memberships_for(user).filter(organisation=invitation.organisation_id).exists()
    ):
        # Back here after signing up through the link: the invitation is already accepted.
        return redirect(_organisation_url(invitation.organisation))

    problem = services.invitation_problem(invitation)
    if problem is not None:
        if request.session.get(selectors.INVITATION_SESSION_KEY) == token:
            request.session.pop(selectors.INVITATION_SESSION_KEY)
        status = 404 if invitation is None else 410
        return render(request, "accounts/invitation.html", {"problem": problem}, status=status)

    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = services.accept_invitation(token=token, user=user)
        except ValidationError as exc:
            _error(request, exc)
            return redirect(request.path)
        request.session.pop(selectors.INVITATION_SESSION_KEY, None)
        request.session[selectors.SESSION_KEY] = membership.organisation_id
        messages.success(
            request,
            _("Welcome to %(organisation)s. You joined as %(role)s.")
            % {"organisation": membership.organisation, "role": membership.get_role_display()},
        )
        return redirect(_organisation_url(membership.organisation))

    if not user.is_authenticated:
        request.session[selectors.INVITATION_SESSION_KEY] = token
    email_matches = user.is_authenticated and invitation.email.lower() in {
        email.lower() for email in selectors.verified_emails_of(user)
    }
    return render(
        request,
        "accounts/invitation.html",
        {"invitation": invitation, "email_matches": email_matches, "here": request.path},
    )
