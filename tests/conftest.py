"""Personas and a small plan, shared by every test. Tests are named by behaviour (test_it_...)."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from civicplan.accounts.models import Role
from tests import factories as f

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Timing belongs in benchmarks: on a busy 2-core CI machine a per-example deadline only makes tests flaky.
hypothesis_settings.register_profile("civicplan", deadline=None, print_blob=True)
hypothesis_settings.load_profile("civicplan")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from civicplan.engagement.results_view import forget_frames
    from civicplan.plans.selectors import forget_built_plans

    cache.clear()
    forget_frames()
    forget_built_plans()  # each test's database starts again, and ids may be reused


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A Spanish request leaves Spanish active in the worker's thread; every test starts (and ends) in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def organization(db):
    return f.make_organization()


@pytest.fixture
def department_a(organization):
    return f.make_department(organization, "PW", name_en="Public Works", name_es="Obras Públicas")


@pytest.fixture
def department_b(organization):
    return f.make_department(
        organization, "CDD", name_en="Community Development", name_es="Desarrollo Comunitario"
    )


@pytest.fixture
def coordinator(department_a):
    return f.make_user("coordinator", Role.COORDINATOR, first_name="Dana", last_name="Coordinator")


@pytest.fixture
def editor_a(department_a):
    return f.make_user("editor-a", Role.EDITOR, department_a)


@pytest.fixture
def editor_b(department_b):
    return f.make_user("editor-b", Role.EDITOR, department_b)


@pytest.fixture
def council_member(db):
    return f.make_user("council", Role.COUNCIL)


@pytest.fixture
def finance(db):
    return f.make_user("finance", Role.FINANCE, first_name="Fran", last_name="Finance")


@pytest.fixture
def viewer(db):
    return f.make_user("viewer", Role.VIEWER)


@pytest.fixture
def resident(db):
    """Signed in, but with no plan role (e.g. a future survey account): reads only the public site."""
    return f.make_user("resident", "")


@pytest.fixture
def plan(organization, department_a, department_b):
    return f.make_small_plan(organization, department_a, department_b)


@pytest.fixture
def adopted_plan(plan, coordinator):
    f.adopt(plan, coordinator)
    return plan


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client
