"""The ablation sweep (Section 4.4, Appendix A.3 and A.4): every cell of :mod:`skelviz.ablations`,
for each seed, pretrained and then evaluated by linear evaluation and 1-NN, with one command.

    python -m skelviz.sweep --profile default --dataset nw-ucla --seeds 0 1 2 --workers 2
    python -m skelviz.sweep --profile default --dataset nw-ucla --seeds 0 1 2 --dry-run

The unit of work is a **job**: one pretraining run and the downstream runs that read it (Table
10's intra-separately probes are jobs of their own, started once both intra runs exist). Every
run goes through :func:`skelviz.runs.api.run`, so a finished run is reused and an interrupted one
resumes from its ``state.pt``; a killed sweep started again redoes nothing that finished. Two
workers (``--workers 2``, one torch thread each) never take the same job: a job is taken by
creating ``<output>/sweep/locks/<job>.lock`` with ``O_EXCL``; a lock whose process is gone (same
host) is stale and broken under a second, short-lived lock. The plan (which run folder holds each
cell and seed) is written to ``<output>/sweep-<schedule>.json`` for :mod:`skelviz.report`.

Introduced in ``notebooks/09_ablations_report``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from skelviz import ablations
from skelviz.atomic import write_json
from skelviz.locks import live_locks, take_lock

__all__ = ["Job", "Plan", "plan_sweep", "run_sweep", "main"]

SCHEDULES = ("ablation", "profile")  # the ablation schedule on top of the profile, or as it is


# --- the plan ---------------------------------------------------------------------------------
@dataclass
class PlannedRun:
    """One run of the engine: its task, configuration and the folder it will have."""

    task: str
    config: object  # skelviz.runs.config.Config (not adjusted: api.run adjusts it)
    folder: Path

    @property
    def complete(self) -> bool:
        return (self.folder / "metrics.json").is_file()


@dataclass
class Job:
    """A pretraining run and its downstream runs (``runs[0]`` is the pretraining run unless the
    job only probes other jobs' runs, ``needs``)."""

    id: str
    reps: tuple[str, ...]
    runs: list[PlannedRun] = field(default_factory=list)
    needs: list[Path] = field(default_factory=list)  # run folders that must be finished first

    @property
    def complete(self) -> bool:
        return all(r.complete for r in self.runs)

    @property
    def ready(self) -> bool:
        return all((p / "metrics.json").is_file() for p in self.needs)

    def cost(self, pretrain_epochs: int, linear_epochs: int, only_left: bool = True) -> float:
        """Modelled seconds of the unfinished runs (of all runs with ``only_left=False``),
        from the relative weights of :data:`skelviz.ablations.EPOCH_CPU_SECONDS`."""
        left = [r for r in self.runs if not (only_left and r.complete)]
        pre = [r.config.encoder.representations for r in left if r.task == "pretrain"]
        probes = [r.config.linear.representation for r in left if r.task == "linear"]
        knn = sum(r.task == "knn" for r in left)
        return ablations.estimate_seconds(pre, probes, knn, pretrain_epochs, linear_epochs)


@dataclass
class Plan:
    """Every job of a sweep, in order, and where each cell's runs are."""

    output_dir: Path
    profile: str
    schedule: str
    dataset: str
    seeds: tuple[int, ...]
    tables: tuple[str, ...]
    num_joints: int
    overrides: dict
    jobs: list[Job]
    cells: list[dict]  # the manifest's cells: table, row, probe, paper, folders per seed
    data: object = field(default=None, repr=False)
    data_root: str | None = None

    @property
    def runs(self) -> list[PlannedRun]:
        return [r for j in self.jobs for r in j.runs]

    def epochs(self) -> tuple[int, int]:
        run = self.jobs[0].runs[0].config
        return run.optim.epochs, run.linear.epochs

    def manifest(self) -> dict:
        return {
            "profile": self.profile, "schedule": self.schedule, "dataset": self.dataset,
            "seeds": list(self.seeds), "tables": list(self.tables), "num_joints": self.num_joints,
            "overrides": _jsonable(self.overrides), "cells": self.cells,
        }  # fmt: skip


def _jsonable(value):
    return json.loads(json.dumps(value, default=list))


def planned_folder(task_name: str, config, data, output_dir: Path) -> Path:
    """The folder :func:`skelviz.runs.api.run` gives ``task_name`` with ``config`` on ``data``
    (the same adjust, key and name; tested against the engine)."""
    from skelviz.runs.api import run_key
    from skelviz.runs.store import RunFolder
    from skelviz.runs.tasks import get_task

    task = get_task(task_name)
    adjusted, _ = task.adjust(config, data)
    key = run_key(adjusted, task.SECTIONS, data.fingerprint)
    name = adjusted.run.name or task.run_name(adjusted)
    return RunFolder.of(output_dir, task.NAME, name, key).root


def plan_sweep(
    profile: str = "ci",
    dataset: str | None = None,
    seeds=(0,),
    tables=ablations.TABLES,
    output_dir: str | os.PathLike | None = None,
    data_root: str | None = None,
    schedule: str = "ablation",
    extra: dict | None = None,
    reps: tuple[str, ...] | None = None,
) -> Plan:
    """The sweep's jobs for ``profile`` (its dataset unless ``dataset``), seeds and tables.

    Loads the data (cached per process) to key every run as the engine will. ``extra``: more
    configuration overrides for every run (e.g. ``{"device": "cpu"}``); ``reps``: keep only the
    cells whose pretraining representations are among these (e.g. ``("img",)``).

    Introduced in ``notebooks/09_ablations_report``.
    """
    from skelviz.runs.config import resolve_config
    from skelviz.runs.data import load_run_data

    seeds = tuple(seeds)
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds: one or more distinct non-negative integers, got {seeds!r}")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule: {schedule!r} is not one of {SCHEDULES}")
    base = {**ablations.schedule_overrides(profile, schedule), **(extra or {})}
    if dataset:
        base["dataset"] = dataset
    probe = resolve_config(profile, **base)
    dataset = probe.data.dataset
    out = Path(output_dir or f"outputs/{profile}-{dataset}")
    data = load_run_data(probe, data_root)
    num_joints = data.layout.num_joints
    cells = ablations.cells(tables, num_joints)
    if reps is not None:
        cells = [c for c in cells if set(c.representations) <= set(reps)]
        if not cells:
            raise ValueError(f"reps: no cell of tables {list(tables)} uses only {list(reps)}")
    for s in seeds:
        ablations.Cell("", "", "", {}).pretrain_overrides(s)  # validates the seed

    jobs: dict[str, Job] = {}
    seen: set[Path] = set()

    def job_for(pretrain_config) -> Job:
        folder = planned_folder("pretrain", pretrain_config, data, out)
        if folder.name not in jobs:
            job = Job(folder.name, tuple(pretrain_config.encoder.representations))
            job.runs.append(PlannedRun("pretrain", pretrain_config, folder))
            seen.add(folder)
            jobs[folder.name] = job
        return jobs[folder.name]

    manifest_cells = []
    for cell in cells:
        entry = {"table": cell.table, "row": cell.row, "probe": cell.probe, "paper": cell.paper,
                 "separately": cell.separately, "pretrain": _jsonable(cell.pretrain),
                 "seeds": {}}  # fmt: skip
        for seed in seeds:
            config = resolve_config(profile, **base, **cell.overrides(seed))
            if cell.separately:
                intra = [
                    resolve_config(
                        profile, **base, **{**cell.pretrain_overrides(seed), "representations": r}
                    )  # fmt: skip
                    for r in cell.probe.split("+")
                ]
                pretrain_folders = [job_for(c).runs[0].folder for c in intra]
                folder = planned_folder("linear", config, data, out)
                job = jobs.setdefault(f"separately-{folder.name}", Job(folder.name, ()))
                job.needs = pretrain_folders
            else:
                pre = resolve_config(profile, **base, **cell.pretrain_overrides(seed))
                job = job_for(pre)
                pretrain_folders = [job.runs[0].folder]
            folders = {"pretrain": [str(p.relative_to(out)) for p in pretrain_folders]}
            for task in cell.tasks:
                folder = planned_folder(task, config, data, out)
                folders[task] = str(folder.relative_to(out))
                if folder not in seen:
                    seen.add(folder)
                    job.runs.append(PlannedRun(task, config, folder))
            entry["seeds"][str(seed)] = folders
        manifest_cells.append(entry)
    ordered = sorted(jobs.values(), key=lambda j: (bool(j.needs), _seed_of(j)))
    return Plan(out, profile, schedule, dataset, seeds, tuple(str(t) for t in tables),
                num_joints, base, ordered, manifest_cells, data, data_root)  # fmt: skip


def _seed_of(job: Job) -> int:
    return job.runs[0].config.run.seed  # seed 0 of every cell first, then seed 1, ...


def write_manifest(plan: Plan) -> Path:
    """``<output>/sweep-<schedule>.json``: the plan's cells and folders, merged with the cells
    and seeds an earlier plan of the same profile, dataset and overrides recorded."""
    path = plan.output_dir / f"sweep-{plan.schedule}.json"
    manifest = plan.manifest()
    if path.is_file():
        old = json.loads(path.read_text())
        same = all(old.get(k) == manifest[k] for k in ("profile", "dataset", "overrides"))
        if same:
            cells = {(c["table"], c["row"], c["probe"]): c for c in old["cells"]}
            for c in manifest["cells"]:
                key = (c["table"], c["row"], c["probe"])
                if key in cells:
                    cells[key]["seeds"].update(c["seeds"])
                else:
                    cells[key] = c
            manifest["cells"] = list(cells.values())
            manifest["seeds"] = sorted(set(old["seeds"]) | set(manifest["seeds"]))
            manifest["tables"] = sorted(set(old["tables"]) | set(manifest["tables"]), key=int)
    plan.output_dir.mkdir(parents=True, exist_ok=True)
    return write_json(path, manifest)


# --- running ----------------------------------------------------------------------------------
def _run_job(plan: Plan, job: Job, say) -> None:
    from skelviz.runs.api import run

    for planned in job.runs:
        if planned.complete:
            continue
        started = time.perf_counter()
        result = run(planned.task, planned.config, data_root=plan.data_root,
                     output_dir=plan.output_dir, data=plan.data, progress=False,
                     say=lambda *_: None)  # fmt: skip
        if result.folder.root != planned.folder:
            raise RuntimeError(f"planned {planned.folder}, the engine ran {result.folder.root}")
        say(f"  {planned.task} {planned.folder.name}: {time.perf_counter() - started:.0f} s")


def work(plan: Plan, say=print, stop_after_jobs: int | None = None, poll: float = 5.0) -> int:
    """Take and run jobs until every job is finished (or ``stop_after_jobs`` were run here);
    returns how many this process ran. Waits while other workers hold the remaining jobs.

    Introduced in ``notebooks/09_ablations_report``.
    """
    locks = plan.output_dir / "sweep" / "locks"
    ran, failed = 0, set()
    while True:
        pending = [j for j in plan.jobs if not j.complete and j.id not in failed]
        if not pending and failed:
            raise RuntimeError(f"{len(failed)} job(s) failed: {', '.join(sorted(failed))}")
        if not pending:
            return ran
        took = None
        for job in pending:
            if job.ready and (lock := take_lock(locks, job.id)):
                took = (job, lock)
                break
        if took is None:
            if not live_locks(locks):  # nobody runs anything, and nothing is ready
                names = ", ".join(j.id for j in pending[:5])
                raise RuntimeError(f"{len(pending)} job(s) can never start ({names}, ...)")
            time.sleep(poll)
            continue
        job, lock = took
        try:
            if not job.complete:  # another worker may have finished it meanwhile
                say(f"job {job.id} ({'+'.join(job.reps) or 'separately'}): start")
                _run_job(plan, job, say)
                ran += 1
        except Exception as err:  # noqa: BLE001 - reported, the sweep continues
            failed.add(job.id)
            say(f"job {job.id}: FAILED: {type(err).__name__}: {err}")
        finally:
            lock.unlink(missing_ok=True)
        say(progress_line(plan))
        if stop_after_jobs is not None and ran >= stop_after_jobs:
            return ran


# --- progress ---------------------------------------------------------------------------------
def _measured_seconds(job: Job) -> float:
    total = 0.0
    for run in job.runs:
        metrics = json.loads((run.folder / "metrics.json").read_text())
        total += metrics.get("wall_seconds_last_call") or metrics.get("train_seconds") or 0.0
    return total


def eta_seconds(plan: Plan, workers: int = 1) -> float | None:
    """Seconds left: the remaining jobs' modelled cost, scaled by measured over modelled cost of
    the finished jobs; ``None`` before any job finished."""
    epochs = plan.epochs()
    done = [j for j in plan.jobs if j.complete]
    left = [j for j in plan.jobs if not j.complete]
    modelled = sum(j.cost(*epochs, only_left=False) for j in done)
    if not done or modelled <= 0:
        return None
    scale = sum(_measured_seconds(j) for j in done) / modelled
    return scale * sum(j.cost(*epochs) for j in left) / max(1, workers)


def _clock(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{seconds / 60:.1f} min"


def progress_line(plan: Plan, started: float | None = None, workers: int = 1) -> str:
    runs = plan.runs
    done_runs = sum(r.complete for r in runs)
    done_jobs = sum(j.complete for j in plan.jobs)
    text = (f"sweep: {done_runs}/{len(runs)} runs done, {len(runs) - done_runs} left "
            f"({done_jobs}/{len(plan.jobs)} jobs)")  # fmt: skip
    if started is not None:
        text += f", elapsed {_clock(time.perf_counter() - started)}"
    eta = eta_seconds(plan, workers)
    text += f", ETA {_clock(eta)}" if eta is not None else ", ETA after the first job"
    return text


def dry_run(plan: Plan, workers: int = 1, say=print) -> dict:
    """List the sweep's runs, say how many exist, estimate the time; returns the counts."""
    counts = {"jobs": len(plan.jobs), "runs": len(plan.runs),
              "done": sum(r.complete for r in plan.runs)}  # fmt: skip
    say(
        f"sweep {plan.profile}/{plan.schedule} on {plan.dataset} ({plan.num_joints} joints), "
        f"seeds {list(plan.seeds)}, tables {', '.join(plan.tables)} -> {plan.output_dir}"
    )
    for job in plan.jobs:
        for r in job.runs:
            say(f"  [{'done' if r.complete else '    '}] {r.task:8s} {r.folder.name}")
    say(f"{counts['runs']} runs in {counts['jobs']} jobs: {counts['done']} already exist, "
        f"{counts['runs'] - counts['done']} to run")  # fmt: skip
    pre_epochs, lin_epochs = plan.epochs()
    left = [j for j in plan.jobs if not j.complete]
    model = sum(j.cost(pre_epochs, lin_epochs) for j in left) / max(1, workers)
    say(f"modelled time left on {workers} worker(s): {_clock(model)} (per-epoch costs measured "
        "for the default profile on N-UCLA; other profiles and machines differ)")  # fmt: skip
    counts["modelled_seconds"] = model
    return counts


def run_sweep(plan: Plan, workers: int = 1, say=print, stop_after_jobs=None, argv=None) -> None:
    """Run every unfinished job: here (``workers == 1``) or in ``workers`` child processes of
    ``python -m skelviz.sweep ARGV --worker``, each with one torch thread, printing progress.

    Introduced in ``notebooks/09_ablations_report``.
    """
    write_manifest(plan)
    started = time.perf_counter()
    say(progress_line(plan, started, workers))
    if workers == 1:
        work(plan, say, stop_after_jobs)
        say(progress_line(plan, started, workers))
        return
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "skelviz.sweep", *(argv or []), "--worker"]
    children = [subprocess.Popen(cmd + ["--worker-id", str(i)], env=env) for i in range(workers)]
    try:
        while any(c.poll() is None for c in children):
            time.sleep(30)
            say(progress_line(plan, started, workers))
    finally:
        for child in children:  # only the processes this call started
            if child.poll() is None:
                child.terminate()
        for child in children:
            child.wait()
    say(progress_line(plan, started, workers))
    bad = [c.returncode for c in children if c.returncode]
    if bad:
        raise RuntimeError(f"{len(bad)} worker(s) failed (exit {bad})")


# --- command line -----------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m skelviz.sweep", description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="default", choices=list(ablations.ABLATION_SCHEDULE))
    p.add_argument("--dataset", default=None, help="default: the profile's")
    p.add_argument("--data-root", default=None)
    p.add_argument("--output-dir", default=None, help="default: outputs/<profile>-<dataset>")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--tables", nargs="+", default=list(ablations.TABLES))
    p.add_argument(
        "--reps", nargs="+", default=None,
        help="only the cells pretrained on these representations (e.g. --reps img)",
    )  # fmt: skip
    p.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default="ablation",
        help="ablation: the shorter schedule of skelviz.ablations; profile: as is",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override a configuration field of every run (e.g. device=cpu)",
    )
    p.add_argument("--workers", type=int, default=1, help="processes side by side (1 thread each)")
    p.add_argument("--dry-run", action="store_true", help="list the runs and stop")
    p.add_argument(
        "--stop-after-jobs", type=int, default=None, help="end after N jobs (each worker)"
    )
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--worker-id", type=int, default=0, help=argparse.SUPPRESS)
    return p  # fmt: skip


def _without_workers(argv: list[str]) -> list[str]:
    """``argv`` less its ``--workers N`` / ``--workers=N`` (what each worker is given)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--workers":
            skip = True
        elif not arg.startswith("--workers="):
            out.append(arg)
    return out


def _exit_on_sigterm() -> None:
    """A terminated worker unwinds (its lock is removed in ``finally``)."""
    import signal

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def main(argv: list[str] | None = None) -> Plan:
    """Plan, then dry-run, run here, or start workers; returns the plan."""
    from skelviz.runs.cli import parse_overrides

    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    if args.workers < 1:
        raise SystemExit("skelviz.sweep: --workers must be >= 1")
    if args.worker:
        _exit_on_sigterm()
    if args.worker or args.workers == 1:
        import torch

        torch.set_num_threads(1)
    plan = plan_sweep(
        args.profile, args.dataset, args.seeds, args.tables, args.output_dir, args.data_root,
        args.schedule, parse_overrides(args.set), args.reps,
    )  # fmt: skip
    tag = f"[w{args.worker_id}] " if args.worker else ""

    def say(text: str) -> None:
        print(tag + text, flush=True)

    if args.dry_run:
        dry_run(plan, args.workers, say)
    elif args.worker:
        work(plan, say, args.stop_after_jobs)
    else:
        run_sweep(plan, args.workers, say, args.stop_after_jobs, _without_workers(argv))
    return plan


if __name__ == "__main__":
    try:
        main()
    except (ValueError, RuntimeError) as err:
        print(f"skelviz.sweep: error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
