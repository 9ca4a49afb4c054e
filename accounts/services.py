from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction

from .lockout import normalise
from .models import ProfessionalRegistration, User, new_feed_token
from .signals import password_reset_requested


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
    user.feed_token = new_feed_token()
    user.save(update_fields=["feed_token"])
    return user


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Someone asked for a reset link for ``email``: announce it for the active account with a password at
    that address, if there is one. Deliberately returns nothing, so no caller can tell whether there was."""
    for user in User.objects.filter(email__iexact=normalise(email), is_active=True):
        if user.has_usable_password():
            password_reset_requested.send(sender=User, user=user)


@transaction.atomic
def account_unlock(*, user: User) -> int:
    """Clear the account's failed logins from every address (its owner just set a new password through the
    link in their mailbox). Returns how many records went."""
    count, _ = AccessAttempt.objects.filter(username=normalise(user.email)).delete()
    return count


def _registration_normalise(register: str, other_register_name: str, number: str) -> tuple[str, str]:
    """The typed name and number as stored: trimmed; a BIG number without spaces or dots (it is printed
    in groups of digits); no register name unless the register is "ander register"."""
    name = (
        " ".join(other_register_name.split()) if register == ProfessionalRegistration.Register.OTHER else ""
    )
    number = number.strip()
    if register == ProfessionalRegistration.Register.BIG:
        number = "".join(number.replace(".", " ").split())
    return name, number


@transaction.atomic
def registration_save(
    *, user: User, register: str, number: str, other_register_name: str = ""
) -> ProfessionalRegistration:
    """Add the member's registration with ``register``, or give the one they have there a new number (a
    member has one number per register; "ander register" is told apart by its name)."""
    name, number = _registration_normalise(register, other_register_name, number)
    existing = user.registrations.select_for_update()
    if register == ProfessionalRegistration.Register.OTHER:
        existing = existing.filter(register=register, other_register_name__iexact=name)
    else:
        existing = existing.filter(register=register)
    registration = existing.first() or ProfessionalRegistration(user=user, register=register)
    registration.other_register_name = name
    registration.number = number
    registration.full_clean()
    registration.save()
    return registration


@transaction.atomic
def registration_delete(*, user: User, registration_id: int) -> None:
    """Remove one of the member's own registrations (another's id is not found)."""
    ProfessionalRegistration.objects.get(user=user, pk=registration_id).delete()
