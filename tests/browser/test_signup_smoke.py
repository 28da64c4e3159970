"""Smoke test in a real browser: languages on the home page, then sign up → confirm the
email → log in → account dashboard → log out."""

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "smoke.tester@example.com"
PASSWORD = "Smoke-Test-Lantern-42"


def html_lang(page) -> str:
    return (page.locator("html").get_attribute("lang") or "").lower()


def submit(page, form_selector: str):
    with page.expect_navigation():
        page.locator(f"{form_selector} [type=submit]").first.click()


def test_home_page_is_chinese_at_the_root_and_english_under_en(page, live_server):
    response = page.goto(f"{live_server.url}/")
    assert response.status == 200
    assert html_lang(page) == "zh-hans"

    response = page.goto(f"{live_server.url}/en/")
    assert response.status == 200
    assert html_lang(page) == "en"


def test_sign_up_confirm_email_log_in_see_dashboard_and_log_out(page, live_server):
    page.goto(f"{live_server.url}/en/accounts/signup/")
    page.fill("input[name=display_name]", "Smoke Tester")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.fill("input[name=organisation_name]", "Smoke Test Industries")
    submit(page, "form:has(input[name=password1])")

    [message] = [m for m in mail.outbox if EMAIL in m.to]
    [confirm_path] = re.findall(r"https?://[^/\s]+(/\S*/accounts/confirm-email/\S+)", message.body)
    page.goto(f"{live_server.url}{confirm_path}")
    submit(page, "form[action*='confirm-email']")

    page.goto(f"{live_server.url}/en/accounts/login/")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    submit(page, "form:has(input[name=password])")

    assert page.url == f"{live_server.url}/en/account/"
    assert page.locator("h1").first.inner_text().strip() == "My account"
    assert page.get_by_text("Smoke Test Industries").first.is_visible()

    page.goto(f"{live_server.url}/en/accounts/logout/")
    submit(page, "main form[action*='logout']")
    page.goto(f"{live_server.url}/en/account/")
    assert "/en/accounts/login/" in page.url
