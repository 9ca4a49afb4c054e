from django.conf import settings
from django.db import transaction

from .models import User


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unsupported language {language!r}")
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


@transaction.atomic
def user_create(*, email: str, display_name: str, password: str | None, language: str = "nl") -> User:
    user = User(email=email, display_name=display_name, preferred_language=language)
    user.set_password(password) if password else user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_regenerate_feed_token(*, user: User) -> User:
    """A new secret for the user's calendar feed URL: the old URL stops working at once."""
    from .models import new_feed_token

    user.feed_token = new_feed_token()
    user.save(update_fields=["feed_token"])
    return user
