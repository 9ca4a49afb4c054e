"""E-mail templates fail loudly (notifications/mailtemplates.py): the shared template is rendered once with
placeholders, so a filter or attribute on a placeholder raises instead of giving wrong mail; every kind's
shared render equals a full render with its real values (strict: an unknown variable raises too)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.template import engines
from django.template.base import FilterExpression, Node
from django.template.loader import render_to_string
from django.templatetags.i18n import BlockTranslateNode
from django.utils import timezone, translation

from notifications import emails, kinds, mailtemplates, sweep
from notifications.models import Alert, Kind, Outbox, Status
from sessions.models import Session

from .factories import group_with_members, plan_session

pytestmark = pytest.mark.django_db

SHARED = [entry for entry in kinds.REGISTRY if entry.template == kinds.MESSAGE_TEMPLATE]


def fake_link(outbox_id, action):
    return f"https://intervisie.example/l/{outbox_id}/{action}/?x=1&y='2'"


def _extra(kind: str) -> dict:
    if kind == Kind.DIGEST:
        return {"items": [{"label": "eerste herinnering", "group": "Noord & Zuid", "when": "maandag"}]}
    if kind == Kind.ADMIN_DIGEST:
        return {"items": [{"label": "opkomst daalt", "group": "Noord", "when": ""}]}
    if kind == Kind.ATTENDANCE_ALERT:
        return {"alert_text": "De opkomst daalt <sterk> & snel."}
    if kinds.spec(kind).casus_title:
        return {"casus_titles": ["Een lastig gesprek", "Grenzen & <ruimte>"]}
    return {}


def _row(kind: str, world) -> Outbox:
    group, anna, session, alert = world
    if kind == Kind.CANCELLATION:  # the reason line shows for a cancelled session
        Session.objects.filter(pk=session.pk).update(
            status=Session.Status.CANCELLED, cancellation_reason="Ziek & <zwak>"
        )
    about_a_group = kind not in (Kind.DIGEST, Kind.ADMIN_DIGEST)
    row = Outbox.objects.create(
        kind=kind,
        recipient=anna,
        subject_key=f"test:{kind}",
        due_at=timezone.now(),
        group=group if about_a_group else None,
        session=session if about_a_group and kind != Kind.ATTENDANCE_ALERT else None,
        alert=alert if kind == Kind.ATTENDANCE_ALERT else None,
    )
    return Outbox.objects.select_related("recipient", "group", "session", "alert").get(pk=row.pk)


def full_render(row: Outbox, extra: dict) -> tuple[str, str, str]:
    """The message rendered straightforwardly, with the real values and Django's own engine."""
    entry, user = kinds.spec(row.kind), row.recipient
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        texts = {
            "group": row.group.name if row.group_id else "",
            "when": emails.when(row.session.starts_at) if row.session_id else "",
            "rule": row.alert.get_rule_display() if row.alert_id else "",
        }
        context = {
            "user": user,
            "lead": (entry.feed_lead if extra.get("calendar_feed") else entry.lead) % texts,
            "session": row.session,
            "group": row.group,
            "when": texts["when"],
            "open_url": emails.session_url(row),
            "unsubscribe_url": fake_link(row.pk, "unsubscribe"),
            "kind_label": row.get_kind_display(),
            "site_url": settings.SITE_URL,
            **extra,
        }
        if entry.rsvp:
            context["attend_url"] = fake_link(row.pk, "attend")
            context["decline_url"] = fake_link(row.pk, "decline")
        subject = str(entry.subject % texts)
        text = render_to_string(emails.TEXT_TEMPLATE, context)
        html = render_to_string(emails.HTML_TEMPLATE, context)
    return subject, text, html


@pytest.fixture
def scene():
    group, _, (anna,) = group_with_members(members=1, name="Noord & <Zuid>")
    anna.display_name = "Anna & <Bram's>"
    anna.save()
    session = plan_session(
        group,
        starts_at=timezone.now() + timedelta(days=9),
        location="Kamer <2> & 3",
        online_link="https://meet.example/a?b=1&c=2",
    )
    alert = Alert.objects.create(group=group, rule=Alert.Rule.TREND)
    return group, anna, session, alert


@pytest.mark.parametrize("entry", SHARED, ids=lambda entry: entry.value)
@pytest.mark.parametrize("language", ["nl", "en"])
@mock.patch("notifications.emails.link_url", fake_link)
def test_each_kinds_shared_render_is_its_full_render(entry, language, scene):
    assert settings.NOTIFICATIONS_STRICT_TEMPLATES  # an unknown variable raises (intervisie/settings_test.py)
    scene[1].preferred_language = language
    scene[1].save()
    row = _row(entry.value, scene)
    extra = _extra(entry.value)
    message = emails.build_message(row, extra=extra)
    subject, text, html = full_render(row, extra)
    assert (message.subject, message.body, message.alternatives[0].content) == (subject, text, html)


@pytest.mark.parametrize(
    "source",
    [
        "{{ when|upper }}",
        "{{ when|default:'x' }}",
        "{{ user.display_name|truncatechars:3 }}",
        "{{ group.name.upper }}",
        "{{ open_url|urlencode }}",
        "{% if when|length %}x{% endif %}",
        "{{ session.location|slice:':2' }}",
    ],
)
def test_a_filter_or_attribute_on_a_placeholder_raises(source):
    p = emails.PLACEHOLDERS
    context = {
        "when": p[emails.WHEN],
        "user": {"display_name": p[emails.NAME]},
        "group": {"name": p[emails.GROUP]},
        "open_url": p[emails.OPEN],
        "session": {"location": p[emails.LOCATION]},
    }
    template = mailtemplates.engine().from_string(source)
    with pytest.raises(mailtemplates.PlaceholderMisuse):
        template.render(mailtemplates.Context(context))
    bare = mailtemplates.engine().from_string("{{ when }}|{{ user.display_name }}|{{ open_url }}")
    assert bare.render(mailtemplates.Context(context)) == f"{emails.WHEN}|{emails.NAME}|{emails.OPEN}"


def test_an_unknown_variable_in_the_shared_template_raises():
    with pytest.raises(mailtemplates.PlaceholderMisuse):
        mailtemplates.engine().from_string("{{ whne }}").render(mailtemplates.Context({}))


def _expressions(node: Node):
    """The filter expressions a node evaluates: its variable, a blocktranslate's ``with`` values, an if's
    conditions, a for's sequence."""
    if hasattr(node, "filter_expression"):
        yield node.filter_expression
    if isinstance(node, BlockTranslateNode):
        yield from node.extra_context.values()
    if hasattr(node, "sequence"):
        yield node.sequence
    for condition, _nodelist in getattr(node, "conditions_nodelists", ()):
        stack = [condition]
        while stack:
            part = stack.pop()
            if part is None:
                continue
            if isinstance(getattr(part, "value", None), FilterExpression):
                yield part.value
            stack += [getattr(part, "first", None), getattr(part, "second", None)]


@pytest.mark.parametrize(
    "name", sorted({f"{entry.template}.{ext}" for entry in SHARED for ext in ("txt", "html")})
)
def test_every_placeholder_in_the_shared_templates_is_used_bare(name):
    """Every branch, also those no test scene renders: a placeholder's path never has a filter."""
    template = engines["django"].engine.get_template(name)
    used = set()
    for node in template.nodelist.get_nodes_by_type(Node):
        for expression in _expressions(node):
            path = getattr(expression.var, "var", None)
            if path in mailtemplates.PLACEHOLDER_PATHS:
                used.add(path)
                assert not expression.filters, f"{name}: {{{{ {expression.token} }}}} filters a placeholder"
    assert used  # the walk found the placeholders


def test_a_misused_placeholder_in_a_real_template_fails_the_message_instead_of_sending_it(settings, tmp_path):
    (tmp_path / "notifications" / "email").mkdir(parents=True)
    for ext in ("txt", "html"):
        (tmp_path / "notifications" / "email" / f"message.{ext}").write_text("{{ when|upper }} {{ lead }}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    group, _, (anna,) = group_with_members(members=1)
    session = plan_session(group, starts_at=timezone.now() + timedelta(days=1, hours=1))
    row = Outbox.objects.get(kind=Kind.REMINDER_SECOND, recipient=anna, session=session)
    Outbox.objects.filter(pk=row.pk).update(due_at=timezone.now())
    sweep.send_due(ids=[row.pk])
    row.refresh_from_db()
    assert mail.outbox == []
    assert row.status == Status.PENDING and row.last_error.startswith("PlaceholderMisuse: {{ when }}")
