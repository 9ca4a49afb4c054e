"""Posting back what a page rendered: the fields (with their values, the CSRF token among them) of the page's
first POST form that has a given field, read with the standard library's HTML parser."""

from html.parser import HTMLParser

from django.urls import reverse


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = {}
            self.forms.append((attrs.get("action") or "", self._current))
        elif (
            tag == "input"
            and self._current is not None
            and attrs.get("name")
            and attrs.get("type") not in ("submit", "button")
        ):
            self._current[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def form_with(html: str, field: str) -> tuple[str, dict[str, str]]:
    parser = _Forms()
    parser.feed(html)
    for action, fields in parser.forms:
        if field in fields:
            return action, dict(fields)
    raise AssertionError(f"no POST form with a {field!r} field on the page")


def submit(client, url: str, field: str, values: dict, **extra):
    """GET ``url``, fill ``values`` into its form that has ``field``, POST it back (with the CSRF token the
    page carried); ``extra`` goes into both requests' META (REMOTE_ADDR, HTTP_X_FORWARDED_FOR)."""
    page = client.get(url, **extra)
    assert page.status_code == 200, page.status_code
    action, fields = form_with(page.content.decode(), field)
    assert set(values) <= set(fields), (values, fields)
    return client.post(action or url, {**fields, **values}, **extra)


def login(client, email: str, password: str, **extra):
    return submit(
        client, reverse("accounts:login"), "username", {"username": email, "password": password}, **extra
    )
