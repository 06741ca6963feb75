"""Write samples/citizens_messy.csv: seeded messy citizen records from six EU locales.

Run from the repository root: ``python scripts/make_messy_sample.py``. The defects are those of
`aiflab.clean.messy` (mojibake, decimal commas, mixed date formats and languages, national phone
styles, spaced and lower-case IBANs, country names, near and exact duplicates), plus a few empty
cells so that `clean.missing` has something to do. Used by recipes/public-admin-clean.yaml.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aiflab.clean.messy import messy_citizens

ROOT = Path(__file__).resolve().parent.parent
SEED = 2025
PEOPLE = 1200
EMPTY = {"phone": 0.03, "income": 0.02, "city": 0.02}


def main() -> None:
    messy = messy_citizens(PEOPLE, seed=SEED)
    df = messy.df
    rng = np.random.default_rng(SEED)
    for column, share in EMPTY.items():
        df.loc[rng.random(len(df)) < share, column] = None
    path = ROOT / "samples" / "citizens_messy.csv"
    df.to_csv(path, index=False)
    print(f"wrote {path.relative_to(ROOT)}: {len(df)} rows, {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
