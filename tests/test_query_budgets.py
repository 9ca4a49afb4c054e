"""Every named URL has a query budget, measured on a small scene and again with three times the data: the
count stays within the budget and does not grow with the data (an N+1 would)."""

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import query_budgets
from tests.query_budgets import Budget
from tests.query_budgets.scene import Scene
from tests.test_permission_matrix import _named_urls

SMALL = 2  # grown members, sessions, casussen, ... before the first measurement
MORE = 4  # added before the second (three times as much)
ROOT = Path(__file__).resolve().parent.parent


def _all_budgets() -> list[Budget]:
    budgets = []
    for module in pkgutil.iter_modules(query_budgets.__path__):
        if module.name.startswith("budgets_"):
            budgets.extend(importlib.import_module(f"tests.query_budgets.{module.name}").BUDGETS)
    return budgets


BUDGETS = _all_budgets()
MEASURED = [
    pytest.param(
        b, id=b.id, marks=[pytest.mark.xfail(strict=True, reason=b.n_plus_one)] if b.n_plus_one else []
    )
    for b in BUDGETS
    if not b.covered
]


def test_every_url_has_a_budget():
    missing = sorted(_named_urls() - {b.name for b in BUDGETS})
    assert not missing, f"URLs without a query budget (tests/query_budgets/budgets_*.py): {missing}"


def test_every_budget_names_a_real_url():
    unknown = sorted({b.name for b in BUDGETS} - _named_urls())
    assert not unknown, f"Budgets for URLs that do not exist: {unknown}"


def test_budget_ids_are_unique():
    ids = [b.id for b in BUDGETS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("budget", [b for b in BUDGETS if b.covered], ids=lambda b: b.id)
def test_covered_elsewhere_names_a_test_that_measures_it(budget: Budget):
    path, _, test_name = budget.covered.partition("::")
    source = (ROOT / path).read_text()
    assert re.search(rf"^def {re.escape(test_name)}\(", source, re.MULTILINE), budget.covered
    assert f'"{budget.name}"' in source, f"{budget.covered} does not request {budget.name}"


def _measure(scene: Scene, budget: Budget, client_for) -> tuple[int, list[str], str]:
    client = client_for(scene.world.user_for(budget.role))
    url = reverse(budget.name, kwargs=budget.kwargs(scene))
    data = budget.data(scene)
    headers = {"HX-Request": "true"} if budget.htmx else {}
    cache.clear()  # the database path: nothing answered from a cache filled by an earlier request
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, budget.method)(url, data=data, headers=headers)
    assert response.status_code == budget.status, (budget.id, response.status_code)
    return (
        len(queries),
        [q["sql"] for q in queries.captured_queries],
        response.content.decode(errors="replace"),
    )


@pytest.mark.parametrize("budget", MEASURED)
def test_query_budget(budget: Budget, world, client_for):
    scene = Scene(world)
    budget.kwargs(scene)  # build the page's own objects first, so grow() adds to them
    scene.grow(SMALL)
    _measure(scene, budget, client_for)  # warm-up: caches and lazily computed figures
    small, _sql, _body = _measure(scene, budget, client_for)
    scene.grow(MORE)
    _measure(scene, budget, client_for)
    large, sql, body = _measure(scene, budget, client_for)
    if budget.shows is not None:
        assert budget.shows(scene) in body, f"{budget.id}: the grown data is not on the page"
    listing = "\n".join(sql)
    assert large <= small, f"{budget.id}: {small} queries, {large} with three times the data\n{listing}"
    assert large <= budget.max_queries, (
        f"{budget.id}: {large} queries, budget {budget.max_queries}\n{listing}"
    )
