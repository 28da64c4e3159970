"""Django's, allauth's and Wagtail's own messages whose Simplified Chinese we supply or correct,
marked here so that ``makemessages`` keeps them in ours (``locale/`` comes before the
libraries' catalogues).

Django 5.2 changed the password validator's "too short" message to ``%d``; its zh_Hans catalogue
still has the ``%(min_length)d`` version, so the Chinese sign-up showed that error in English.
Nothing imports this module: it exists for the message extractor.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)

# Django's password help texts: its catalogue says 你; the rest of the site says 您.
PASSWORD_HELP = (
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
)
PASSWORD_MIN_HELP = ngettext_lazy(
    "Your password must contain at least %(min_length)d character.",
    "Your password must contain at least %(min_length)d characters.",
    "min_length",
)
# allauth's sign-up link (its Chinese has an English full stop and a stray space).
ALLAUTH_SIGN_IN_LINK = gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s.")
# Wagtail's page privacy status ("任何人可看. 查看已发布页面" in its catalogue).
WAGTAIL_PRIVACY = (
    gettext_noop("Visible to all"),
    gettext_noop("Visible to all. Visit the live page"),
)
