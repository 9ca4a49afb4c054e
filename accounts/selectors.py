"""Reads of the accounts app that other apps share."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from .models import ProfessionalRegistration, User


def registrations_of(user: User) -> QuerySet[ProfessionalRegistration]:
    return ProfessionalRegistration.objects.filter(user=user).order_by("register", "other_register_name")


def registrations_prefetch(lookup: str = "registrations") -> "Prefetch[Any]":
    """Prefetch the registrations of the users at ``lookup`` (e.g. ``"user__registrations"``) in one
    query, in the order the exports print them."""
    return Prefetch(
        lookup, queryset=ProfessionalRegistration.objects.order_by("register", "other_register_name")
    )


def registrations_label(user: User | None) -> str:
    """A user's registrations as one line ("BIG 12345678901, SKJ 1234"); empty without any. Reads the
    prefetched registrations (``registrations_prefetch``) when they are there."""
    if user is None:
        return ""
    return ", ".join(registration.label for registration in user.registrations.all())
