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


class Element:
    """One element of a page read by ``tree``: its tag, attributes, children and parent."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: "Element | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return " ".join("".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str | bool) -> list["Element"]:
        """Descendants with this tag (any when None) whose attributes match: ``class_`` is one of the
        classes, ``data_x`` is data-x, True means present, False absent."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}

        def matches(element: Element) -> bool:
            if tag is not None and element.tag != tag:
                return False
            for name, value in wanted.items():
                given = element.attrs.get(name)
                if value is True or value is False:
                    if (given is not None) is not value:
                        return False
                elif name == "class":
                    if value not in (given or "").split():
                        return False
                elif given != value:
                    return False
            return True

        return [element for element in self.iter() if matches(element)]

    def find(self, tag: str | None = None, **attrs: str | bool) -> "Element | None":
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def by_id(self, element_id: str) -> "Element | None":
        return self.find(id=element_id)

    def ancestor(self, tag: str) -> "Element | None":
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def tree(html: str | bytes) -> Element:
    """The page as a tree of elements, to look for the elements a test is about (``by_id``, ``find``)."""
    builder = _TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root
