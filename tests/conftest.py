import multiprocessing as mp

import pytest
import torch

# The repository (repcore, dashboard, tools) and tests/helpers.py are importable through pytest.ini's pythonpath.
torch.set_num_threads(1)


@pytest.fixture
def no_leftover_processes():
    """Fails the test that leaves a training process running (whatever order the tests run in)."""
    from helpers import children_left
    before = {p.pid for p in mp.active_children()}
    yield
    left = children_left(before)
    assert not left, f"training processes left running: {left}"
