import contextlib

from django.db import transaction


@contextlib.contextmanager
def kept_for_the_module(django_db_blocker):
    """For a module-scoped fixture: what it writes to the test database inside this block stays
    for the module's tests and is rolled back after the last one. Each test, under `db`, runs in a
    savepoint of this transaction as usual, so what a test writes is still undone after it.

    The demo takes seconds to build (hundreds of milestones with their history); a module whose
    tests all start from the same demo builds it once instead of once a test. Every test of such
    a module must ask for the fixture: one that wants an empty database cannot share the module.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
