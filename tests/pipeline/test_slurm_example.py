"""The shipped Slurm example (examples/slurm): the batch script parses, the dask-jobqueue script starts,
and the SLURMCluster it builds writes the job script asked for, without Slurm installed."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "slurm"


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_with_jobqueue", EXAMPLE / "run_with_jobqueue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_batch_script_parses_and_runs_aiflab_on_the_scheduler() -> None:
    script = EXAMPLE / "aiflab-dask.sbatch"
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash\n")
    assert "#SBATCH --nodes=" in text
    assert "dask scheduler --scheduler-file" in text and "dask worker --scheduler-file" in text
    assert 'aiflab run "$recipe" --executor dask --scheduler "$address"' in text


def test_the_jobqueue_script_has_help() -> None:
    done = subprocess.run([sys.executable, str(EXAMPLE / "run_with_jobqueue.py"), "--help"],
                          capture_output=True, text=True, check=True, timeout=60)
    for option in ("--jobs", "--cores", "--memory", "--walltime", "--account", "--queue"):
        assert option in done.stdout


def test_the_example_cluster_writes_the_requested_job_script() -> None:
    pytest.importorskip("dask_jobqueue")
    example = _load_example()
    # no job is submitted (the cluster is never scaled), so this needs no Slurm; the scheduler it starts
    # listens on the loopback interface only
    with example.make_cluster(cores=4, memory="16GiB", walltime="01:30:00", account="proj_x",
                              queue="batch", interface="lo", local_directory="$TMPDIR",
                              prologue=["module load python/3.11"]) as cluster:
        script = cluster.job_script()
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        assert not cluster.workers
    lines = script.splitlines()
    for line in ("#SBATCH -J aiflab-dask", "#SBATCH -A proj_x", "#SBATCH -p batch",
                 "#SBATCH --cpus-per-task=4", "#SBATCH --mem=16G", "#SBATCH -t 01:30:00",
                 "module load python/3.11"):
        assert line in lines, line
    worker = next(line for line in lines if "distributed.cli.dask_worker" in line)
    assert worker.startswith(sys.executable)
    # one single-threaded worker process per core, the job's memory shared between them
    assert "--nworkers 4" in worker and "--nthreads 1" in worker and "--memory-limit 4.00GiB" in worker
    assert "--local-directory $TMPDIR" in worker and "--interface lo" in worker
    assert lines.index(example.WORKER_MEMORY_CONFIG[0]) < lines.index("module load python/3.11")


def test_the_job_prologue_keeps_glibc_memory_settings_in_the_workers(tmp_path: Path) -> None:
    example = _load_example()
    read = "import dask; print(dask.config.get('distributed.nanny.pre-spawn-environ'))"
    script = "\n".join([*example.WORKER_MEMORY_CONFIG, f'"{sys.executable}" -c "{read}"'])
    done = subprocess.run(["bash", "-c", script], check=True, text=True, capture_output=True,
                          env={**os.environ, "TMPDIR": str(tmp_path), "SLURM_JOB_ID": "7"})
    assert "'MALLOC_TRIM_THRESHOLD_': None" in done.stdout
    assert (tmp_path / "aiflab-dask-config-7" / "aiflab.yaml").is_file()
