"""Multi-process pretraining: two gloo processes under torchrun train one model.

The test launches this file itself under ``python -m torch.distributed.run --nproc_per_node 2``;
its ``__main__`` block runs ``python -m skelviz pretrain`` (``skelviz.runs.cli.main``) on the ``ci``
profile for two epochs (in one call, or interrupted after one and resumed) and saves each rank's
query nets and queues, which the tests then compare. The query nets train inside
``DistributedDataParallel``; breaking its gradient averaging or the queues' key gathering makes
these tests fail.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from skelviz.runs.distributed import Rank, shard, wrap_ddp

pytestmark = pytest.mark.slow  # two processes train under torchrun: the test command's slow stage

REPO = Path(__file__).resolve().parents[1]
GLOBAL_BATCH = 16  # set below: 78 ci training sequences make 4 steps an epoch
EPOCHS = 2


# ---------------------------------------------------------------------------------------------
def test_shard_takes_every_world_th_row_and_covers_the_batch():
    batch = torch.arange(12).reshape(6, 2)  # (B=6, 2)
    parts = [shard(batch, Rank(r, 3, r)) for r in range(3)]
    assert parts[1].tolist() == [[2, 3], [8, 9]]  # rows 1 and 4
    assert sorted(torch.cat(parts)[:, 0].tolist()) == [0, 2, 4, 6, 8, 10]
    assert shard(batch, Rank()) is batch  # a single process keeps the whole batch
    with pytest.raises(ValueError, match="multiple of the 4 processes"):
        shard(batch, Rank(0, 4, 0))


def test_one_process_trains_without_a_ddp_wrapper():
    net = nn.Linear(2, 1)
    assert wrap_ddp(net, Rank(), torch.device("cpu")) is net


# ---------------------------------------------------------------------------------------------
def _torchrun(out: Path, *args: str) -> None:
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           __file__, str(out), *args]  # fmt: skip
    done = subprocess.run(
        cmd, check=False, cwd=REPO, env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def _ranks(out: Path) -> list[dict]:
    return [torch.load(out / f"rank{r}.pt", weights_only=True) for r in range(2)]


@pytest.fixture(scope="module")
def two_rank_run(tmp_path_factory):
    """Two epochs in one call."""
    out = tmp_path_factory.mktemp("ddp")
    _torchrun(out)
    return out, _ranks(out), json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def interrupted_run(tmp_path_factory):
    """The same two epochs as two calls: ``--stop-after 1``, then the same command again."""
    out = tmp_path_factory.mktemp("ddp_resume")
    _torchrun(out, "--stop-after", "1")
    first = json.loads((out / "summary.json").read_text())
    _torchrun(out)
    return _ranks(out), first, json.loads((out / "summary.json").read_text())


def test_both_ranks_end_with_identical_trained_query_nets(two_rank_run):
    _, (r0, r1), _ = two_rank_run
    assert r0["query"].keys() == r1["query"].keys()
    for name, w0 in r0["query"].items():
        assert torch.equal(w0, r1["query"][name]), name
    moved = [not torch.equal(r0["query"][k], r0["initial"][k]) for k in r0["params"]]
    assert sum(moved) > len(moved) // 2  # trained, not merely both left at the seed's init


def test_every_queue_holds_the_keys_of_both_ranks(two_rank_run):
    _, (r0, r1), summary = two_rank_run
    record = json.loads((Path(summary["run"]) / "config.json").read_text())
    train_samples, queue = record["data"]["train_samples"], record["config"]["moco"]["queue_size"]
    steps = EPOCHS * (train_samples // GLOBAL_BATCH)
    gathered = (steps * GLOBAL_BATCH) % queue  # all keys of every global batch enqueued
    local_only = (steps * GLOBAL_BATCH // 2) % queue  # what a rank's own shards would give
    assert gathered != local_only  # so the pointer tells the two apart
    for name in r0["ptr"]:
        assert r0["ptr"][name] == r1["ptr"][name] == gathered
        assert torch.equal(r0["keys"][name], r1["keys"][name])  # same keys, same order


def test_rank0_wrote_the_run_and_the_json(two_rank_run):
    out, (r0, _), summary = two_rank_run
    folders = sorted((out / "runs" / "pretrain").iterdir())
    assert [str(f) for f in folders] == [summary["run"]]
    assert sorted(p.name for p in folders[0].iterdir()) == [
        "config.json",
        "history.json",
        "metrics.json",
        "weights.pt",
    ]
    metrics = json.loads((folders[0] / "metrics.json").read_text())
    assert metrics["epochs"] == EPOCHS and metrics["machine"]["processes"] == 2
    weights = torch.load(folders[0] / "weights.pt", weights_only=True)
    for name, w0 in r0["query"].items():
        assert torch.equal(weights[f"query_nets.{name}"], w0)
    assert not (out / "summary_rank1.json").exists()


def test_an_interrupted_two_rank_run_resumes_to_the_uninterrupted_result(
    two_rank_run, interrupted_run
):
    _, straight, _ = two_rank_run
    resumed, first, last = interrupted_run
    assert first["epochs_done"] == 1 and not first["complete"] and first["metrics"] is None
    assert last["epochs_done"] == EPOCHS and last["complete"]
    for rank in range(2):
        for name, weight in straight[rank]["query"].items():
            assert torch.equal(resumed[rank]["query"][name], weight), (rank, name)
        assert resumed[rank]["ptr"] == straight[rank]["ptr"]
        for name, keys in straight[rank]["keys"].items():
            assert torch.equal(resumed[rank]["keys"][name], keys), (rank, name)


# ---------------------------------------------------------------------------------------------
def _worker(out: Path, extra: list[str]) -> None:
    """One torchrun process: ``python -m skelviz pretrain`` on ``ci``, then this rank's state."""
    from skelviz.runs.cli import main
    from skelviz.runs.tasks.pretrain import build_moco

    rank = int(os.environ["RANK"])
    argv = [
        "pretrain",
        "--profile",
        "ci",
        "--set",
        f"epochs={EPOCHS}",
        "--set",
        f"batch_size={GLOBAL_BATCH}",
        "--set",
        "min_steps_per_epoch=0",  # keep GLOBAL_BATCH as set
        "--output-dir",
        str(out),
        "--no-progress",
        *extra,
    ]
    json_name = "summary.json" if rank == 0 else "summary_rank1.json"
    result = main([*argv, "--json", str(out / json_name)])  # only rank 0 may write it
    data = result.data
    initial = build_moco(result.config, data.layout, data.num_persons).query_nets.state_dict()
    model = result._model  # this rank's own model, also for an unfinished run
    state = {
        "query": model.query_nets.state_dict(),
        "initial": initial,
        "params": [name for name, _ in model.query_nets.named_parameters()],
        "ptr": {name: int(q.ptr) for name, q in model.queues.items()},
        "keys": {name: q.keys.clone() for name, q in model.queues.items()},
    }
    torch.save(state, out / f"rank{rank}.pt")


if __name__ == "__main__":
    _worker(Path(sys.argv[1]), sys.argv[2:])
