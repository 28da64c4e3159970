"""core.emails: one site address for links; messages rendered in the recipient's language."""

from django.core import mail

from core.emails import absolute_url, send_templated, site_url


def test_absolute_url_uses_the_configured_site_address(settings):
    settings.SITE_URL = "https://market.example.cn"
    assert site_url() == "https://market.example.cn"
    assert absolute_url("/partners/console/") == "https://market.example.cn/partners/console/"


def test_send_templated_renders_in_the_given_language(settings, tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "x_subject.txt").write_text("{% load i18n %}{% translate 'Home' %}")
    (tmp_path / "t" / "x_message.txt").write_text("{{ site_url }}/a {{ name }}")
    # a new list (not an in-place change) so that Django resets its template engines
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    settings.SITE_URL = "https://s.example"
    sent = send_templated("t/x", to=["a@example.com", ""], context={"name": "Li"}, language="en")
    assert sent == 1
    message = mail.outbox[-1]
    assert message.to == ["a@example.com"]
    assert message.body == "https://s.example/a Li"
    assert message.subject.endswith("Home")


def test_send_templated_with_no_recipient_sends_nothing():
    assert send_templated("t/x", to=[], context={}) == 0
