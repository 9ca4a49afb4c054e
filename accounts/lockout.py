"""django-axes, adapted to e-mail logins and to three limits (settings: ``AXES_HANDLER``,
``AXES_USERNAME_CALLABLE``; the reasoning is in docs/security.md).

- ``username``: the address axes counts under is the one the login looks up: stripped and lower-cased, so
  ``X@…`` and `` x@… `` are the same account as ``x@…`` (login is case-insensitive).
- ``LockoutHandler``: axes compares one count with one limit; here each entry of ``AXES_LOCKOUT_PARAMETERS``
  has its own limit (account from one address: ``AXES_FAILURE_LIMIT``; address across accounts:
  ``LOGIN_IP_FAILURE_LIMIT``; account across addresses: ``LOGIN_ACCOUNT_FAILURE_LIMIT``) and the request is
  locked when any of them is reached. A successful login clears only that account's failures from that
  address, so logging in to one's own account does not wipe an address's count across other accounts."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def normalise(value) -> str | None:
    if value is None:
        return None
    return str(value).strip().lower()


def username(request, credentials) -> str | None:
    """AXES_USERNAME_CALLABLE: the normalised address from the credentials, else from the posted form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        return normalise(credentials[field])
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return normalise(data.get(field))


def limit_for(parameter) -> int:
    keys = {parameter} if isinstance(parameter, str) else set(parameter)
    if keys == {"ip_address"}:
        return settings.LOGIN_IP_FAILURE_LIMIT
    if keys == {"username"}:
        return settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    return settings.AXES_FAILURE_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The failures that count towards the limit closest to being reached, in units of
        ``AXES_FAILURE_LIMIT`` (what axes compares with): that limit minus the fewest failures any count has
        left, so the result reaches ``AXES_FAILURE_LIMIT`` exactly when one of the counts reaches its own."""
        base = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        fewest_left = None
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            left = limit_for(parameter) - failures
            fewest_left = left if fewest_left is None else min(fewest_left, left)
        return max(0, base - (fewest_left if fewest_left is not None else base))

    def reset_user_attempts(self, request, credentials=None) -> int:
        name = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=name, ip_address=request.axes_ip_address).delete()
        return count
