from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context

from accounts import selectors
from core.emails import brand_name, queue_message, rebase_url, site_url, subject_prefix


def user_display(user) -> str:
    """How allauth names a person (``ACCOUNT_USER_DISPLAY``): the name entered at sign-up, else
    the e-mail address — never a generated username."""
    return str(user)


def email_site():
    """What allauth's e-mails call ``current_site``: the brand name and the configured site
    address (not ``django.contrib.sites``' "example.com")."""
    return SimpleNamespace(name=brand_name(), domain=urlsplit(site_url()).netloc)


AFTER_SIGNUP_KEY = "accounts.after_signup"  # where a sign-up started (e.g. the partner application)


class AccountAdapter(DefaultAccountAdapter):
    """allauth hooks: invitations opened before sign-up, and the active organisation.

    Login rate limits stay allauth's own (``ACCOUNT_RATE_LIMITS``)."""

    def get_login_redirect_url(self, request) -> str:
        """Back to where the sign-up started (the partner application), once, else the default."""
        after = request.session.pop(AFTER_SIGNUP_KEY, None) if hasattr(request, "session") else None
        return after or super().get_login_redirect_url(request)

    def get_email_verification_redirect_url(self, email_address) -> str:
        """After verifying, a sign-up that started at the partner application returns there
        (through the log-in when not signed in)."""
        after = self.request.session.get(AFTER_SIGNUP_KEY) if hasattr(self.request, "session") else None
        if after:
            if self.request.user.is_authenticated:
                self.request.session.pop(AFTER_SIGNUP_KEY, None)
                return after
            from django.urls import reverse

            return f"{reverse('account_login')}?next={quote(after)}"
        return super().get_email_verification_redirect_url(email_address)

    def format_email_subject(self, subject) -> str:
        return subject_prefix() + str(subject)

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
        """allauth's e-mails (verification, password reset, login codes) with our site — links on
        ``SITE_URL`` (allauth builds them from the request's host), the brand name, the person's own
        name — rendered in the request and sent from the retried e-mail task: SMTP down never fails
        the sign-up or the reset."""
        request = allauth_context.request
        context = {
            key: rebase_url(value) if key.endswith("_url") and isinstance(value, str) else value
            for key, value in context.items()
        }
        ctx = {"request": request, "email": email, **context, "current_site": email_site()}
        ctx.setdefault("site_url", site_url())
        ctx.setdefault("brand", brand_name())
        queue_message(self.render_mail(template_prefix, email, ctx))
