"""Reading a rendered form back (pretix's SoupTest idea, with the standard library's HTML parser): the
values a browser would post, so a test posts what the page rendered instead of a hand-written dict."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class RenderedForm:
    data: dict = field(default_factory=dict)  # name -> value (checked boxes only, like a browser)
    disabled: set = field(default_factory=set)
    fields: set = field(default_factory=set)  # every named control, checked or not
    submits: int = 0
    attrs: dict = field(default_factory=dict)  # the <form> element's own attributes


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[RenderedForm] = []
        self.form: RenderedForm | None = None
        self.textarea: str | None = None
        self.textarea_start = False
        self.select: str | None = None
        self.option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = RenderedForm(attrs=a)
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = a.get("name")
        if name and tag in ("input", "textarea", "select"):
            self.form.fields.add(name)
            if "disabled" in a:
                self.form.disabled.add(name)
        if tag == "input":
            kind = a.get("type", "text")
            if kind == "submit":
                self.form.submits += 1
            elif name and (kind not in ("checkbox", "radio") or "checked" in a):
                self.form.data[name] = a.get("value", "on" if kind in ("checkbox", "radio") else "")
        elif tag == "button" and a.get("type", "submit") == "submit":
            self.form.submits += 1
        elif tag == "textarea":
            self.textarea = name
            self.textarea_start = True
            self.form.data[name] = ""
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.form.data[self.select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.form is not None and self.textarea:
            if self.textarea_start:  # the parser keeps the newline right after <textarea>; a browser drops it
                data = data.removeprefix("\n")
                self.textarea_start = False
            self.form.data[self.textarea] += data


def rendered_form(html: str, containing: str | None = None, **attrs: str) -> RenderedForm:
    """The form on the page that has a control named ``containing`` and the given attributes."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if (containing is None or containing in form.fields) and all(
            form.attrs.get(name) == value for name, value in attrs.items()
        ):
            return form
    raise AssertionError(f"no form with a field {containing!r} and {attrs}")


def post_data(form: RenderedForm) -> dict:
    """What a browser posts: disabled controls are left out."""
    return {name: value for name, value in form.data.items() if name not in form.disabled}
