"""State changes of the notifications app that views call: one-click links and preferences."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from groups.models import Group
from groups.permissions import group_access
from sessions.models import RSVP, Session
from sessions.services import SessionError, rsvp_set

from .models import GroupNotificationSettings, NotificationPreference, OneClickUse
from .tokens import Action, Link, LinkError


def link_session(link: Link) -> Session | None:
    """The session a link's page may name (group, date, place): only while its recipient is still an
    active member of the session's group."""
    session = link.outbox.session
    if session is None or not group_access(link.outbox.recipient, session.group).is_member:
        return None
    return session


def link_check(link: Link) -> None:
    """Raise LinkError if the link's recipient left the session's group (an answer link then no longer
    works, and its page names nothing of the group), the link was used already or its session is no longer
    open for answers."""
    if link.action in (Action.ATTEND, Action.DECLINE) and link_session(link) is None:
        raise LinkError(code=LinkError.GONE if link.outbox.session else LinkError.CLOSED)
    if OneClickUse.objects.filter(outbox=link.outbox, action=link.action).exists():
        raise LinkError(code=LinkError.USED)
    if link.action in (Action.ATTEND, Action.DECLINE):
        session = link.outbox.session
        if session is None or session.status != Session.Status.PLANNED or session.starts_at <= timezone.now():
            raise LinkError(code=LinkError.CLOSED)


@transaction.atomic
def link_use(*, link: Link, decline_reason: str = "", decline_note: str = "") -> None:
    """Act on a one-click link, once: the use is recorded under a unique constraint in the same
    transaction as the action, so a reused (or double-submitted) link changes nothing."""
    link_check(link)
    try:
        with transaction.atomic():
            OneClickUse.objects.create(outbox=link.outbox, action=link.action)
    except IntegrityError as error:
        raise LinkError(code=LinkError.USED) from error
    user = link.outbox.recipient
    if link.action == Action.UNSUBSCRIBE:
        preference = NotificationPreference.objects.select_for_update().get_or_create(user=user)[0]
        if link.outbox.kind not in preference.disabled_kinds:
            preference.disabled_kinds = [*preference.disabled_kinds, link.outbox.kind]
            preference.save(update_fields=["disabled_kinds", "updated_at"])
        return
    answer = RSVP.Answer.ATTEND if link.action == Action.ATTEND else RSVP.Answer.DECLINE
    try:
        rsvp_set(
            session=link.outbox.session,
            user=user,
            answer=answer,
            decline_reason=decline_reason if answer == RSVP.Answer.DECLINE else "",
            decline_note=decline_note,
        )
    except SessionError as error:
        raise LinkError(code=LinkError.CLOSED) from error


@transaction.atomic
def preferences_set(*, user, disabled_kinds: list[str], digest: bool) -> NotificationPreference:
    preference = NotificationPreference.objects.select_for_update().get_or_create(user=user)[0]
    preference.disabled_kinds = sorted(set(disabled_kinds))
    preference.digest = digest
    preference.full_clean()
    preference.save()
    return preference


@transaction.atomic
def calendar_path_set(*, user, path: str) -> NotificationPreference:
    """Choose how sessions reach the member's calendar: invites (a calendar part in each invite and
    cancellation) or the subscription feed (the same e-mails without one, so no event shows twice)."""
    preference = NotificationPreference.objects.select_for_update().get_or_create(user=user)[0]
    preference.calendar_path = path
    preference.full_clean()
    preference.save()
    return preference


@transaction.atomic
def group_settings_set(
    *, group: Group, disabled_kinds: list[str], no_casus_days: int
) -> GroupNotificationSettings:
    settings_row = GroupNotificationSettings.objects.select_for_update().get_or_create(group=group)[0]
    settings_row.disabled_kinds = sorted(set(disabled_kinds))
    settings_row.no_casus_days = no_casus_days
    settings_row.full_clean()
    settings_row.save()
    return settings_row
