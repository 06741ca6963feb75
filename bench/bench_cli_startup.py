"""Start-up time of `aiflab --help` and `aiflab check` against a bare interpreter, in one run.

Target: both under one second (heavy libraries are imported lazily). The baseline is
`python -c pass`, so the ratio shows what aiflab adds to the interpreter's own start-up.

    python bench/bench_cli_startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "recipes" / "health-patients.yaml"


def median_seconds(args: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(args, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    baseline = median_seconds([sys.executable, "-c", "pass"], repeat)
    figures = {
        "python -c pass": baseline,
        "aiflab --help": median_seconds([sys.executable, "-m", "aiflab", "--help"], repeat),
        "aiflab check": median_seconds([sys.executable, "-m", "aiflab", "check", str(RECIPE)], repeat),
    }
    print(f"{'command':<18} {'median s':>9} {'x interpreter':>14} {'target':>8}")
    for command, seconds in figures.items():
        verdict = "" if command == "python -c pass" else ("ok" if seconds < 1.0 else "SLOW")
        print(f"{command:<18} {seconds:>9.3f} {seconds / baseline:>14.1f} {verdict:>8}")
    out = ROOT / "bench" / "results" / "cli_startup.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"repeat": repeat, "median_seconds": figures}, indent=2) + "\n")


if __name__ == "__main__":
    main()
