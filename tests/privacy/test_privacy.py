"""Privacy controls through the real stack: the member's data download (zip of JSON + CSV, only their
own records), account deletion per the group policy, the casus access log, and logged retention purges."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casussen.models import Casus
from privacy.models import AnonymousAttendance, CasusAccess, PurgeLog
from privacy.services import SECTIONS
from reflections.models import Reflection
from sessions.models import RSVP, Attendance
from tests.casussen.factories import CasusFactory
from tests.factories import PASSWORD, MembershipFactory
from tests.reflections.factories import reflect
from tests.sessions.factories import SessionFactory, held_session

pytestmark = pytest.mark.django_db


def _fill(world, user, n=4):
    """n casussen, RSVPs, held sessions with attendance and reflections for ``user``."""
    for i in range(n):
        CasusFactory(group=world.group, author=user, title=f"Casus {user.pk}-{i}")
        RSVP.objects.create(session=SessionFactory(group=world.group), user=user, answer="attend")
        session = held_session(world.group, present=[user], ended_ago=timedelta(hours=3 + i))
        reflect(session, user, takeaway=f"Les {user.pk}-{i}", share_takeaway=True)


def _download(client):
    response = client.get(reverse("privacy:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_download_holds_all_and_only_my_data(world, client_for, django_assert_max_num_queries):
    _fill(world, world.member)
    _fill(world, world.facilitator)  # someone else's data in the same sessions and group
    client = client_for(world.member)
    with django_assert_max_num_queries(len(SECTIONS) + 2):  # one query per kind, whatever the amount
        archive = _download(client)
    names = set(archive.namelist())
    assert {"gegevens.json", "casussen.csv", "reflections.csv", "rsvps.csv", "attendance.csv"} <= names
    data = json.loads(archive.read("gegevens.json"))
    assert data["profile"][0]["email"] == world.member.email
    assert "password" not in data["profile"][0]
    assert sorted(c["title"] for c in data["casussen"]) == [f"Casus {world.member.pk}-{i}" for i in range(4)]
    assert sorted(r["takeaway"] for r in data["reflections"]) == [
        f"Les {world.member.pk}-{i}" for i in range(4)
    ]
    assert len(data["rsvps"]) == 4 and len(data["attendance"]) == 4
    assert [m["group__name"] for m in data["memberships"]] == ["Groep Noord"]
    assert str(world.facilitator.pk) not in {str(c.get("author_id")) for c in data["casussen"]}
    raw = archive.read("gegevens.json").decode() + "".join(archive.read(n).decode() for n in names)
    assert f"Casus {world.facilitator.pk}-" not in raw and f"Les {world.facilitator.pk}-" not in raw
    assert world.facilitator.email not in raw
    rows = list(csv.DictReader(io.StringIO(archive.read("casussen.csv").decode())))
    assert len(rows) == 4 and {"title", "kernvraag", "status"} <= set(rows[0])


def test_every_reference_to_a_member_is_in_the_download_or_named_as_left_out():
    from django.apps import apps
    from django.contrib.auth import get_user_model

    from privacy.services import NOT_EXPORTED

    user_model = get_user_model()
    references = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        if model._meta.app_label not in {"admin", "auth", "contenttypes", "sessions"}
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is user_model
    }
    covered = {(section.model._meta.label, section.user_field) for section in SECTIONS}
    assert references - covered - set(NOT_EXPORTED) == set()
    assert covered & set(NOT_EXPORTED) == set()


def test_download_holds_what_the_member_did_in_live_sessions_and_was_sent(world, client_for):
    from casussen.models import Advice, LiveRun, Method, Question
    from notifications.models import Kind, Outbox

    session = SessionFactory(group=world.group)
    casus = CasusFactory(group=world.group, author=world.facilitator, title="Geheime casus")
    run = LiveRun.objects.create(session=session, casus=casus, method=Method.objects.first())
    Question.objects.create(run=run, author=world.member, text="Wat maakt dit lastig voor jou?")
    Question.objects.create(run=run, author=world.facilitator, text="Vraag van een ander")
    Advice.objects.create(run=run, author=world.member, text="Vraag je team om hulp.")
    for user in (world.member, world.facilitator):
        Outbox.objects.create(
            kind=Kind.REMINDER_FIRST,
            recipient=user,
            subject_key=f"session:{session.pk}",
            group=world.group,
            session=session,
            due_at=timezone.now(),
        )
    data = json.loads(_download(client_for(world.member)).read("gegevens.json"))
    assert [q["text"] for q in data["questions"]] == ["Wat maakt dit lastig voor jou?"]
    assert [a["text"] for a in data["advice"]] == ["Vraag je team om hulp."]
    assert [(e["kind"], e["group__name"]) for e in data["emails"]] == [(Kind.REMINDER_FIRST, "Groep Noord")]
    assert "Geheime casus" not in json.dumps(data) and "Vraag van een ander" not in json.dumps(data)


def test_download_csv_files_write_formulas_as_text(world, client_for):
    """An organisation admin names the group; in the member's CSV files that name is text, not a formula."""
    from groups.models import Group

    formula = '=HYPERLINK("http://evil.example","klik")'
    Group.objects.filter(pk=world.group.pk).update(name=formula)
    CasusFactory(group=world.group, author=world.member, title="+31 6 1234")
    archive = _download(client_for(world.member))
    memberships = list(csv.DictReader(io.StringIO(archive.read("memberships.csv").decode())))
    assert [row["group__name"] for row in memberships] == ["'" + formula]
    casussen = list(csv.DictReader(io.StringIO(archive.read("casussen.csv").decode())))
    assert [(row["title"], row["group__name"]) for row in casussen] == [("'+31 6 1234", "'" + formula)]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in casussen for cell in row.values())
    # The JSON file keeps the exact text.
    assert json.loads(archive.read("gegevens.json"))["memberships"][0]["group__name"] == formula


def test_download_for_a_new_user_with_no_data(world, client_for):
    archive = _download(client_for(world.outsider))
    data = json.loads(archive.read("gegevens.json"))
    assert data["casussen"] == [] and data["reflections"] == []
    assert archive.read("casussen.csv").decode().strip() == "id"


def test_delete_with_wrong_password_changes_nothing(world, client_for):
    _fill(world, world.member, n=1)
    client = client_for(world.member)
    response = client.post(reverse("privacy:delete"), {"password": "fout-wachtwoord", "confirm": "on"})
    assert response.status_code == 400
    assert "Dit wachtwoord klopt niet." in response.content.decode()
    response = client.post(reverse("privacy:delete"), {"password": PASSWORD})  # no confirmation ticked
    assert response.status_code == 400
    assert world.member.__class__.objects.filter(pk=world.member.pk).exists()
    assert Casus.objects.filter(author=world.member).count() == 1
    assert PurgeLog.objects.count() == 0


def test_delete_account_follows_the_policy(world, client_for):
    _fill(world, world.member, n=2)
    other = MembershipFactory(group=world.group).user
    draft = CasusFactory(group=world.group, author=world.member, status="draft", submitted_at=None)
    session = held_session(world.group, present=[world.member, other], ended_ago=timedelta(hours=1))
    reflect(session, world.member, takeaway="Mijn les")
    reflect(session, other, takeaway="Blijft staan")
    client = client_for(world.member)
    member_pk = world.member.pk

    response = client.post(reverse("privacy:delete"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert not world.member.__class__.objects.filter(pk=member_pk).exists()
    # casussen: drafts and submitted ones are gone
    assert not Casus.objects.filter(pk=draft.pk).exists()
    assert not Casus.objects.filter(title__startswith=f"Casus {member_pk}-").exists()
    # reflections: anonymous numbers only, no text
    anonymous = Reflection.objects.filter(author__isnull=True)
    assert anonymous.count() == 3
    assert set(anonymous.values_list("takeaway", "share_takeaway", "eye_opener")) == {("", False, "")}
    assert Reflection.objects.get(author=other).takeaway == "Blijft staan"
    # attendance: the rows are gone, the counts stay as anonymous numbers
    assert not Attendance.objects.filter(user_id=member_pk).exists()
    assert AnonymousAttendance.objects.get(session=session, status="present").count == 1
    assert AnonymousAttendance.objects.filter(status="present").count() == 3
    assert Attendance.objects.filter(session=session).count() == 1  # the other member's row is untouched
    log = PurgeLog.objects.get(kind="account")
    assert log.detail == {
        "attendance_anonymised": 3,
        "reflections_anonymised": 3,
        "casussen_deleted": 3,
        "rsvps_deleted": 2,
        "invitations_deleted": 0,
    }
    # (the log holds only these counts: nothing that names or numbers the person)
    # logged out
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_profile_links_the_privacy_page(world, client_for):
    html = client_for(world.member).get(reverse("accounts:profile")).content.decode()
    assert reverse("privacy:overview") in html
    page = client_for(world.member).get(reverse("privacy:overview")).content.decode()
    assert reverse("privacy:export") in page and reverse("privacy:delete") in page


def test_casus_access_is_logged_and_shown_to_author_and_admin(
    world, client_for, django_assert_max_num_queries
):
    casus = CasusFactory(group=world.group, author=world.facilitator, title="Casus Merkteken Zeemeeuw")
    detail = reverse("casussen:detail", kwargs={"casus_id": casus.pk})
    assert client_for(world.member).get(detail).status_code == 200
    assert client_for(world.outsider).get(detail).status_code == 404  # refused openings are not logged
    assert client_for(world.admin).get(detail).status_code == 403
    assert list(CasusAccess.objects.values_list("casus_id", "user_id", "view")) == [
        (casus.pk, world.member.pk, "casussen:detail")
    ]
    for _ in range(6):  # more openings by more people: the log page stays at a fixed number of queries
        client_for(MembershipFactory(group=world.group).user).get(detail)
    log_url = reverse("privacy:casus_access", kwargs={"casus_id": casus.pk})
    pages = {}
    for reader in (world.facilitator, world.admin):
        client = client_for(reader)
        with django_assert_max_num_queries(12):
            response = client.get(log_url)
        assert response.status_code == 200
        pages[reader] = response.content.decode()
        assert world.member.display_name in pages[reader]
    # The author sees which casus it is; the organisation admin, who is no member, only its number.
    assert "Casus Merkteken Zeemeeuw" in pages[world.facilitator]
    assert "Casus Merkteken Zeemeeuw" not in pages[world.admin]
    assert client_for(world.member).get(log_url).status_code == 403
    assert CasusAccess.objects.filter(casus=casus).count() == 7


def test_a_drafts_access_log_is_its_authors_only(world, client_for):
    draft = CasusFactory(
        group=world.group,
        author=world.member,
        title="Concept Merkteken Lijster",
        status="draft",
        submitted_at=None,
    )
    log_url = reverse("privacy:casus_access", kwargs={"casus_id": draft.pk})
    response = client_for(world.member).get(log_url)
    assert response.status_code == 200 and "Concept Merkteken Lijster" in response.content.decode()
    for other in (world.facilitator, world.admin, world.outsider, world.former_member):
        response = client_for(other).get(log_url)
        assert response.status_code == 404  # as on the casus pages: for anyone else the draft does not exist
        assert "Concept Merkteken Lijster" not in response.content.decode()


def test_an_admin_who_is_also_a_member_sees_the_title(world, client_for):
    from groups.models import OrganisationAdmin

    OrganisationAdmin.objects.create(organisation=world.group.organisation, user=world.facilitator)
    casus = CasusFactory(group=world.group, author=world.member, title="Casus Merkteken Reiger")
    response = client_for(world.facilitator).get(
        reverse("privacy:casus_access", kwargs={"casus_id": casus.pk})
    )
    assert response.status_code == 200 and "Casus Merkteken Reiger" in response.content.decode()


def test_a_former_author_no_longer_reads_the_log(world, client_for):
    from groups.services import membership_deactivate

    casus = CasusFactory(group=world.group, author=world.member, title="Casus Merkteken Kievit")
    membership_deactivate(membership=world.membership(world.member))
    response = client_for(world.member).get(reverse("privacy:casus_access", kwargs={"casus_id": casus.pk}))
    assert response.status_code == 404


def test_retention_purge_is_logged(world):
    from privacy import services

    old = SessionFactory(
        group=world.group,
        starts_at=timezone.now() - timedelta(days=3 * 365),
        ends_at=timezone.now() - timedelta(days=3 * 365) + timedelta(hours=2),
    )
    CasusFactory(group=world.group, author=world.member, session=old, status="discussed")
    first = services.purge_expired_logged()
    second = services.purge_expired_logged()
    assert (first.kind, first.count) == ("retention", 1)
    assert second.count == 0  # idempotent: already purged casussen are skipped, the run is still logged
    assert Casus.objects.get(author=world.member).status == "purged"
