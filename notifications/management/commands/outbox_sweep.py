from django.core.management.base import BaseCommand

from notifications.alerts import alert_scan
from notifications.digests import digests_build
from notifications.sweep import recover_stale, send_due


class Command(BaseCommand):
    help = "Run one outbox sweep in this process (for cron-only setups without Celery beat)."

    def add_arguments(self, parser):
        parser.add_argument("--scan", action="store_true", help="Run the attendance-alert scan first.")
        parser.add_argument("--digests", action="store_true", help="Build today's digests first.")

    def handle(self, *args, scan, digests, **options):
        if scan:
            result = alert_scan()
            self.stdout.write(f"Alerts opened: {len(result.opened)}, closed: {result.closed}")
        if digests:
            self.stdout.write(f"Digests queued: {len(digests_build())}")
        recovered = recover_stale()
        sent = send_due(budget_seconds=float("inf"))
        self.stdout.write(
            f"Sent: {sent} (dead claims: {recovered.sent} sent before the sender died, "
            f"{recovered.interrupted} interrupted, {recovered.released} released)"
        )
