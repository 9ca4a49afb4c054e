"""The attacker's suite: every app URL (walked from the URLconf) replayed against the victim's objects as
another organisation's admin, a member of another group, a removed member, a member whose invitation was
revoked, and anonymous. GET and POST (plausible form data and empty data) on the victim's ids, one test per
attacker and phase; GET on every id from 50 below to 50 above each victim id, for every attacker, one test
per URL with an id argument. Asserts: no victim marker in any answer (body or header), no 500, and no victim
row (every model, every field) changed, deleted or added to.
"""

import itertools
import os
import time
from collections import defaultdict
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import timezone

from tests.permission_matrix.markers import response_text
from tests.proof.conftest import STATE_APPS

from .conftest import ATTACKER_MAY_READ, ATTACKERS, VICTIM

EXEMPT_NAMESPACES = {"admin"}  # Django admin: its own suite (tests/test_admin_matrix.py)
WALK = 50
# After these the client is logged out (or the password changed): log the attacker in again.
RELOGIN = {"accounts:logout", "privacy:delete", "accounts:password_change", "set_language"}
# Leaks being fixed elsewhere: (attacker, phase) or ("walk", url name) -> reason. Strict: when the fix lands
# the entry must go.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}


def _patterns(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXEMPT_NAMESPACES:
                continue
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", dict(pattern.pattern.converters)


def _future(days=12):
    day = timezone.localdate() + timedelta(days=days)
    return {"day": day.isoformat(), "start_time": "14:00", "end_time": "16:30", "presenter_slots": 1}


def _attendance(attack):
    victim = attack.victim
    start = timezone.localtime(victim.sessions["held"].starts_at)
    data = {
        "started_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ended_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "break_minutes": "0",
    }
    for user in (victim.facilitator, victim.member, victim.member2):
        data[f"status_{user.pk}"] = "absent"
    return data


CASUS = {"title": "Aanvallerstitel", "kernvraag": "Aanvallersvraag?", "situatie": "x", "wish": "advice"}
REFLECTION = {
    **dict.fromkeys(("usefulness", "depth", "candor", "safety", "stayed_intervision", "time_well_used"), 1),
    "takeaway": "Aanvaller",
    "advice_fit": 1,
}
# Plausible form data per URL name (a new URL fails the suite until it has an entry here).
FORMS = {
    "set_language": lambda a: {"language": "en", "next": "/"},
    "home": None,
    "accounts:login": lambda a: {"username": a.victim.member.email, "password": "geraden-wachtwoord"},
    "accounts:logout": lambda a: {},
    "accounts:profile": lambda a: {"display_name": "Aanvaller", "language": "nl"},
    "accounts:password_change": lambda a: {
        "old_password": "geraden-wachtwoord",
        "new_password1": "Een-nieuw-wachtwoord-1",
        "new_password2": "Een-nieuw-wachtwoord-1",
    },
    "accounts:password_change_done": None,
    "accounts:password_reset": lambda a: {"email": "aanvaller@elders.example"},
    "accounts:password_reset_done": None,
    "accounts:password_reset_confirm": lambda a: {
        "new_password1": "x-Y-z-12345",
        "new_password2": "x-Y-z-12345",
    },
    "accounts:password_reset_complete": None,
    "groups:create": lambda a: {
        "organisation": a.victim.organisation.pk,
        "name": "Groep Kaping",
        "size_limit": 8,
        "quorum": 3,
    },
    "groups:detail": lambda a: {"name": "Overgenomen"},
    "groups:settings": lambda a: {"name": "Overgenomen", "size_limit": 8, "quorum": 2},
    "groups:invitations": None,
    "groups:invitation_revoke": lambda a: {},
    "groups:membership_role": lambda a: {"role": "facilitator"},
    "groups:invite": lambda a: {"emails": "handlanger@elders.example", "role": "facilitator"},
    "groups:membership_deactivate": lambda a: {},
    "groups:invitation_resend": lambda a: {},
    "groups:leave": lambda a: {},
    "groups:facilitator_handover": lambda a: {
        "facilitator": a.victim.objects["membership_id"][0],
        "successor": a.victim.objects["membership_id"][-1],
    },
    "groups:invitation_accept": lambda a: {
        "display_name": "Aanvaller",
        "password1": "x",
        "password2": "x",
        "accept": "on",
    },
    "notifications:oneclick": lambda a: {"decline_reason": "busy", "decline_note": "weg"},
    "notifications:preferences": lambda a: {"enabled_sessions": ["invite"], "digest": ""},
    "notifications:group_settings": lambda a: {"enabled": [], "no_casus_days": 30},
    "notifications:calendar_path": lambda a: {"calendar_path": "feed"},
    "casussen:queue": None,
    "casussen:history": None,
    "casussen:create": lambda a: CASUS,
    "casussen:autosave": lambda a: CASUS,
    "casussen:detail": None,
    "casussen:edit": lambda a: CASUS,
    "casussen:submit": lambda a: {},
    "casussen:book": lambda a: {"session": a.victim.sessions["upcoming"].pk},
    "casussen:unbook": lambda a: {},
    "casussen:vote": lambda a: {"session": a.victim.sessions["upcoming"].pk},
    "casussen:summary": lambda a: {"outcome": "x", "takeaways": "Aanvaller", "action_1": "x", "action_2": ""},
    "casussen:session": None,
    "casussen:session_method": lambda a: {"method": ""},
    "casussen:live": None,
    "casussen:poll": None,
    "casussen:live_start": lambda a: {"casus": a.victim.casussen["booked"].pk},
    "casussen:live_step": lambda a: {"action": "next"},
    "casussen:question_add": lambda a: {"text": "Aanvallersvraag"},
    "casussen:question_mark": lambda a: {"opened_eyes": "1"},
    "casussen:advice_add": lambda a: {"text": "Aanvallersadvies"},
    "casussen:parked_add": lambda a: {"text": "Aanvallerspunt"},
    "casussen:attendance": _attendance,  # the old address: redirects to sessions:attendance
    "sessions:attendance": _attendance,
    "sessions:mine": None,
    "sessions:detail": None,
    "sessions:rsvp": lambda a: {"answer": "decline", "decline_reason": "busy"},
    "sessions:presenter_claim": lambda a: {},
    "sessions:presenter_release": lambda a: {},
    "sessions:download": None,
    "sessions:edit": lambda a: _future(),
    "sessions:cancel": lambda a: {"reason": "Aanvaller"},
    "sessions:group_schedule": lambda a: {
        "step": "confirm",
        "fingerprint": "0" * 32,
        "pattern": "weekly",
        "interval": "1",
        "weekly_day": "MO",
        "first_date": timezone.localdate().isoformat(),
        "start_time": "03:00",
        "duration_minutes": 30,
        "horizon_months": 6,
    },
    "sessions:new": lambda a: _future(),
    "sessions:feed_settings": None,
    "sessions:feed_regenerate": lambda a: {},
    "sessions:feed": None,
    "reflections:session": None,
    "reflections:write": lambda a: REFLECTION,
    "reflections:followup": lambda a: {"outcome": "not_applied", "what_changed": "Aanvaller"},
    "reflections:detail": None,
    "reflections:group": None,
    "reflections:health": None,
    "reflections:learning_log": None,
    "reflections:learning_log_csv": None,
    "dashboards:index": None,
    "dashboards:admin": None,
    "dashboards:group": None,
    "dashboards:group_attendance": None,
    "dashboards:presence_list": None,
    "dashboards:member_accreditation": None,
    "dashboards:my_accreditation": None,
    "dashboards:my_accreditation_file": None,
    "privacy:overview": None,
    "privacy:export": None,
    "privacy:delete": lambda a: {"password": "geraden-wachtwoord", "confirm": "on"},
    "privacy:casus_access": None,
    "accounts:registration_save": lambda a: {"register": "skj", "number": "Aanvaller-1"},
    "accounts:registration_delete": lambda a: {},
    "notifications:poll_link": lambda a: {},
    "casussen:advance": lambda a: {"questions": "Aanvallersvraag", "advice": "Aanvallersadvies"},
    "casussen:written": None,
    "casussen:written_setup": lambda a: {"format": "live"},
    "casussen:written_deadline": lambda a: {
        f"d{pk}-due_at": timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
        for pk in a.victim.objects["deadline_id"][:1]
    },
    "casussen:written_contribute": lambda a: {"text": "Aanvallersvraag"},
    "casussen:written_close": lambda a: {},
    "sessions:role_set": lambda a: {"role": "voorzitter", "to": a.victim.member.pk},
    "sessions:group_load": None,
    "sessions:poll_new": lambda a: {"weekday_1": "1", "time_1": "14:00", "weekday_2": "3", "time_2": "09:30"},
    "sessions:poll": None,
    "sessions:poll_answer": lambda a: {"answer": "no"},
    "sessions:poll_confirm": lambda a: {"option": a.victim.objects["option_id"][0]},
    "sessions:poll_close": lambda a: {},
}


def _tokens(attack, role: str, name: str) -> list[str]:
    """What an attacker can put in a token URL: their own old links and feed, the victim's old feed token,
    the revoked member's own (revoked) invitation."""
    from groups.models import Invitation
    from groups.services import invitation_token

    user = attack.attackers[role]
    if name == "notifications:oneclick":
        return [*attack.links.get(role, []), "tampered"]
    if name == "notifications:poll_link":
        return [*attack.poll_links.get(role, []), "tampered"]
    if name == "sessions:feed":
        return [attack.victim.old_feed_token, *([user.feed_token] if user else [])]
    if name == "groups:invitation_accept":
        own = [invitation_token(i) for i in Invitation.objects.filter(email=user.email)] if user else []
        return [*own, "geen-geldige-uitnodiging"]
    return ["geen-geldig-token"]


def _candidates(attack, role: str, name: str, kwarg: str) -> list:
    if kwarg == "token":
        return _tokens(attack, role, name)
    if kwarg == "fmt":
        return ["csv", "pdf"]  # the walk keeps the first
    if kwarg == "uidb64":
        return ["MQ"]
    ids = attack.victim.objects.get(kwarg)
    assert ids, f"{name}: no victim objects for URL argument {kwarg!r} (add them to build_victim)"
    return ids


ID_MODELS = {
    "group_id": "groups.Group",
    "membership_id": "groups.Membership",
    "invitation_id": "groups.Invitation",
    "user_id": "accounts.User",
    "session_id": "meetings.Session",
    "casus_id": "casussen.Casus",
    "question_id": "casussen.Question",
    "reflection_id": "reflections.Reflection",
    "registration_id": "accounts.ProfessionalRegistration",
    "poll_id": "meetings.DatePoll",
    "option_id": "meetings.DatePollOption",
    "deadline_id": "meetings.PhaseDeadline",
}


def _urls(attack, role: str):
    """(url name, url) for every pattern with the victim's objects (every combination of them)."""
    for name, kwargs in _patterns():
        candidates = {kwarg: _candidates(attack, role, name, kwarg) for kwarg in kwargs}
        for values in itertools.product(*candidates.values()):
            yield name, reverse(name, kwargs=dict(zip(kwargs, values, strict=True)))


def _id_kwargs(converters: dict) -> list[str]:
    return [kwarg for kwarg, converter in converters.items() if isinstance(converter, IntConverter)]


# The URLs with an id argument: each has a walk test of its own.
WALKED = {name: converters for name, converters in _patterns() if _id_kwargs(converters)}


def _around(values) -> list[int]:
    """Every id from WALK below to WALK above each victim id (the victim's own are the get phase's)."""
    return sorted({i for v in values for i in range(max(1, v - WALK), v + WALK + 1)} - set(values))


def _walk(attack, role: str, name: str) -> list[str]:
    """The URL with each id argument in turn set to every id around the victim's, the other arguments the
    victim's (its first object)."""
    converters = WALKED[name]
    candidates = {kwarg: _candidates(attack, role, name, kwarg) for kwarg in converters}
    fixed = {kwarg: values[0] for kwarg, values in candidates.items()}
    urls = []
    for kwarg in _id_kwargs(converters):
        assert kwarg in ID_MODELS, f"URL argument {kwarg!r}: name its model in ID_MODELS"
        urls += [reverse(name, kwargs={**fixed, kwarg: i}) for i in _around(candidates[kwarg])]
    return urls


def _state() -> dict:
    state = {}
    for label in STATE_APPS:
        for model in apps.get_app_config(label).get_models():
            pk = model._meta.pk.attname
            state[model._meta.label] = {row[pk]: row for row in model._base_manager.values()}
    return state


# Rows an attacker may add for themself: their e-mail preferences, their own register number.
OWN_ROWS = {"notifications.NotificationPreference", "accounts.ProfessionalRegistration"}


def _changes(before: dict, after: dict, attack) -> list[str]:
    """Victim rows changed, deleted or added. The attacker's own user row and preferences may change."""
    own_users = attack.attacker_user_ids
    found = []
    for label, rows in after.items():
        old = before[label]
        for pk, row in old.items():
            if label == "accounts.User" and pk in own_users:
                continue
            if pk not in rows:
                found.append(f"{label} #{pk} deleted")
            elif rows[pk] != row:
                changed = sorted(k for k in row if rows[pk][k] != row[k])
                found.append(f"{label} #{pk} changed: {changed}")
        for pk, row in rows.items():
            if pk in old:
                continue
            if label in OWN_ROWS and row["user_id"] in own_users:
                continue
            if label == "notifications.OneClickUse" and _own_unsubscribe(row, own_users):
                continue
            found.append(f"{label} #{pk} added: {row}")
    return found


def _own_unsubscribe(row: dict, own_users: set) -> bool:
    """An attacker's own old e-mail may still unsubscribe them (it changes their preferences only)."""
    from notifications.models import Outbox
    from notifications.tokens import Action

    recipient = Outbox.objects.filter(pk=row["outbox_id"]).values_list("recipient_id", flat=True).first()
    return row["action"] == Action.UNSUBSCRIBE and recipient in own_users


def _allowed(role: str, name: str) -> set:
    return ATTACKER_MAY_READ.get((role, None), set()) | ATTACKER_MAY_READ.get((role, name), set())


class Replay:
    def __init__(self, client, attack, role: str):
        self.client, self.attack, self.role = client, attack, role
        self.client.raise_request_exception = False
        self.findings: list[str] = []
        self.requests = 0
        self.seconds = defaultdict(float)
        self.login()

    def login(self):
        user = self.attack.attackers[self.role]
        self.client.logout()
        if user is not None:
            self.client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    def hit(self, method: str, name: str, url: str, data=None):
        self.requests += 1
        started = time.perf_counter()
        response = getattr(self.client, method)(url, data=data or {})
        self.seconds[name] += time.perf_counter() - started
        where = f"{self.role} {method.upper()} {url} ({name}) -> {response.status_code}"
        if response.status_code >= 500:
            self.findings.append(f"{where}: server error")
        body = response_text(response)
        allowed = _allowed(self.role, name)
        leaked = [key for key, text in VICTIM.items() if key not in allowed and text in body]
        if leaked:
            self.findings.append(f"{where}: shows {leaked}")
        if name in RELOGIN:
            self.login()
        return response


def _run(attack, client, role: str, phase: str) -> Replay:
    replay = Replay(client, attack, role)
    if phase == "get":
        for name, url in _urls(attack, role):
            replay.hit("get", name, url)
    else:
        for name, url in _urls(attack, role):
            assert name in FORMS, f"{name}: no plausible form data in tests/attack/test_attack.py FORMS"
            form = FORMS[name]
            replay.hit("post", name, url, form(attack) if form else {})
            replay.hit("post", name, url, {})
    return replay


def _cases():
    for role in ATTACKERS:
        for phase in ("get", "post"):
            reason = KNOWN_LEAKS.get((role, phase))
            marks = pytest.mark.xfail(strict=True, reason=reason) if reason else ()
            yield pytest.param(role, phase, id=f"{role}-{phase}", marks=marks)


@pytest.mark.parametrize(("role", "phase"), list(_cases()))
def test_attacker_reads_and_changes_nothing(role, phase, attack, client):
    before = _state()
    replay = _run(attack, client, role, phase)
    changes = _changes(before, _state(), attack)
    if os.environ.get("ATTACK_TIMINGS"):
        slowest = sorted(replay.seconds.items(), key=lambda item: -item[1])[:8]
        print(role, phase, replay.requests, [(name, round(sec, 1)) for name, sec in slowest])
    assert replay.requests > 0
    assert not replay.findings and not changes, "\n".join(
        [f"{len(replay.findings)} leaks in {replay.requests} requests:", *replay.findings, *changes]
    )


def _walk_cases():
    for name in sorted(WALKED):
        reason = KNOWN_LEAKS.get(("walk", name))
        marks = pytest.mark.xfail(strict=True, reason=reason) if reason else ()
        yield pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize("name", list(_walk_cases()))
def test_ids_around_the_victims_show_and_change_nothing(name, attack, client):
    """GET on every id within WALK of each victim id, for every id argument of the URL, as every attacker."""
    before = _state()
    findings, requests, started = [], 0, time.process_time()
    for role in ATTACKERS:
        replay = Replay(client, attack, role)
        urls = _walk(attack, role, name)
        for url in urls:
            replay.hit("get", name, url)
        findings += replay.findings
        requests += replay.requests
    changes = _changes(before, _state(), attack)
    if os.environ.get("ATTACK_TIMINGS"):
        print(name, requests, f"{time.process_time() - started:.1f} s CPU")
    # Each id argument was walked a full WALK on both sides of its victim ids (fewer only below id 1).
    victim_ids = {kwarg: attack.victim.objects[kwarg] for kwarg in _id_kwargs(WALKED[name])}
    assert all(len(_around(ids)) >= WALK for ids in victim_ids.values()), victim_ids
    assert requests == len(ATTACKERS) * sum(len(_around(ids)) for ids in victim_ids.values())
    assert not findings and not changes, "\n".join(
        [f"{len(findings)} leaks in {requests} requests:", *findings, *changes]
    )


def test_every_url_has_plausible_form_data():
    names = {name for name, _kwargs in _patterns()}
    assert not sorted(names - set(FORMS)), "URLs without form data in FORMS"
    assert not sorted(set(FORMS) - names), "FORMS entries for URLs that do not exist"


def test_the_replay_sees_what_a_victim_member_sees(attack, client):
    """The same replay as the victim's own member finds the markers: the attacker's clean run is not blind."""
    attack.attackers["victim_member"] = attack.victim.member
    replay = Replay(client, attack, "victim_member")
    seen = defaultdict(set)
    for name, url in _urls(attack, "victim_member"):
        body = response_text(client.get(url))
        for key, text in VICTIM.items():
            if text in body:
                seen[key].add(name)
    assert replay.requests == 0  # only the login: the pages were read above
    unseen = sorted(set(VICTIM) - set(seen) - {"casus_draft", "draft_kernvraag", "admin_name", "mail_domain"})
    assert not unseen, f"markers no page shows to a member of the group: {unseen}"
