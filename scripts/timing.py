"""One timed run of the release `preflight` binary, shared by the comparison
scripts: its wall time and its peak memory (from `/usr/bin/time -v` when the
machine has it)."""

import os
import subprocess
import sys
import time


def timed(command, one_core=False):
    """Runs `command` and returns its wall time in seconds and its peak
    resident memory in KiB (`None` without `/usr/bin/time`). Exit codes 0 and
    1 (a no-go decision) are results; any other ends the script.
    `one_core` pins the run to CPU 0 with `taskset`."""
    prefix = ["/usr/bin/time", "-v"] if os.path.exists("/usr/bin/time") else []
    if one_core:
        prefix += ["taskset", "-c", "0"]
    t0 = time.perf_counter()
    run = subprocess.run(prefix + command, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if run.returncode not in (0, 1):
        print(run.stderr, file=sys.stderr)
        sys.exit(f"{command[0]} failed")
    peak_kib = None
    for line in run.stderr.splitlines():
        if "Maximum resident set size" in line:
            peak_kib = int(line.split(":")[1])
    return wall, peak_kib
