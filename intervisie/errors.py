"""The one type for what the product's rules refuse (docs/style.md, "Errors")."""

from typing import TYPE_CHECKING, ClassVar

from django.core.exceptions import ValidationError

if TYPE_CHECKING:  # django-stubs' name for "a string or a lazy translation" (a dev dependency)
    from django_stubs_ext import StrOrPromise


class DomainError(ValidationError):
    """A change, a link or a typed value that the product's rules refuse. Each app subclasses it
    (``SessionError``, ``CasusError``, ``InvitationError``, …) and its services raise it.

    - ``message``: translated, fit to show where the person acted (never an internal name);
    - ``code``: which rule, one of the subclass's constants where a caller branches on it (an expired
      link answers 410); a subclass's ``MESSAGES`` gives the message of a code raised without one;
    - ``field``: the form field the refusal concerns, or None (shown above the form).

    Being a ``ValidationError``, it is caught by an ``except ValidationError`` around a service and shown
    at its field by ``form.add_error(None, error)`` (or ``sessions.forms.show_service_error``)."""

    MESSAGES: ClassVar[dict[str, "StrOrPromise"]] = {}

    def __init__(
        self, message: "StrOrPromise | None" = None, *, code: str | None = None, field: str | None = None
    ) -> None:
        if message is None:
            if code is None or code not in self.MESSAGES:
                raise TypeError(f"{type(self).__name__} needs a message or one of its MESSAGES codes")
            message = self.MESSAGES[code]
        if field is None:
            super().__init__(message, code=code)
        else:
            super().__init__({field: [ValidationError(message, code=code)]})
        self.message = message
        self.code = code
        self.params = None
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
