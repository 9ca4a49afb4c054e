"""The login lockout (django-axes through accounts.lockout) against the ways around it: case variants and
whitespace of the address, one guess per account from one address (spraying), guesses for one account from
many addresses, and the right password during a lock. Every attempt goes through the rendered login form."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

from .pages import login

pytestmark = pytest.mark.django_db

WRONG = "niet-het-wachtwoord"


def _failures(**filters) -> int:
    return AccessAttempt.objects.filter(**filters).aggregate(n=Sum("failures_since_start"))["n"] or 0


def _logged_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_case_variants_and_whitespace_count_as_one_account(form_client):
    UserFactory(email="doelwit@example.org")
    variants = ["doelwit@example.org", "Doelwit@Example.org", " DOELWIT@EXAMPLE.ORG ", "doelwit@EXAMPLE.org "]
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [login(form_client, variants[i % len(variants)], WRONG).status_code for i in range(limit)]
    assert statuses == [400] * (limit - 1) + [429]
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"doelwit@example.org"}

    # The right password, in any spelling of the address, neither logs in nor lifts the lock.
    for variant in [*variants, "dOeLwIt@example.org"]:
        response = login(form_client, variant, PASSWORD)
        assert response.status_code == 429
        assert not _logged_in(form_client)
    assert _failures(username="doelwit@example.org") == limit


def test_the_lockout_page_keeps_the_cool_off_and_offers_a_reset(form_client):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(form_client, user.email, WRONG)
    assert response.status_code == 429
    assert response.context["cooloff_minutes"] == settings.AXES_COOLOFF_TIME.total_seconds() // 60
    assert reverse("accounts:password_reset") in response.content.decode()


def test_spraying_one_guess_per_account_from_one_address_is_stopped(form_client):
    limit = settings.LOGIN_IP_FAILURE_LIMIT
    assert limit < 5 * settings.AXES_FAILURE_LIMIT  # the test must stop on the address, not the accounts
    accounts = [UserFactory() for _ in range(limit + 1)]
    statuses = [login(form_client, user.email, WRONG).status_code for user in accounts[:limit]]
    assert statuses == [400] * (limit - 1) + [429]
    assert all(_failures(username=user.email) == 1 for user in accounts[:limit])

    # The address is stopped for every account, even with the right password for a fresh one ...
    assert login(form_client, accounts[limit].email, PASSWORD).status_code == 429
    assert not _logged_in(form_client)
    # ... and only that address: the same account from elsewhere logs in.
    response = login(form_client, accounts[limit].email, PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_guesses_for_one_account_from_many_addresses_lock_the_account(form_client):
    user = UserFactory()
    per_address = settings.AXES_FAILURE_LIMIT
    addresses = -(-settings.LOGIN_ACCOUNT_FAILURE_LIMIT // per_address)
    statuses = []
    for n in range(addresses):
        for _ in range(per_address):
            statuses.append(
                login(form_client, user.email, WRONG, REMOTE_ADDR=f"203.0.113.{n + 1}").status_code
            )
    assert statuses[-1] == 429
    assert _failures(username=user.email) == settings.LOGIN_ACCOUNT_FAILURE_LIMIT

    # Locked for everyone now, also from an address that never failed, also with the right password.
    assert login(form_client, user.email, PASSWORD, REMOTE_ADDR="192.0.2.200").status_code == 429
    assert not _logged_in(form_client)
    # Other accounts are not affected.
    other = UserFactory()
    assert login(form_client, other.email, PASSWORD, REMOTE_ADDR="192.0.2.200").status_code == 302


def test_one_stranger_hammering_cannot_lock_the_owner_out(form_client, client):
    """Attempts during a lock are not counted, so one address never reaches the account-wide limit: the
    owner, elsewhere, logs in."""
    user = UserFactory()
    attempts = settings.LOGIN_ACCOUNT_FAILURE_LIMIT + 5
    statuses = [
        login(form_client, user.email, WRONG, REMOTE_ADDR="203.0.113.66").status_code for _ in range(attempts)
    ]
    assert statuses.count(400) == settings.AXES_FAILURE_LIMIT - 1
    assert _failures(username=user.email) == settings.AXES_FAILURE_LIMIT
    response = login(client, user.email, PASSWORD, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_success_clears_only_that_accounts_failures_from_that_address(form_client):
    own = UserFactory()
    others = [UserFactory() for _ in range(settings.LOGIN_IP_FAILURE_LIMIT - 2)]
    for user in others:
        assert login(form_client, user.email, WRONG).status_code == 400
    assert login(form_client, own.email, WRONG).status_code == 400
    assert login(form_client, own.email, PASSWORD).status_code == 302
    assert _failures(username=own.email) == 0
    assert _failures(ip_address="127.0.0.1") == len(others)  # logging in to one's own account wipes no count
    form_client.logout()

    # Two more guesses at other accounts reach the address's limit.
    assert login(form_client, others[0].email, WRONG).status_code == 400
    assert login(form_client, others[1].email, WRONG).status_code == 429
