"""Who may read a casus's access log: the one place that decides (the view calls ``access_log_view``).

- Its author, while an active member of the casus's group: the log, with the casus's title.
- The organisation's admins: the log of a submitted casus as a number in its group, without its title.
  Who opened which casus is theirs to audit; what a casus says is for the group's members only
  (``Need.MEMBER``), so an admin who is also a member sees the title, one who is not never does.
- A draft's log is its author's only: for everyone else the draft does not exist (404), as on the casus
  pages.
- Anyone else who can see the group gets a 403; who cannot, a 404.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from casussen import permissions as casus_permissions
from groups.permissions import Need, require


@dataclass(frozen=True)
class LogView:
    show_title: bool


def access_log_view(user, casus) -> LogView:
    """How ``user`` may see ``casus``'s access log; raises Http404 or PermissionDenied if not at all."""
    access = require(user, casus.group, Need.VIEW)
    is_author = casus_permissions.is_author(user, casus, access)
    if casus.is_draft and not is_author:
        raise Http404
    if not (is_author or access.is_admin):
        raise PermissionDenied
    return LogView(show_title=access.allows(Need.MEMBER))
