from . import LOGIN, Row, logged_in, markers, public, standard

EVERYONE_LOGGED_IN = logged_in(200)


def _group(world):
    return {"group_id": world.group.pk}


def _reminder_link(action, *, recipient="member", marked=False):
    """A one-click link from a reminder to ``recipient`` (for the marked session, or a new one)."""

    def kwargs(world):
        from datetime import timedelta

        from django.utils import timezone

        from notifications.models import Kind, Outbox
        from notifications.tokens import make_token
        from tests.sessions.factories import SessionFactory

        if marked:
            session = markers.marked(world)["session"]
            start = session.starts_at
        else:
            start = timezone.now() + timedelta(days=10)
            session = SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
        row = Outbox.objects.create(
            kind=Kind.REMINDER_FIRST,
            recipient=getattr(world, recipient),
            subject_key=f"session:{session.pk}",
            group=world.group,
            session=session,
            due_at=start - timedelta(days=7),
        )
        return {"token": make_token(row.pk, action)}

    return kwargs


ROWS = [
    # One-click links: the signed token is the key (works without logging in); GET shows a confirm page.
    # The page is the recipient's: it names them, their group and the session, to whoever holds the link.
    Row(
        "notifications:oneclick",
        public(200),
        kwargs=_reminder_link("attend"),
        label="attend",
        seen_as="member",
    ),
    Row(
        "notifications:oneclick",
        public(200),
        kwargs=_reminder_link("attend", marked=True),
        label="marked",
        seen_as="member",
        shows=("group", "location"),
    ),
    # A removed member's old link names no group, date or place any more.
    Row(
        "notifications:oneclick",
        public(410),
        kwargs=_reminder_link("attend", recipient="former_member", marked=True),
        label="former-member",
        seen_as="former_member",
    ),
    Row(
        "notifications:oneclick",
        public(410),
        kwargs=_reminder_link("attend", recipient="former_member", marked=True),
        method="post",
        label="former-member",
        seen_as="former_member",
    ),
    Row(
        "notifications:oneclick",
        public(200),
        kwargs=_reminder_link("unsubscribe"),
        label="unsubscribe",
        seen_as="member",
    ),
    Row(
        "notifications:oneclick",
        public(200),
        kwargs=_reminder_link("attend"),
        method="post",
        label="attend",
        seen_as="member",
    ),
    Row("notifications:oneclick", public(400), kwargs=lambda w: {"token": "tampered"}, label="tampered"),
    Row("notifications:preferences", EVERYONE_LOGGED_IN),
    Row(
        "notifications:preferences",
        {**public(302), "anonymous": LOGIN},
        method="post",
        data=lambda w: {"enabled_sessions": ["invite"], "digest": ""},
    ),
    # The calendar path (invites or feed), chosen on the feed settings page; POST only.
    Row(
        "notifications:calendar_path",
        {**public(302), "anonymous": LOGIN},
        method="post",
        data=lambda w: {"calendar_path": "feed"},
    ),
    Row(
        "notifications:calendar_path",
        {**public(400), "anonymous": LOGIN},
        method="post",
        data=lambda w: {"calendar_path": "both"},
        label="invalid",
    ),
    Row("notifications:calendar_path", public(405), label="get-not-allowed"),
    Row(
        "notifications:group_settings",
        standard(member=403, view=200),
        kwargs=_group,
    ),
    Row(
        "notifications:group_settings",
        standard(member=403, view=302),
        kwargs=_group,
        method="post",
        data=lambda w: {"enabled": ["invite"], "no_casus_days": 5},
    ),
]


def _poll_link(*, recipient="member", answer="yes"):
    """A date poll answer link from the e-mail to ``recipient`` (a poll of the group's session)."""

    def kwargs(world):
        from datetime import timedelta

        from django.utils import timezone

        from notifications.models import Kind, Outbox
        from notifications.tokens import poll_link_url
        from sessions import polls
        from tests.sessions.factories import SessionFactory

        start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
        session = SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
        poll = polls.poll_open(
            group=world.group,
            created_by=world.facilitator,
            session=session,
            moments=[start + timedelta(days=7), start + timedelta(days=8)],
        )
        user = getattr(world, recipient)
        row = Outbox.objects.filter(kind=Kind.DATE_POLL, recipient=user).first() or Outbox.objects.create(
            kind=Kind.DATE_POLL,
            recipient=user,
            subject_key=f"poll:{poll.pk}",
            group=world.group,
            session=session,
            details={"poll": poll.pk},
            due_at=timezone.now(),
        )
        url = poll_link_url(row.pk, poll.options.first().pk, answer)
        return {"token": url.rstrip("/").rsplit("/", 1)[1]}

    return kwargs


ROWS += [
    # Date poll answers from the e-mail: the token is the key; GET confirms, POST records.
    Row("notifications:poll_link", public(200), kwargs=_poll_link(), seen_as="member", shows=("group",)),
    Row("notifications:poll_link", public(200), kwargs=_poll_link(), method="post", seen_as="member"),
    # A removed member's old link answers nothing and names no group.
    Row(
        "notifications:poll_link",
        public(410),
        kwargs=_poll_link(recipient="former_member"),
        label="former-member",
        seen_as="former_member",
    ),
    Row("notifications:poll_link", public(400), kwargs=lambda w: {"token": "tampered"}, label="tampered"),
]
