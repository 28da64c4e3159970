"""Signing up in Chinese (issue #18, point 6: "the Chinese sign-up shows Django's password errors
in English"): at /accounts/signup/ (the zh-hans site, no prefix) a password Django's validators
reject is refused with their messages in Chinese; then a good password, the Chinese verification
e-mail greeting the name entered, the confirmation page, logging in, and landing on "我的账户".
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.a11y import serious_violations
from tests.browser.journey import screenshots_on_failure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "li.xiaoming@example.cn"
GOOD_PASSWORD = "灯笼-Lantern-Harbour-42"


def submit(page, form_selector: str):
    with page.expect_navigation():
        page.locator(f"{form_selector} [type=submit]").first.click()


def fill_signup(page, password):
    page.fill("input[name=display_name]", "李晓明")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.fill("input[name=organisation_name]", "晓明贸易")
    submit(page, "form:has(input[name=password1])")


def test_sign_up_in_chinese_with_a_rejected_password_then_verify_and_land(page, live_server):
    base = live_server.url
    with screenshots_on_failure([page], "signup-chinese"):
        page.goto(f"{base}/accounts/signup/")
        assert page.locator("html").get_attribute("lang").lower() == "zh-hans"
        expect(page.locator("h1").first).to_have_text(re.compile("注册"))

        fill_signup(page, "1234567890")  # numeric and common: Django's validators refuse it
        assert "/accounts/signup/" in page.url
        form = page.locator("form:has(input[name=password1])")
        expect(form).to_contain_text("这个密码太常见了。")
        expect(form).to_contain_text("密码只包含数字。")
        assert not re.search(r"This password|too common|entirely numeric", form.inner_text())
        assert serious_violations(page) == []
        assert not mail.outbox

        fill_signup(page, GOOD_PASSWORD)
        assert "/en/" not in page.url
        [message] = [m for m in mail.outbox if EMAIL in m.to]
        assert "李晓明" in message.body and "Hello" not in message.body
        assert re.search(r"[\u4e00-\u9fff]", message.subject)
        [confirm_path] = re.findall(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body)

        page.goto(f"{base}{confirm_path}")
        assert page.locator("html").get_attribute("lang").lower() == "zh-hans"
        expect(page.locator("main")).to_contain_text(EMAIL)
        submit(page, "form[action*='confirm-email']")

        if "/accounts/login/" in page.url:
            page.fill("input[name=login]", EMAIL)
            page.fill("input[name=password]", GOOD_PASSWORD)
            submit(page, "form:has(input[name=password])")
        assert page.url == f"{base}/account/"
        expect(page.locator("h1").first).to_have_text("我的账户")
        expect(page.get_by_text("晓明贸易").first).to_be_visible()
        assert serious_violations(page) == []
