"""Accessibility checks in the browser journeys: axe-core (``vendor/axe.min.js``, axe-core 4.14.1
from npm, MPL-2.0, see ``vendor/axe-LICENSE.txt``) run on the page as it stands.

The script is evaluated through the DevTools protocol, so the pages' CSP (nonces only) does not
have to let it in. Only violations of impact "serious" or "critical" fail a journey.
"""

import time
from functools import cache
from pathlib import Path

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
BLOCKING = ("serious", "critical")


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def serious_violations(page, *, exclude=()) -> list[str]:
    """axe's serious and critical violations on ``page`` (WCAG 2.x A/AA rules), one line each:
    rule id, impact, help and the first offending elements. ``exclude``: CSS selectors of parts
    that are not ours (e.g. a payment provider's card field stand-in).

    Every rule of those tags runs; ``resultTypes`` only spares axe collecting the nodes of the
    passed and inapplicable rules, and only the violations travel back to Python."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    result = page.evaluate(
        """async (exclude) => {
            const context = exclude.length ? {exclude: exclude.map((s) => [s])} : document;
            const result = await axe.run(context, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                resultTypes: ["violations"],
            });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({target: n.target})),
            }));
        }""",
        list(exclude),
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in result
        if v["impact"] in BLOCKING
    ]


def assert_accessible(page, *, exclude=()):
    found = serious_violations(page, exclude=exclude)
    assert not found, f"axe on {page.url}:\n" + "\n".join(found)


class QuietNetwork:
    """What ``wait_for_load_state("networkidle")`` waits for, without its fixed half second:
    no request of the page in flight, and none started in the last ``quiet`` seconds. Attach it
    before the navigation (it counts the page's requests as Playwright reports them), call
    :meth:`wait` after: axe then sees the page with everything its scripts fetched in place.
    ``networkidle`` waits 500 ms after the last request in any case: 8.5 s of the partner and
    staff audit's 17 pages, none of which fetches anything after its ``load`` event."""

    def __init__(self, page, quiet=0.05):
        self.page, self.quiet = page, quiet
        self.in_flight = set()
        self.last_change = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request):
        self.in_flight.add(request)
        self.last_change = time.monotonic()

    def _ended(self, request):
        self.in_flight.discard(request)
        self.last_change = time.monotonic()

    def wait(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while self.in_flight or time.monotonic() - self.last_change < self.quiet:
            assert time.monotonic() < deadline, f"still loading: {[r.url for r in self.in_flight]}"
            self.page.wait_for_timeout(10)  # lets Playwright deliver the page's events
        # Then what networkidle's half second used to cover: web fonts in place and every CSS
        # transition or animation that ends (a fading message, an opening panel) at its end, so
        # axe never measures a colour half-way (an endless one, such as a spinner, is not awaited).
        self.page.evaluate(
            """() => Promise.all([document.fonts.ready, ...document.getAnimations()
                .filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)
                .map(a => a.finished.catch(() => null))])"""
        )
