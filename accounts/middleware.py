from django.conf import settings
from django.utils import translation


def request_language(request) -> str:
    """The language for this request: the logged-in user's preference, else the language cookie set by
    the switch, else Dutch. The browser's Accept-Language is deliberately ignored: the product is Dutch
    first and English only on request."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.preferred_language:
        return user.preferred_language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in dict(settings.LANGUAGES):
        return cookie
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Activates the request's language (runs after LocaleMiddleware and authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return self.get_response(request)
