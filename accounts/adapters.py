from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from accounts import selectors
from core.emails import queue_message


class AccountAdapter(DefaultAccountAdapter):
    """allauth hooks: invitations opened before sign-up, and the active organisation.

    Login rate limits stay allauth's own (``ACCOUNT_RATE_LIMITS``)."""

    def pending_invitation(self, request):
        """The usable invitation whose link was opened in this session, or None."""
        if request is None or not hasattr(request, "session"):
            return None
        return selectors.invitation_in_session(request)

    def signed_up(self, request, *, user, membership, invitation=None) -> None:
        """Called by ``accounts.forms.SignupForm.signup`` once the organisation is settled."""
        request.session.pop(selectors.INVITATION_SESSION_KEY, None)
        request.session[selectors.SESSION_KEY] = membership.organisation_id
        if invitation is not None and membership.organisation_id == invitation.organisation_id:
            # The link was mailed to this very address (the form insists on it), so the
            # address counts as verified: allauth stores it verified and sends no
            # confirmation mail.
            self.stash_verified_email(request, invitation.email)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails (verification, password reset, login codes) rendered in the request
        and sent from the retried e-mail task: SMTP down never fails the sign-up or the reset."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        queue_message(self.render_mail(template_prefix, email, ctx))
