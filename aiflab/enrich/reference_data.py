"""The reference tables shipped with aiflab, and how the country table is built.

``countries``: one row per ISO 3166-1 country (pycountry): alpha-2, alpha-3, numeric code, English
name; `continent`, the area of the country's main IANA time zone (Europe, Africa, America, Asia,
Oceania, Atlantic, Indian, Antarctica; Cyprus is listed under Asia, as in UN M49); EU and EEA
membership and the year of EU accession from the list below (as of 2025). Rebuild the shipped CSV
with ``python -m aiflab.enrich.reference_data``; a test checks it matches.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

REFERENCE_DIR = Path(__file__).parent / "reference"
BUILTIN_TABLES = {"countries": ("countries.csv", "alpha_2")}
"""Name -> (file under reference/, key column)."""

EU_MEMBERS = {
    "BE": 1958, "DE": 1958, "FR": 1958, "IT": 1958, "LU": 1958, "NL": 1958, "DK": 1973, "IE": 1973,
    "GR": 1981, "ES": 1986, "PT": 1986, "AT": 1995, "FI": 1995, "SE": 1995, "CY": 2004, "CZ": 2004,
    "EE": 2004, "HU": 2004, "LV": 2004, "LT": 2004, "MT": 2004, "PL": 2004, "SK": 2004, "SI": 2004,
    "BG": 2007, "RO": 2007, "HR": 2013}
"""The 27 member states of the European Union (2025) and the year each joined (1958: founders)."""

EEA_NON_EU = ("IS", "LI", "NO")
_AREAS = {"Australia": "Oceania", "Pacific": "Oceania"}


def build_countries() -> pd.DataFrame:
    """The country reference table, from pycountry, the IANA zones (pytz) and `EU_MEMBERS`."""
    import pandas as pd
    import pycountry
    import pytz

    rows = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        zones = pytz.country_timezones.get(country.alpha_2, [])
        area = zones[0].split("/")[0] if zones else None
        rows.append({
            "alpha_2": country.alpha_2, "alpha_3": country.alpha_3, "numeric": country.numeric,
            "name": getattr(country, "common_name", None) or country.name,
            "continent": _AREAS.get(area, area),
            "eu_member": country.alpha_2 in EU_MEMBERS,
            "eu_accession_year": EU_MEMBERS.get(country.alpha_2),
            "eea_member": country.alpha_2 in EU_MEMBERS or country.alpha_2 in EEA_NON_EU})
    df = pd.DataFrame(rows)
    df["eu_accession_year"] = df["eu_accession_year"].astype("Int64")
    return df


if __name__ == "__main__":
    REFERENCE_DIR.mkdir(exist_ok=True)
    build_countries().to_csv(REFERENCE_DIR / "countries.csv", index=False)
