"""Fixtures the browser journeys share (the browser itself and ``page`` are in tests/conftest.py)."""

import pytest


@pytest.fixture
def open_page(browser):
    """``open_page()`` → a page in a fresh English desktop browser context (one per person in a
    journey); every context is closed at the end."""
    pages = []

    def factory():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15000)
        pages.append(page)
        return page

    yield factory
    for page in pages:
        page.context.close()
