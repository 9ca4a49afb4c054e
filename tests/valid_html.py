"""What a rendered page must get right as HTML, read with the standard library's parser: every id once (so a
label points at its own field), htmx attributes written as ``data-hx-*`` (the valid spelling htmx also
reads), and every ``<label for>`` naming an element of the page."""

from collections import Counter
from html.parser import HTMLParser


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.label_targets: list[str] = []
        self.bare_htmx: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1
            elif name.startswith("hx-"):
                self.bare_htmx.append(f"<{tag} {name}>")
        if tag == "label":
            target = dict(attrs).get("for")
            if target:
                self.label_targets.append(target)

    handle_startendtag = handle_starttag


def html_problems(html: str) -> list[str]:
    """The problems of ``html`` (a page or a fragment), in words; empty when there are none."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    problems = [f"id {name!r} {count} times" for name, count in reader.ids.items() if count > 1]
    problems += [f"{attribute} is not data-hx-*" for attribute in reader.bare_htmx]
    problems += [f"<label for={t!r}> has no element" for t in reader.label_targets if t not in reader.ids]
    return problems
