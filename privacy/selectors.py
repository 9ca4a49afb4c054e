from django.db.models import QuerySet

from .models import CasusAccess


def casus_access_log(casus) -> QuerySet[CasusAccess]:
    return CasusAccess.objects.filter(casus=casus).select_related("user")[:500]
