"""SDV single-table synthesizers (GaussianCopula, CTGAN, TVAE, CopulaGAN), fitted reproducibly.

SDV is under the Business Source License 1.1: the stage flags it in the report. Its metadata is
given explicitly (`ColumnPlan.metadata`), never detected, and its constraints are SDV 2.x `sdv.cag`
objects. SDV fixes its sampling seed to a constant by default; here sampling is seeded from the run.
"""

from __future__ import annotations

import io
import os
import random
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from typing import TYPE_CHECKING, Any

import numpy as np

from aiflab.errors import StageError

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.synth.columns import ColumnPlan

SDV_SYNTHESIZERS = {"gaussian_copula": "GaussianCopulaSynthesizer", "ctgan": "CTGANSynthesizer",
                    "tvae": "TVAESynthesizer", "copula_gan": "CopulaGANSynthesizer"}
NEURAL = ("ctgan", "tvae", "copula_gan")
TABLE = "table"


@contextmanager
def sdv_environment() -> Iterator[None]:
    """Keep SDV from writing under ``~/.local/share/sdv`` (its logger configuration goes to a
    temporary ``XDG_DATA_HOME``) and from drawing progress bars (on stderr) or printing warnings."""
    saved = os.environ.get("XDG_DATA_HOME")
    with tempfile.TemporaryDirectory(prefix="aiflab-sdv-", ignore_cleanup_errors=True) as folder:
        os.environ["XDG_DATA_HOME"] = folder
        try:
            with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                yield
        finally:
            if saved is None:
                os.environ.pop("XDG_DATA_HOME", None)
            else:
                os.environ["XDG_DATA_HOME"] = saved


@contextmanager
def seeded(seed: int, torch_too: bool) -> Iterator[None]:
    """Seed the global generators that model fitting draws from, and restore them afterwards."""
    state, py_state = np.random.get_state(), random.getstate()
    np.random.seed(seed % 2**32)
    random.seed(seed)
    try:
        if torch_too:
            import torch

            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                yield
        else:
            yield
    finally:
        np.random.set_state(state)
        random.setstate(py_state)


def synthesize(backend: str, train: pd.DataFrame, plan: ColumnPlan, constraints: list[Any], rows: int,
               seed: int, epochs: int, batch_size: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fit the SDV synthesizer `backend` on `train` and sample `rows` rows; return them and the
    synthesizer's parameters as recorded."""
    from aiflab.synth.constraints import to_sdv

    with sdv_environment():
        from sdv import single_table
        from sdv.cag._errors import ConstraintNotMetError
        from sdv.metadata import Metadata

        formats = plan.datetime_formats
        columns = {c: {"sdtype": t, **({"datetime_format": formats[c]} if c in formats else {})}
                   for c, t in plan.sdtypes.items()}
        metadata = Metadata.load_from_dict({"tables": {TABLE: {"columns": columns}}})
        options: dict[str, Any] = {"enforce_min_max_values": True, "enforce_rounding": True}
        if backend in NEURAL:
            options.update(epochs=epochs, batch_size=batch_size, enable_gpu=False)
        synthesizer = getattr(single_table, SDV_SYNTHESIZERS[backend])(metadata, **options)
        try:
            if constraints:
                synthesizer.add_constraints(to_sdv(constraints, plan.sdtypes))
            with seeded(seed, backend in NEURAL):
                synthesizer.fit({TABLE: train[list(plan.sdtypes)]})
            synthesizer._set_random_state(seed)  # SDV otherwise samples from a fixed constant seed
            out = synthesizer.sample(rows)[TABLE]
        except ConstraintNotMetError as exc:
            raise StageError(f"SDV cannot honour the constraints: {exc}") from None
    return out, {"synthesizer": SDV_SYNTHESIZERS[backend], **{k: v for k, v in options.items()
                                                              if k != "enable_gpu"}}
