from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Count, Min
from django.utils import timezone

from notifications import conf
from notifications.emails import message_id
from notifications.models import Handover, MailOutage, Outbox, Status


class Command(BaseCommand):
    help = (
        "Show what the notification outbox has due, what is being sent, whether the mail server is out, "
        "which messages are in doubt (may have gone out) and what failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--failed", type=int, default=20, help="How many failed messages to list.")
        parser.add_argument(
            "--hours", type=int, default=24, help="Also count what becomes due within N hours."
        )

    def handle(self, *args, failed, hours, **options):
        now = timezone.now()
        self._outage(now)
        pending = Outbox.objects.filter(status=Status.PENDING)
        due = pending.filter(due_at__lte=now)
        self.stdout.write(f"Due now: {due.count()}")
        for row in due.values("kind").annotate(n=Count("id"), oldest=Min("due_at")).order_by("kind"):
            self.stdout.write(f"  {row['kind']:<20} {row['n']:>7}  oldest {row['oldest']:%Y-%m-%d %H:%M} UTC")
        soon = pending.filter(due_at__gt=now, due_at__lte=now + timedelta(hours=hours)).count()
        self.stdout.write(f"Due within {hours} h: {soon}")
        sending = Outbox.objects.filter(status=Status.SENDING)
        stale = sending.filter(claimed_at__lt=now - conf.sending_timeout()).count()
        self.stdout.write(f"Sending: {sending.count()} (of which stale, from a dead worker: {stale})")
        self.stdout.write(f"Accepted by the mail server, to be marked sent: {Handover.objects.count()}")
        self.stdout.write(f"Held for a digest: {Outbox.objects.filter(status=Status.HELD).count()}")
        self._doubt()
        failures = (
            Outbox.objects.filter(status=Status.FAILED).select_related("recipient").order_by("-claimed_at")
        )
        self.stdout.write(f"Failed: {failures.count()}")
        for row in failures[:failed]:
            self.stdout.write(
                f"  #{row.pk} {row.kind} → {row.to_address} ({row.attempts}×): {row.last_error[:160]}"
            )

    def _outage(self, now) -> None:
        outage = MailOutage.objects.filter(pk=1, failures__gt=0).first()
        if outage is None:
            self.stdout.write("Mail server: reachable (no outage recorded)")
            return
        state = (
            f"sending paused until {outage.paused_until:%Y-%m-%d %H:%M:%S} UTC"
            if outage.paused_until and outage.paused_until > now
            else "the pause is over; the next sweep tries again"
        )
        self.stdout.write(
            f"Mail server: OUTAGE since {outage.since:%Y-%m-%d %H:%M:%S} UTC, {outage.failures} failed "
            f"connection(s) in a row; {state}. Due messages wait without losing attempts. "
            f"Last error: {outage.last_error[:200]}"
        )

    def _doubt(self) -> None:
        """Every message in doubt, with what the mail server's log can confirm: its Message-ID and when it
        was handed over. None is sent again unless a person decides to (admin: resend interrupted)."""
        rows = (
            Outbox.objects.filter(status=Status.DOUBT).select_related("recipient").order_by("handed_over_at")
        )
        self.stdout.write(
            f"In doubt (may have gone out; never resent automatically, check the mail server's log): "
            f"{rows.count()}"
        )
        for row in rows:
            when = f"{row.handed_over_at:%Y-%m-%d %H:%M:%S} UTC" if row.handed_over_at else "unknown"
            self.stdout.write(
                f"  #{row.pk} {row.kind} → {row.to_address}: {row.doubt} ({row.get_doubt_display()}); "
                f"handed over {when}; Message-ID {message_id(row.pk)}"
            )
