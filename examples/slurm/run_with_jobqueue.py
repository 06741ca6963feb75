#!/usr/bin/env python
"""Run an aiflab recipe on Slurm with dask-jobqueue.

This script starts a Dask scheduler in its own process and submits Slurm jobs, each running Dask
workers (one single-threaded worker process per core by default). It waits for the workers, runs the
recipe through the aiflab Python API on that cluster, and cancels the jobs at the end. Run it where
the compute nodes can reach this host (a login node, or a small job of its own). The output and the
reports go to the recipe's paths, on storage that the workers share (they write the output's parts).

    python run_with_jobqueue.py recipes/health-anonymise.yaml --jobs 4 --cores 16 --memory 64GiB \\
        --walltime 02:00:00 --account my_project --queue batch

Needs `pip install dask-jobqueue` (pinned in aiflab's requirements.lock).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

WORKER_MEMORY_CONFIG = (
    'export DASK_CONFIG="${TMPDIR:-/tmp}/aiflab-dask-config-$SLURM_JOB_ID"',
    'mkdir -p "$DASK_CONFIG"',
    r"printf 'distributed:\n  nanny:\n    pre-spawn-environ:\n      MALLOC_TRIM_THRESHOLD_: null\n' "
    '> "$DASK_CONFIG/aiflab.yaml"',
)
"""Job script lines that keep glibc's memory settings in the workers: with Dask's default
MALLOC_TRIM_THRESHOLD_=65536 every large array is mapped afresh and partitions ran 35-40% slower
(aiflab trims between partitions instead)."""


def make_cluster(cores: int, memory: str, walltime: str, account: str | None = None,
                 queue: str | None = None, processes: int | None = None, interface: str | None = None,
                 local_directory: str | None = None, log_directory: str | None = None,
                 prologue: Sequence[str] = ()) -> Any:
    """A dask_jobqueue.SLURMCluster whose every Slurm job has `cores` CPUs and `memory` (e.g. "64GiB").

    `processes` worker processes per job (default: one per core, one thread each: aiflab's steps are
    pandas code that holds the GIL). No job is submitted until the cluster is scaled. The scheduler
    (here) does not steal work: aiflab reads each partition on a worker in turn and the workers
    remember the text analyses of the partitions they ran. The workers' statistical profiler is off
    (it took 10-15% of their time on spaCy's deep stacks), and each job's prologue first gives its
    workers glibc's own memory settings (`WORKER_MEMORY_CONFIG`).
    """
    import dask
    from dask_jobqueue import SLURMCluster

    dask.config.set({"distributed.scheduler.work-stealing": False,
                     "distributed.worker.profile.enabled": False})
    return SLURMCluster(
        cores=cores, memory=memory, processes=processes or cores, walltime=walltime,
        account=account, queue=queue, interface=interface, local_directory=local_directory,
        log_directory=log_directory, job_script_prologue=[*WORKER_MEMORY_CONFIG, *prologue],
        job_name="aiflab-dask")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run an aiflab recipe on Dask workers submitted as Slurm jobs (dask-jobqueue).")
    parser.add_argument("recipe", type=Path, help="the recipe YAML file")
    parser.add_argument("--jobs", type=int, default=2, help="Slurm jobs to submit (default: 2)")
    parser.add_argument("--cores", type=int, required=True, help="CPUs per job")
    parser.add_argument("--memory", required=True, help="memory per job, e.g. 64GiB")
    parser.add_argument("--walltime", required=True, help="time limit per job, e.g. 02:00:00")
    parser.add_argument("--account", help="Slurm account to charge (#SBATCH -A)")
    parser.add_argument("--queue", help="Slurm partition (#SBATCH -p)")
    parser.add_argument("--processes", type=int, help="worker processes per job (default: one per core)")
    parser.add_argument("--interface", help="network interface of scheduler and workers, e.g. ib0")
    parser.add_argument("--local-directory", help="node-local scratch for worker spill files, e.g. $TMPDIR")
    parser.add_argument("--log-directory", help="where Slurm writes the jobs' stdout and stderr")
    parser.add_argument("--prologue", action="append", default=[], metavar="COMMAND",
                        help="shell command run in each job before its workers, e.g. 'module load "
                             "python/3.11'; repeatable")
    parser.add_argument("--wait", type=float, default=1800,
                        help="seconds to wait for the jobs' workers to start (default: 1800)")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of the recipe's output")
    parser.add_argument("--print-job-script", action="store_true",
                        help="print the Slurm job script and exit without submitting anything")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from distributed import Client

    from aiflab.errors import AiflabError, RecipeError
    from aiflab.pipeline.executors import make_executor
    from aiflab.pipeline.recipe_yaml import load_recipe
    from aiflab.pipeline.runner import run

    try:
        recipe = load_recipe(args.recipe)  # check the recipe before asking Slurm for anything
    except RecipeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with make_cluster(args.cores, args.memory, args.walltime, args.account, args.queue, args.processes,
                      args.interface, args.local_directory, args.log_directory, args.prologue) as cluster:
        if args.print_job_script:
            print(cluster.job_script())
            return 0
        cluster.scale(jobs=args.jobs)
        workers = args.jobs * (args.processes or args.cores)
        print(f"scheduler {cluster.scheduler_address}: waiting for {workers} workers in {args.jobs} "
              f"Slurm jobs", file=sys.stderr)
        with Client(cluster) as client:
            client.wait_for_workers(workers, timeout=args.wait)
        try:
            result = run(recipe, output_path=args.output,
                         executor=make_executor("dask", scheduler=cluster.scheduler_address))
        except AiflabError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(f"output: {result.output}\nreport: {result.report_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
