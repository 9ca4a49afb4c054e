"""The template engine of the shared e-mail render, and its placeholders (``emails.Shared``).

The shared template (``notifications/email/message.*``) is rendered once per batch, language, kind and
shape with placeholders for what differs from message to message (the recipient's name and links, the
group's name, the session's time, place and links), which are filled in afterwards by string replacement.
A filter or an attribute on such a value would work on the placeholder, not on the value, and silently
give wrong mail. So here both fail loudly: a placeholder is a ``Placeholder`` object that raises
``PlaceholderMisuse`` on any attribute or item lookup, and in this engine every filter raises it when it is
given a placeholder. With ``NOTIFICATIONS_STRICT_TEMPLATES`` (the test settings) an unknown variable
raises too. The rule for template authors is in ``docs/notifications.md`` (*E-mail templates*).
"""

import functools
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context, Engine, Library, engines

__all__ = ["Context", "GuardedEngine", "Placeholder", "PlaceholderMisuse", "engine", "render"]

# What each placeholder stands for in the template (for the error message and the template test).
PLACEHOLDER_PATHS = (
    "user.display_name",
    "group.name",
    "when",
    "session.location",
    "session.online_link",
    "session.cancellation_reason",
    "open_url",
    "unsubscribe_url",
    "attend_url",
    "decline_url",
)


class PlaceholderMisuse(Exception):
    """A template applied a filter or attribute to a value that is filled in per message."""


class Placeholder:
    """Stands for ``path`` in a template rendered once for many messages; renders as ``token``, which is
    replaced by the real value afterwards. Anything else done with it in the template raises."""

    __slots__ = ("path", "token")

    def __init__(self, token: str, path: str):
        self.token, self.path = token, path

    def __str__(self) -> str:
        return self.token

    def __html__(self) -> str:  # the token is letters and digits: nothing to escape
        return self.token

    def __bool__(self) -> bool:  # only made for a value that is there ({% if session.location %})
        return True

    def _misuse(self, what: str) -> PlaceholderMisuse:
        return PlaceholderMisuse(
            f"{{{{ {self.path} }}}} is filled in per message after the template is rendered: use it bare, "
            f"not {what} (docs/notifications.md, E-mail templates)"
        )

    def __getattr__(self, name: str):
        if name.startswith("__"):  # copy, pickle and other protocol probes
            raise AttributeError(name)
        raise self._misuse(f".{name}")

    def __getitem__(self, key):
        raise self._misuse(f".{key}")

    def __len__(self) -> int:
        raise self._misuse("its length")

    def __iter__(self):
        raise self._misuse("a loop over it")


def _guarded(name: str, func):
    @functools.wraps(func)  # keeps is_safe, needs_autoescape, expects_localtime and the signature
    def guarded(value, *args, **kwargs):
        for given in (value, *args):
            if isinstance(given, Placeholder):
                raise given._misuse(f"with the filter |{name}")
        return func(value, *args, **kwargs)

    return guarded


def _guarded_library(library: Library) -> Library:
    guarded = Library()
    guarded.tags = library.tags
    guarded.filters = {name: _guarded(name, func) for name, func in library.filters.items()}
    return guarded


class _RaiseOnUnknown(str):
    """``string_if_invalid`` that raises: Django formats it with the variable's name when it holds "%s"."""

    def __contains__(self, item) -> bool:
        return item == "%s"

    def __mod__(self, variable):
        raise PlaceholderMisuse(f"unknown variable in an e-mail template: {variable}")


class GuardedEngine(Engine):
    """The project's template engine (same directories, libraries and built-ins) whose filters refuse a
    placeholder."""

    def get_template_builtins(self, builtins):
        return [_guarded_library(library) for library in super().get_template_builtins(builtins)]

    def get_template_libraries(self, libraries):
        found = super().get_template_libraries(libraries)
        return {name: _guarded_library(library) for name, library in found.items()}


@functools.cache
def _engine(strict: bool) -> GuardedEngine:
    default = engines["django"].engine  # type: ignore[attr-defined]
    return GuardedEngine(
        dirs=default.dirs,
        app_dirs=default.app_dirs,
        libraries=default.libraries,
        builtins=default.builtins[len(Engine.default_builtins) :],
        string_if_invalid=_RaiseOnUnknown("%s") if strict else "",
        file_charset=default.file_charset,
    )


@receiver(setting_changed)
def _settings_changed(*, setting, **kwargs):
    if setting in ("TEMPLATES", "NOTIFICATIONS_STRICT_TEMPLATES"):
        _engine.cache_clear()


def engine() -> GuardedEngine:
    return _engine(bool(getattr(settings, "NOTIFICATIONS_STRICT_TEMPLATES", False)))


def render(name: str, context: dict[str, Any]) -> str:
    """Render the template ``name`` with the guarded engine (no request, no context processors)."""
    return engine().get_template(name).render(Context(context))
