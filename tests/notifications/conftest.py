from tests.proposals import conftest as proposals_conftest

# The process and proposal fixtures, shared here.
make_process = proposals_conftest.make_process
today = proposals_conftest.today
open_process = proposals_conftest.open_process
make_proposal = proposals_conftest.make_proposal
