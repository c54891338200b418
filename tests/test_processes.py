"""tools/processes.py against what the kernel says of processes this test starts: the tree, PSS, CPU time."""
import os
import subprocess
import sys
import time

from tools.processes import children, cpu_s, pss_kb, tree


def test_a_child_is_in_the_tree_with_its_memory_and_cpu_time():
    child = subprocess.Popen([sys.executable, "-c", "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"
                              "time.sleep(30)"])
    try:
        deadline = time.time() + 20
        while cpu_s(child.pid) < 0.25 and time.time() < deadline:
            time.sleep(0.1)
        assert child.pid in [pid for pid, _ in children(os.getpid())] and child.pid in tree(os.getpid())
        assert 0.25 <= cpu_s(child.pid) < 5                    # it spun 0.3 s of CPU, then sleeps
        with open(f"/proc/{child.pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        assert 0 < pss_kb(child.pid) <= rss                    # a share of what is resident, never more
    finally:
        child.kill()
        child.wait()
    assert pss_kb(child.pid) == 0 and cpu_s(child.pid) == 0.0   # gone: nothing, no error
