"""The switches the journeys' Chromium starts with (``tests/conftest.py::CHROMIUM_ARGS``)."""

import re
from pathlib import Path

import playwright
import pytest

from tests.conftest import CHROMIUM_ARGS, CHROMIUM_DISABLED_FEATURES, PLAYWRIGHT_DISABLED_FEATURES


def _playwright_disabled_features() -> list[str]:
    bundle = Path(playwright.__file__).parent / "driver/package/lib/coreBundle.js"
    found = re.search(r"disabledFeatures = \[(.*?)\]", bundle.read_text(encoding="utf-8"), re.S)
    assert found, f"no disabledFeatures list in {bundle}"
    body = re.sub(r"//[^\n]*", "", found.group(1))
    return re.findall(r'"([^"]+)"', body)


def test_our_disable_features_switch_keeps_playwrights_list():
    """Chromium reads only the last ``--disable-features``: ours, after Playwright's, has to repeat
    Playwright's list (update PLAYWRIGHT_DISABLED_FEATURES when Playwright is upgraded)."""
    switches = [arg for arg in CHROMIUM_ARGS if arg.startswith("--disable-features=")]
    assert len(switches) == 1
    ours = switches[0].removeprefix("--disable-features=").split(",")
    assert set(_playwright_disabled_features()) <= set(PLAYWRIGHT_DISABLED_FEATURES)
    assert ours == PLAYWRIGHT_DISABLED_FEATURES + CHROMIUM_DISABLED_FEATURES


@pytest.mark.browser
def test_a_browser_context_starts_no_hidden_webui_pages(browser):
    """Each context's window used to build two omnibox popups as WebUI pages (a renderer process
    each, ~15 % of the journeys' Chromium CPU); with them off only our own page is there."""
    context = browser.new_context()
    try:
        context.new_page().goto("data:text/html,<title>t</title><p>page</p>")
        targets = browser.new_browser_cdp_session().send("Target.getTargets")["targetInfos"]
    finally:
        context.close()
    urls = [(t["type"], t["url"]) for t in targets]
    assert ("page", "data:text/html,<title>t</title><p>page</p>") in urls
    assert not [url for kind, url in urls if url.startswith("chrome://")], urls
