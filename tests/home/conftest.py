from __future__ import annotations

from tests.processes import conftest as processes_conftest
from tests.proposals import conftest as proposals_conftest

# The processes and proposals fixtures, shared here.
make_process = processes_conftest.make_process
today = processes_conftest.today
make_proposal = proposals_conftest.make_proposal
