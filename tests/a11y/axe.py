"""axe-core (Deque's accessibility engine, ``npm ci`` here, which ``make install`` runs) run inside a
Playwright page: the WCAG 2.1 A and AA rules, and the violations of impact serious or critical."""

import functools
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def missing_axe() -> str | None:
    """Why axe-core cannot run here, or None (tests/services.py, marker ``browser``)."""
    if not AXE_JS.exists():
        return "needs axe-core (make install, or: npm ci --prefix tests/a11y)"
    return None


@functools.cache
def _source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """The serious and critical WCAG 2.1 AA violations on ``page`` as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_source())  # evaluated by the browser's devtools protocol, so the page's CSP allows it
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']})")
        for node in violation["nodes"][:5]:
            summary = node.get("failureSummary", "").splitlines()[-1:]
            lines.append(f"    {' '.join(node['target'])}: {summary}")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    """Fail with every serious or critical violation axe-core finds on ``page`` (0 allowed)."""
    found = violations(page)
    assert not found, f"axe-core on {where or page.url}:\n{describe(found)}"
