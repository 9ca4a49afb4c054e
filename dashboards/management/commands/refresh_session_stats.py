from django.core.management.base import BaseCommand

from sessions.models import Session

from ...services import session_stats_refresh


class Command(BaseCommand):
    help = "Recompute the dashboards' per-session figures (all sessions, or one group's with --group)."

    def add_arguments(self, parser):
        parser.add_argument("--group", type=int, help="only the sessions of this group id")

    def handle(self, *args, group=None, **options):
        sessions = Session.objects.all()
        if group is not None:
            sessions = sessions.filter(group_id=group)
        written = session_stats_refresh(session_ids=sessions.values_list("pk", flat=True))
        self.stdout.write(f"Figures of {written} sessions recomputed.")
