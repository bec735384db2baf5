import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="package")
def loaded(django_db_setup, django_db_blocker):
    """The demo loaded once for all of this package's tests (in each test process) and
    rolled back after them, as Django's setUpTestData would: loading it takes a minute or
    more, and these tests only read it (each test's own writes are rolled back by `db`).
    Every test here uses it: a test that does not, run while it is open, would run inside
    its transaction (the demo command's own tests are in tests/demo)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", "--quiet-accounts")
        yield
        transaction.set_rollback(True)
