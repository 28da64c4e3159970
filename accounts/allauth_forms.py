"""allauth's sign-up form, saved in one transaction (``ACCOUNT_FORMS["signup"]``).

allauth writes the user, then calls our ``SignupForm.signup`` (organisation, membership or
invitation), then writes the email address. Wrapped in ``transaction.atomic`` a failure in
any step leaves nothing behind. Lives apart from ``accounts.forms`` because allauth's
forms module imports that one (``ACCOUNT_SIGNUP_FORM_CLASS``).
"""

from allauth.account.forms import SignupForm
from django.db import transaction


class AtomicSignupForm(SignupForm):
    @transaction.atomic
    def save(self, request):
        return super().save(request)
