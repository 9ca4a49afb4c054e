from . import LOGIN, Row, standard

EVERYONE_LOGGED_IN = {"anonymous": LOGIN, "outsider": 200, "member": 200, "facilitator": 200, "admin": 200}


def _group(world):
    return {"group_id": world.group.pk}


def _public(status):
    return dict.fromkeys(("anonymous", "outsider", "member", "facilitator", "admin"), status)


def _reminder_link(action):
    def kwargs(world):
        from datetime import timedelta

        from django.utils import timezone

        from notifications.models import Kind, Outbox
        from notifications.tokens import make_token
        from sessions.models import Session

        start = timezone.now() + timedelta(days=10)
        session = Session.objects.create(
            group=world.group, starts_at=start, ends_at=start + timedelta(hours=2)
        )
        row = Outbox.objects.create(
            kind=Kind.REMINDER_FIRST,
            recipient=world.member,
            subject_key=f"session:{session.pk}",
            group=world.group,
            session=session,
            due_at=start - timedelta(days=7),
        )
        return {"token": make_token(row.pk, action)}

    return kwargs


ROWS = [
    # One-click links: the signed token is the key (works without logging in); GET shows a confirm page.
    Row("notifications:oneclick", _public(200), kwargs=_reminder_link("attend"), label="attend"),
    Row("notifications:oneclick", _public(200), kwargs=_reminder_link("unsubscribe"), label="unsubscribe"),
    Row(
        "notifications:oneclick", _public(200), kwargs=_reminder_link("attend"), method="post", label="attend"
    ),
    Row("notifications:oneclick", _public(400), kwargs=lambda w: {"token": "tampered"}, label="tampered"),
    Row("notifications:preferences", EVERYONE_LOGGED_IN),
    Row(
        "notifications:preferences",
        {**_public(302), "anonymous": LOGIN},
        method="post",
        data=lambda w: {"enabled": ["invite"], "digest": ""},
    ),
    Row(
        "notifications:group_settings",
        standard(member=403, view=200),
        kwargs=_group,
        extra_roles={"former_member": 404},
    ),
    Row(
        "notifications:group_settings",
        standard(member=403, view=302),
        kwargs=_group,
        method="post",
        data=lambda w: {"enabled": ["invite"], "no_casus_days": 5},
        extra_roles={"former_member": 404},
    ),
]
