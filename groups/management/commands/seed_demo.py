from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import User
from groups.models import Group, Membership, Organisation, OrganisationAdmin

DEMO_PASSWORD = "intervisie-demo"  # noqa: S105 - printed on purpose: demo accounts only
DEMO_DOMAIN = "demo.intervisie.nl"


class Command(BaseCommand):
    help = "Fill a demo organisation (two groups, a facilitator, six members, an admin) and print the logins."

    @transaction.atomic
    def handle(self, *args, **options):
        organisation, _ = Organisation.objects.get_or_create(slug="demo", defaults={"name": "Demo Zorggroep"})
        people = {
            "beheerder": ("Bea Beheer", True),
            "begeleider": ("Frank Faciliteert", False),
            "anna": ("Anna de Vries", False),
            "bram": ("Bram Jansen", False),
            "chantal": ("Chantal Bakker", False),
            "daan": ("Daan Visser", False),
            "eva": ("Eva Smit", False),
            "fatima": ("Fatima El Amrani", False),
        }
        users = {}
        password_hash = None  # hashed once for every new account: a PBKDF2 run costs about 0.3 s
        for key, (name, is_staff) in people.items():
            email = f"{key}@{DEMO_DOMAIN}"
            user = User.objects.filter(email=email).first()
            if user is None:
                password_hash = password_hash or make_password(DEMO_PASSWORD)
                user = User(email=email, display_name=name, password=password_hash)
            user.is_staff = is_staff
            user.save()
            users[key] = user
        OrganisationAdmin.objects.get_or_create(organisation=organisation, user=users["beheerder"])

        groups = [
            ("Intervisie Wijkteam Noord", ["anna", "bram", "chantal", "daan"]),
            ("Intervisie Jeugdzorg", ["daan", "eva", "fatima", "anna"]),
        ]
        now = timezone.now()
        # Members since before the demo's two years of history.
        joined = now - timedelta(weeks=110)
        for name, member_keys in groups:
            group, _ = Group.objects.get_or_create(
                organisation=organisation,
                name=name,
                defaults={"description": "Demogroep", "default_location": "Stadskantoor, kamer 2.14"},
            )
            roles = [("begeleider", Membership.Role.FACILITATOR)] + [
                (k, Membership.Role.MEMBER) for k in member_keys
            ]
            for key, role in roles:
                Membership.objects.get_or_create(
                    user=users[key],
                    group=group,
                    defaults={"role": role, "agreements_accepted_at": now, "joined_at": joined},
                )
            for seeder in settings.DEMO_SEEDERS:
                import_string(seeder)(group=group, users=users)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Log in with any of these (password for all: {DEMO_PASSWORD}):"
            )
        )
        for key, (name, _is_staff) in people.items():
            role = {"beheerder": "beheerder (admin)", "begeleider": "intervisiebegeleider"}.get(
                key, "deelnemer"
            )
            self.stdout.write(f"  {key + '@' + DEMO_DOMAIN:<32} {name:<20} {role}")
