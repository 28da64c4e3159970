"""Every e-mail template (ours, allauth's, Wagtail's workflow notices) renders, in both
languages, with links only on the configured site address and the site's brand name (issue #18,
point 4): no relative link, no loopback host, no "example.com", no hard-coded "Symbio"."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.loader import get_template
from django.utils import translation
from wagtail.models import Site

from core.emails import brand_name
from themes.models import BrandingSettings

SITE = "https://market.example.cn"
URL = re.compile(r"""https?://[^\s"'<>)]+""")
# href="/…" in HTML, or a bare path such as "/partners/console/" in plain text.
RELATIVE = re.compile(r"""(href|src)=["']/|(?:^|\s)/[a-z][\w\-]*/""", re.MULTILINE)
EMAIL_DIRS = ("/email/", "/emails/", "wagtailadmin/notifications/")


class Anything(int):
    """A stand-in for any context object: a number (for counts and plurals) whose every attribute
    is another stand-in and which prints as ``text`` (an id that fits the URL converter tried)."""

    def __new__(cls, text="1"):
        obj = super().__new__(cls, 1)
        obj._text = text
        return obj

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything(self._text)

    def __getitem__(self, key):
        return Anything(self._text)

    def __str__(self):
        return self._text

    def __len__(self):
        return 1

    def __call__(self, *args, **kwargs):
        return Anything(self._text)

    def __iter__(self):
        return iter(())


def is_email_template(name: str) -> bool:
    return any(d in f"/{name}" for d in EMAIL_DIRS) and name.endswith((".txt", ".html"))


def email_templates() -> list[str]:
    """Every template in an e-mail folder that the loaders resolve (ours override the libraries')."""
    names = set()
    for loader in engines["django"].engine.template_loaders:
        for origin_dir in getattr(loader, "get_dirs", list)():
            root = Path(origin_dir)
            for path in root.rglob("*"):
                name = path.relative_to(root).as_posix()
                if path.is_file() and is_email_template(name) and not path.name.startswith("_"):
                    names.add(name)
    return sorted(names)


def render(name: str, language: str) -> str:
    template = get_template(name)
    errors = []
    for text in ("1", "00000000-0000-0000-0000-000000000001", "token"):
        anything = Anything(text)
        context = {
            "site_url": SITE,
            "brand": brand_name(),
            "base_url": SITE,
            "current_site": type("S", (), {"name": brand_name(), "domain": "market.example.cn"})(),
            "activate_url": f"{SITE}/accounts/confirm-email/key/",
            "password_reset_url": f"{SITE}/accounts/password/reset/key/1-x/",
            "signup_url": f"{SITE}/accounts/signup/",
            "user": anything,
            "page": anything,
            "revision": anything,
            "object": anything,
            "task": anything,
            "workflow": anything,
        }
        # A plural needs a number: each counted variable of the template is one.
        for var in re.findall(r"count \w+=([\w]+)", template.template.source):
            context.setdefault(var, anything)
        for key in (
            "application",
            "decision",
            "invitation",
            "organisation",
            "lead",
            "flag",
            "partner",
            "listing",
        ):
            context[key] = anything
        try:
            with translation.override(language):
                return template.render(context)
        except Exception as error:  # NoReverseMatch for the wrong kind of id: try the next
            errors.append(error)
    raise AssertionError(f"{name} does not render: {errors}")


@pytest.fixture
def branded(db, settings):
    settings.SITE_URL = SITE
    settings.WAGTAILADMIN_BASE_URL = SITE
    site = Site.objects.get(is_default_site=True)
    Site.objects.filter(pk=site.pk).update(hostname="localhost", port=80)
    branding = BrandingSettings.for_site(site)
    branding.site_name, branding.site_name_en = "云栖生态市场", "Cloudrest Market"
    branding.save()


def test_the_search_finds_the_e_mails():
    names = email_templates()
    for expected in (
        "account/email/base_message.txt",
        "wagtailadmin/notifications/approved.txt",
        "partners/emails/application_approved.txt",
        "health/emails/at_risk_message.txt",
        "accounts/email/invitation_message.html",
    ):
        assert expected in names
    assert len(names) > 40


@pytest.mark.parametrize("language", [lang for lang, _name in settings.LANGUAGES])
def test_every_email_links_only_to_the_site_and_names_the_brand(branded, language):
    problems = []
    for name in email_templates():
        body = render(name, language)
        for url in URL.findall(body):
            if not url.startswith((SITE, "http://www.w3.org/")):  # the XHTML doctype is no link
                problems.append(f"{name}: {url}")
        if RELATIVE.search(body):
            problems.append(f"{name}: relative link")
        for bad in ("127.0.0.1", "localhost", "example.com", "Symbio"):
            if bad in body:
                problems.append(f"{name}: {bad}")
    assert problems == []


def test_allauth_greets_by_name_from_the_brand(branded, mailoutbox):
    from allauth.account.adapter import get_adapter
    from allauth.core import context as allauth_context
    from django.test import RequestFactory

    from tests.factories.accounts import UserFactory

    user = UserFactory(display_name="王小明", email="xm@customer.example.cn")
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8000")
    with allauth_context.request_context(request), translation.override("zh-hans"):
        get_adapter().send_mail(
            "account/email/email_confirmation_signup",
            user.email,
            {"user": user, "activate_url": "http://127.0.0.1:8000/accounts/confirm-email/abc/", "key": "abc"},
        )
    message = mailoutbox[0]
    assert message.subject.startswith("[云栖生态市场] ")
    assert "王小明" in message.body and "example.com" not in message.body
    assert f"{SITE}/accounts/confirm-email/abc/" in message.body and "127.0.0.1" not in message.body


def test_wagtails_approval_notice_links_to_the_site_not_the_wagtail_site_host(branded):
    """The Wagtail Site says ``localhost:80``; the notice must still link to ``SITE_URL``."""
    from tests.factories.accounts import UserFactory

    page = Site.objects.get(is_default_site=True).root_page.specific
    editor = UserFactory(display_name="李编辑")
    revision = page.save_revision(user=editor)
    assert page.full_url.startswith("http://localhost")  # what Wagtail's own template would use
    for name in ("wagtailadmin/notifications/approved.txt", "wagtailadmin/notifications/approved.html"):
        body = get_template(name).render({"revision": revision, "user": editor, "settings": settings})
        assert f"{SITE}{page.url}" in body and "localhost" not in body, name
