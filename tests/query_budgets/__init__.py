"""Query budgets: every named URL has at least one ``Budget`` saying who opens it, how, and the most
queries it may take.

Each area adds a module ``budgets_<area>.py`` here with a ``BUDGETS`` list; ``tests/test_query_budgets.py``
collects them, fails for any URL in the URLconf without a budget, and measures each page on a small scene and
again after ``Scene.grow`` added three times as much of what pages list: the count must stay within the
budget and must not grow with the data (that is what shows an N+1).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    name: str  # "namespace:name"
    role: str  # who opens it: anonymous, outsider, member, facilitator, admin
    max_queries: int
    # Build the URL kwargs / the request data from the Scene. Called before every request, so a POST that
    # changes its object (cancel, book, submit) can make a fresh one each time.
    kwargs: Callable = lambda scene: {}
    method: str = "get"
    data: Callable = lambda scene: {}
    htmx: bool = False  # sent as an htmx request (answered with a fragment)
    status: int = 200
    label: str = ""
    # Measured elsewhere with growing data: "tests/<path>.py::test_name" (the test must exist).
    covered: str = ""
    # Text the grown page must hold (proof that the added data reached it), e.g. the last grown item's title.
    shows: Callable | None = None
    # A known N+1 not fixed yet: the test is expected to fail (strictly: fixing it makes the suite say so).
    n_plus_one: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}:{self.method}{'-' + self.label if self.label else ''}"


def covered(name: str, role: str, test: str) -> Budget:
    """A page whose budget is asserted, small and grown, by ``test`` ("tests/<path>.py::test_name")."""
    return Budget(name, role, 0, covered=test)
