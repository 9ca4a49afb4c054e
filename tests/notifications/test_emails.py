"""How the sweep builds e-mails: the batch's shared render gives exactly what a full render per recipient
gives, and ``OutboxEmail`` produces exactly Django's MIME."""

import email.policy
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications import emails, kinds
from notifications.models import Kind, Outbox

from .factories import group_with_members, plan_session

pytestmark = pytest.mark.django_db


def fake_link(outbox_id, action):
    # An '&' and a quote, so a missing (or double) HTML escape of a filled-in link would show.
    return f"https://intervisie.example/l/{outbox_id}/{action}/?x=1&y='2'"


def full_render(row: Outbox) -> tuple[str, str, str]:
    """The message as a straightforward render with the recipient's own context (the reference)."""
    user = row.recipient
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        values = {"group": row.group.name, "when": emails.when(row.session.starts_at), "rule": ""}
        context = {
            "user": user,
            "lead": kinds.spec(row.kind).lead % values,
            "session": row.session,
            "group": row.group,
            "when": values["when"],
            "open_url": emails.session_url(row),
            "unsubscribe_url": fake_link(row.pk, "unsubscribe"),
            "kind_label": row.get_kind_display(),
            "site_url": settings.SITE_URL,
        }
        if row.kind in emails.RSVP_KINDS:
            context["attend_url"] = fake_link(row.pk, "attend")
            context["decline_url"] = fake_link(row.pk, "decline")
        subject = str(kinds.spec(row.kind).subject % values)
        text = render_to_string(emails.TEXT_TEMPLATE, context)
        html = render_to_string(emails.HTML_TEMPLATE, context)
    return subject, text, html


@mock.patch("notifications.emails.link_url", fake_link)
def test_shared_render_fills_in_each_recipient_exactly_like_a_full_render():
    group, _, (anna, bram, carla) = group_with_members(members=3, name="Noord & <Zuid>")
    anna.display_name, anna.preferred_language = "Anna & <Bram's>", "nl"
    bram.display_name, bram.preferred_language = 'Bram "B"', "en"
    carla.display_name, carla.preferred_language = "Carla", ""
    for user in (anna, bram, carla):
        user.save()
    plan_session(group, location="Kamer <2> & 3")
    plan_session(
        group, starts_at=timezone.now() + timedelta(days=20), online_link="https://meet.example/a?b=1&c=2"
    )
    rows = list(
        Outbox.objects.filter(
            kind__in=[Kind.REMINDER_SECOND, Kind.NO_CASUS], recipient__in=(anna, bram, carla)
        )
        .select_related("recipient", "group", "session", "alert")
        .order_by("id")
    )
    assert len(rows) == 12
    shared = emails.Shared()
    for row in rows:
        message = emails.build_message(row, shared=shared)
        subject, text, html = full_render(row)
        assert message.subject == subject
        assert message.body == text
        assert message.alternatives[0].content == html
    # Rendered once per stored language (3) × kind (2) × shape (with a location / with an online link) for
    # the whole batch; group and session details worked out once per session, kind and language (2).
    assert len(shared._templates) == 12
    assert len(shared._values) == 8
    anna_text = emails.build_message(rows[0], shared=shared).body
    # Plain text is not HTML-escaped; the HTML part is.
    assert "Hallo Anna & <Bram's>," in anna_text and "Kamer <2> & 3" in anna_text
    assert "x=1&y='2'" in anna_text
    anna_html = emails.build_message(rows[0], shared=shared).alternatives[0].content
    assert "Anna &amp; &lt;Bram&#x27;s&gt;" in anna_html and "x=1&amp;y=&#x27;2&#x27;" in anna_html


def _same_boundaries(message):
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary(f"boundary-{number}")
    return message


def _as_django(message: emails.OutboxEmail) -> EmailMultiAlternatives:
    twin = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email,
        to=message.to,
        headers=message.extra_headers,
        alternatives=message.alternatives,
        attachments=message.attachments,
    )
    return twin


@pytest.mark.parametrize("kind", [Kind.REMINDER_SECOND, Kind.INVITE])
def test_outbox_email_builds_the_same_mime_as_django(kind):
    group, _, (anna, bram) = group_with_members(members=2, name="Groep met een lange naam, Zeeuws-Vlaanderen")
    anna.display_name = "Ánna Ölçer"
    anna.save()
    plan_session(group, location="Één straat 1")
    rows = Outbox.objects.filter(kind=kind, recipient__in=[anna, bram]).select_related(
        "recipient", "group", "session", "alert"
    )
    shared = emails.Shared()
    for row in rows:
        message = emails.build_message(row, shared=shared)
        message.extra_headers["Date"] = "Tue, 03 Mar 2026 13:00:00 +0000"
        for policy in (email.policy.default, email.policy.SMTP):
            for _ in range(2):  # the second time from the shared header values
                ours_message = _same_boundaries(message.message(policy=policy))
                django_message = _same_boundaries(_as_django(message).message(policy=policy))
                # Except the unsubscribe link: one line as it stands (RFC 8058), where Django folds it.
                unsubscribe = message.extra_headers["List-Unsubscribe"]
                line = f"\nList-Unsubscribe: {unsubscribe}{policy.linesep}"
                assert line.encode() in ours_message.as_bytes()
                del ours_message["List-Unsubscribe"], django_message["List-Unsubscribe"]
                ours, django = ours_message.as_bytes(), django_message.as_bytes()
                assert ours == django
        assert ("uitnodiging.ics" in str(ours)) == (kind == Kind.INVITE)


def test_a_deep_copy_is_independent_and_builds_the_same_message():
    import copy

    group, _, (anna,) = group_with_members(members=1)
    plan_session(group)
    row = Outbox.objects.select_related("recipient", "group", "session", "alert").get(
        kind=Kind.INVITE, recipient=anna
    )
    message = emails.build_message(row)
    message.extra_headers["Date"] = "Tue, 03 Mar 2026 13:00:00 +0000"
    clone = copy.deepcopy(message)
    assert _same_boundaries(clone.message()).as_bytes() == _same_boundaries(message.message()).as_bytes()
    clone.to.append("x@example.org")
    clone.extra_headers["X-Other"] = "1"
    clone.alternatives.append(("<p>x</p>", "text/html"))
    clone.attachments.clear()
    assert message.to == [anna.email] and "X-Other" not in message.extra_headers
    assert len(message.alternatives) == 2 and len(message.attachments) == 1  # HTML and the inline invite
