"""Accessibility checks in the browser journeys: axe-core (``vendor/axe.min.js``, axe-core 4.14.1
from npm, MPL-2.0, see ``vendor/axe-LICENSE.txt``) run on the page as it stands.

The script is evaluated through the DevTools protocol, so the pages' CSP (nonces only) does not
have to let it in. Only violations of impact "serious" or "critical" fail a journey.
"""

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
