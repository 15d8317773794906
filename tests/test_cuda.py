"""CUDA paths (run by ``benchmarks/gpu_check.sh`` on a GPU machine; skipped without CUDA).

The same uniforms give the same views on the GPU as on the CPU; one bf16-autocast MoCo step of
the ``paper`` preset is finite and fills the queues; a short run completes on the GPU and its
weights load back on the CPU.
"""

import contextlib

import pytest
import torch

from skelviz.augment import AugmentConfig, draw_view_uniforms, render_views
from skelviz.runs.config import resolve_config
from skelviz.runs.tasks.pretrain import augment_config, build_moco, moco_step
from skelviz.skeleton import NTU25

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(
        not torch.cuda.is_available(), reason="needs CUDA (benchmarks/gpu_check.sh)"
    ),
]


def batch(n=8, t=80, device="cpu"):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 2, t, 25, 3, generator=g)  # (N, M, T, V, C)
    lengths = torch.randint(20, t + 1, (n,), generator=g)  # (N,)
    return x.to(device), lengths.to(device)


def test_the_same_uniforms_render_the_same_views_on_gpu_and_cpu():
    x, lengths = batch()
    u = draw_view_uniforms(8, 25, torch.Generator().manual_seed(1))  # (N, 22 + V)
    config = AugmentConfig(out_frames=64)
    cpu = render_views(x, lengths, torch.arange(8), u, config)
    gpu = render_views(x.cuda(), lengths.cuda(), torch.arange(8).cuda(), u.cuda(), config)
    assert torch.allclose(cpu, gpu.cpu(), atol=1e-4)


@pytest.mark.parametrize("amp", [False, True])
def test_a_paper_preset_step_on_gpu_is_finite_and_enqueues(amp):
    cfg = resolve_config("full", device="cuda", amp=amp)
    model = build_moco(cfg, NTU25, 2).cuda()
    optimizer = torch.optim.SGD(model.query_nets.parameters(), lr=cfg.optim.lr, momentum=0.9)
    x, lengths = batch(64, device="cuda")
    from skelviz.augment import TwoViewAugment

    views = TwoViewAugment(augment_config(cfg))(
        x, lengths, torch.Generator(device="cuda").manual_seed(0)
    )
    ctx = torch.autocast("cuda", dtype=torch.bfloat16) if amp else contextlib.nullcontext()
    loss, logits = moco_step(model, dict(model.query_nets), optimizer, views, ctx)
    assert torch.isfinite(loss) and set(logits) == {"seq->stg", "stg->seq"}
    assert all(int(q.ptr) == 64 for q in model.queues.values())


def test_a_short_run_on_gpu_loads_back_on_cpu(tmp_path):
    from skelviz.runs.api import load_run, run

    cfg = resolve_config("ci", device="cuda", epochs=2, representations="seq+stg")
    result = run("pretrain", cfg, output_dir=tmp_path, progress=False)
    assert result.complete and result.metrics["machine"]["device"].startswith("cuda")
    encoders = load_run(result.folder).encoders("cpu")
    x, _ = batch(4, 32)
    assert encoders["seq"](x).shape[0] == 4
