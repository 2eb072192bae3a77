"""The benchmark scripts (bench/) are run by hand, not by the suite: at least each must still load, so a change
to one (a helper renamed or moved) does not leave another broken until someone measures again."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_benchmark_script_loads():
    scripts = sorted(path.stem for path in (ROOT / "bench").glob("*.py"))
    assert {"run", "search", "throughput", "bare", "profile_page"} <= set(scripts)
    loaded = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path[:0] = ['bench']; import {', '.join(scripts)}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "BARE_DATABASE_URL": "sqlite://"})  # bare.py connects when loaded
    assert loaded.returncode == 0, loaded.stderr
