"""Reading rendered pages structurally: the text of the elements a test is about, not a search through the
whole page (where a digit or a word can turn up anywhere)."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Collector(HTMLParser):
    def __init__(self, tag: str, attrs: dict[str, str]):
        super().__init__(convert_charrefs=True)
        self.tag, self.attrs = tag, attrs
        self.open: list[list[str]] = []  # text parts of the matching elements being read (nested ones too)
        self.depths: list[int] = []
        self.depth = 0
        self.found: list[str] = []

    def _matches(self, tag, attrs) -> bool:
        given = dict(attrs)
        return tag == self.tag and all(
            value in (given.get(name) or "").split() if name == "class" else given.get(name) == value
            for name, value in self.attrs.items()
        )

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.depth += 1
        if self._matches(tag, attrs):
            self.open.append([])
            self.depths.append(self.depth)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.depths and self.depths[-1] == self.depth:
            self.depths.pop()
            self.found.append(" ".join("".join(self.open.pop()).split()))
        self.depth -= 1

    def handle_data(self, data):
        for parts in self.open:
            parts.append(data)


def texts(html: str, tag: str, **attrs: str) -> list[str]:
    """The whitespace-normalised text of every ``tag`` element whose attributes match ``attrs`` (``class_``
    for class, one of the element's classes; ``data_x`` for data-x), in document order of their ends."""
    wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
    collector = _Collector(tag, wanted)
    collector.feed(html)
    collector.close()
    return collector.found


class _Attributes(HTMLParser):
    def __init__(self, tag: str, name: str):
        super().__init__(convert_charrefs=True)
        self.tag, self.name, self.found = tag, name, []

    def handle_starttag(self, tag, attrs):
        if tag == self.tag:
            self.found.extend(value for key, value in attrs if key == self.name and value is not None)

    handle_startendtag = handle_starttag


def attribute_values(html: str, tag: str, name: str) -> list[str]:
    """Every value of attribute ``name`` on ``tag`` elements (``form``, ``action``: where the forms post)."""
    collector = _Attributes(tag, name)
    collector.feed(html)
    collector.close()
    return collector.found
