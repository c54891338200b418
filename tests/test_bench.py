"""The speed benchmark runs (numbers are not asserted: timing stays out of pass/fail tests)."""
import json

import pytest

from repcore.bench.__main__ import main


@pytest.mark.slow
def test_quick_benchmark_reports_every_ratio(capsys):
    assert main(["--quick", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("engine_vs_bare", "repnet_vs_vanilla", "side_by_side_vs_one", "noise_floor"):
        assert out[key] > 0
    assert {"one_ms", "serial_ms", "processes_ms"} <= out["side_by_side"].keys()
    assert out["worker_start"]["forkserver_s"] > 0 and out["worker_start"]["spawn_s"] > 0
    assert len(out["scaling"]) == 2 and all(r["ms"] > 0 for r in out["scaling"])
