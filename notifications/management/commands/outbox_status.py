from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Count, Min
from django.utils import timezone

from notifications import conf
from notifications.models import Handover, Outbox, Status


class Command(BaseCommand):
    help = "Show what the notification outbox has due, what is being sent, and what failed."

    def add_arguments(self, parser):
        parser.add_argument("--failed", type=int, default=20, help="How many failed messages to list.")
        parser.add_argument(
            "--hours", type=int, default=24, help="Also count what becomes due within N hours."
        )

    def handle(self, *args, failed, hours, **options):
        now = timezone.now()
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
        failures = (
            Outbox.objects.filter(status=Status.FAILED).select_related("recipient").order_by("-claimed_at")
        )
        self.stdout.write(f"Failed: {failures.count()}")
        for row in failures[:failed]:
            self.stdout.write(
                f"  #{row.pk} {row.kind} → {row.recipient.email} ({row.attempts}×): {row.last_error[:160]}"
            )
