"""Django's own messages that its Simplified Chinese catalogue lacks, marked here so that
``makemessages`` keeps them in ours (``locale/`` comes before Django's catalogues).

Django 5.2 changed the password validator's "too short" message to ``%d``; its zh_Hans catalogue
still has the ``%(min_length)d`` version, so the Chinese sign-up showed that error in English.
Nothing imports this module: it exists for the message extractor.
"""

from django.utils.translation import ngettext_lazy

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)
