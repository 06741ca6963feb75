"""Write the shipped sample data: `samples/patients.csv` (2,000 rows, seed 42) and its known truth.

    .venv/bin/python scripts/make_samples.py [--out samples]

`patients.truth.json` maps each column to its true privacy role, so a demo can compare what
`discover.pii` finds with the truth. Needs Faker (a development dependency).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from aiflab.fakedata import PEOPLE_TRUTH, people

ROWS, SEED = 2000, 42


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "samples")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    csv = out / "patients.csv"
    people(ROWS, seed=SEED).to_csv(csv, index=False)
    (out / "patients.truth.json").write_text(json.dumps(PEOPLE_TRUTH, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {csv} ({csv.stat().st_size / 1e6:.2f} MB, {ROWS} rows, seed {SEED}) and its truth")


if __name__ == "__main__":
    main()
