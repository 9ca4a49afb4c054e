"""The permission matrix: every named URL has rows saying what each role gets.

Each app adds a module ``rows_<app>.py`` here with a ``ROWS`` list of ``Row``; ``test_permission_matrix``
collects them all and fails for any URL in the URLconf without a row.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"  # expected: a redirect to the login page


@dataclass(frozen=True)
class Row:
    name: str  # "namespace:name"
    expect: dict  # role -> status code (int) or LOGIN; roles: anonymous outsider member facilitator admin
    kwargs: Callable = lambda world: {}  # builds URL kwargs from the World (may create objects)
    method: str = "get"
    data: Callable = lambda world: {}
    label: str = ""
    extra_roles: dict = field(default_factory=dict)  # e.g. {"former_member": 404}
    # Called after the request as check(world, role, response): e.g. that a refused POST changed nothing.
    check: Callable | None = None

    @property
    def id(self) -> str:
        return f"{self.name}:{self.method}{'-' + self.label if self.label else ''}"


def standard(view: int = 200, *, member=None, facilitator=None, admin=None, outsider=404, anonymous=LOGIN):
    """A row's expectations for a group page: member/facilitator/admin default to ``view``."""
    return {
        "anonymous": anonymous,
        "outsider": outsider,
        "member": view if member is None else member,
        "facilitator": view if facilitator is None else facilitator,
        "admin": view if admin is None else admin,
    }
