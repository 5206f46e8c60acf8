# Fixtures of other test packages that the core's tests use to make records of every kind.
from tests.policies.conftest import make_policy  # noqa: F401
from tests.processes.conftest import make_process, today  # noqa: F401
