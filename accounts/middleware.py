from django.conf import settings
from django.utils import translation


def request_language(request) -> str:
    """The language for this request: the logged-in user's preference, else the language cookie set by
    the switch, else Dutch. The browser's Accept-Language is deliberately ignored: the product is Dutch
    first and English only on request."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.preferred_language:
        return user.preferred_language
    return _cookie_language(request)


def _cookie_language(request) -> str:
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in dict(settings.LANGUAGES):
        return cookie
    return settings.LANGUAGE_CODE


def _activate(request, language: str) -> None:
    translation.activate(language)
    request.LANGUAGE_CODE = language


def language_neutral(view):
    """Marks a view whose answer has no text (the live poll's 204), so the middleware does not load the
    user just to pick a language; such a view activates the language itself when it renders."""
    view.language_neutral = True
    return view


class UserLanguageMiddleware:
    """Activates the request's language (runs after LocaleMiddleware and authentication): the cookie's for
    every response, then the user's preference once the view is known (unless it is language neutral)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _activate(request, _cookie_language(request))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "language_neutral", False):
            _activate(request, request_language(request))
        return None
