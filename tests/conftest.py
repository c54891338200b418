"""repcore and dashboard come from the package installed into the environment (`make test`: editable);
pytest puts tests/ on the path (helpers.py) and `python -m pytest` the repository root (tools/)."""
import multiprocessing as mp

import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture
def no_leftover_processes():
    """Fails the test that leaves a training process running (whatever order the tests run in)."""
    from helpers import children_left
    before = {p.pid for p in mp.active_children()}
    yield
    left = children_left(before)
    assert not left, f"training processes left running: {left}"
