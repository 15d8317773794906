"""The three encoders: released parameter counts, shapes, GRU semantics, heads, determinism."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from skelviz.encoders import (
    GRU_VARIANTS,
    PRESETS,
    AGCNConfig,
    BiGRUConfig,
    BiGRUEncoder,
    EmbeddingNet,
    HCNConfig,
    ProjectionHead,
    build_encoder,
    count_parameters,
    released_fc_init_,
)
from skelviz.encoders import PERSON_POOLS as ENCODER_PERSON_POOLS
from skelviz.runs.config import GRU_CHOICES
from skelviz.runs.config import PERSON_POOLS as CONFIG_PERSON_POOLS
from skelviz.skeleton import KINECT_V1_20, NTU25


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """These tensors are tiny: one intra-op thread avoids thread-pool overhead (a 1-step GRU call
    measured 0.5 ms on 1 thread vs 150 ms on 2 threads of a loaded 2-core machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _batch(n: int, m: int, t: int, v: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, m, t, v, 3, generator=torch.Generator().manual_seed(seed))


def _gru_params(in_dim: int, hidden: int, layers: int) -> int:
    """nn.GRU(bidirectional) count from the gate equations: 3 gates x (W_ih, W_hh, b_ih, b_hh)."""
    per_direction = lambda i: 3 * hidden * (i + hidden) + 2 * 3 * hidden  # noqa: E731
    return 2 * (per_direction(in_dim) + (layers - 1) * per_direction(2 * hidden))


# --- paper preset: exactly the released counts (NTU-25, M = 2, T = 64) -------------------------
# docs/released-code.md#parameter-counts-and-paper-table-10
@pytest.fixture(scope="module")
def paper_encoders():
    torch.manual_seed(0)
    return {rep: build_encoder(rep, "paper", NTU25, num_persons=2) for rep in ("seq", "img", "stg")}


def test_paper_parameter_counts_match_released_code(paper_encoders):
    enc = paper_encoders
    assert count_parameters(enc["seq"]) == 44_998_656 == _gru_params(150, 1024, 3)
    assert count_parameters(enc["img"]) == 519_424
    assert count_parameters(enc["stg"]) == 3_454_090
    fc = {rep: count_parameters(nn.Linear(e.feature_dim, 128)) for rep, e in enc.items()}
    assert fc == {"seq": 262_272, "img": 524_416, "stg": 32_896}
    assert count_parameters(enc["img"]) + fc["img"] == 1_043_840


def test_paper_feature_dims_and_mlp_head_counts(paper_encoders):
    enc = paper_encoders
    assert {rep: e.feature_dim for rep, e in enc.items()} == {"seq": 2048, "img": 4096, "stg": 256}
    # released --mlp head Linear(D, D) -> ReLU -> Linear(D, 128): 49.46 M / 17.83 M / 3.55 M
    totals = {rep: count_parameters(EmbeddingNet(e)) for rep, e in enc.items()}
    for rep, d in (("seq", 2048), ("img", 4096), ("stg", 256)):
        assert totals[rep] == count_parameters(enc[rep]) + (d * d + d) + (d * 128 + 128)
    assert round(totals["seq"] / 1e6, 2) == 49.46
    assert round(totals["img"] / 1e6, 2) == 17.83
    assert round(totals["stg"] / 1e6, 2) == 3.55


def test_hcn_per_layer_counts(paper_encoders):
    hcn = paper_encoders["img"]
    per_stream = {name: count_parameters(layer) for name, layer in hcn.position.items()}
    assert per_stream == {"conv1": 256, "conv2": 12_352, "conv3": 7_232, "conv4": 18_496}
    assert count_parameters(hcn.conv5) == 147_584 and count_parameters(hcn.conv6) == 295_168


def test_agcn_per_unit_counts(paper_encoders):
    units = [count_parameters(u) for u in paper_encoders["stg"].units]
    # released: l1 40.6 K, l2-l4 57.8 K, l5 204.6 K, l6-l7 224.3 K, l8 808.7 K, l9-l10 889.0 K
    assert [round(c / 1e3, 1) for c in units] == [40.6, 57.8, 57.8, 57.8, 204.6, 224.3, 224.3,
                                                  808.7, 889.0, 889.0]  # fmt: skip
    # + data_bn gamma/beta over M*V*C = 2*25*3 = 150 channels (300 parameters: gamma and beta)
    assert count_parameters(paper_encoders["stg"].data_bn) == 2 * 150
    assert sum(units) + 2 * 150 == 3_454_090


@pytest.mark.parametrize("rep,dim", [("img", 4096), ("stg", 256)])
def test_paper_forward(paper_encoders, rep, dim):
    enc = paper_encoders[rep].eval()
    with torch.no_grad():
        assert enc(_batch(2, 2, 64, 25)).shape == (2, dim)


def test_adjacency_is_a_buffer_not_a_parameter(paper_encoders):
    agcn = paper_encoders["stg"]
    buffers = dict(agcn.named_buffers())
    assert "units.0.gcn1.A" in buffers and buffers["units.0.gcn1.A"].shape == (3, 25, 25)
    assert all(not name.endswith(".A") for name, _ in agcn.named_parameters())


@pytest.mark.parametrize("rep", ["seq", "img", "stg"])
def test_encoders_move_with_to(rep):
    """Everything (the graph included) follows ``.to()``: float64 here, a GPU the same way."""
    enc = build_encoder(rep, "tiny", NTU25, 2, frames=16).to(torch.float64).eval()
    assert all(b.dtype == torch.float64 for b in enc.buffers() if b.is_floating_point())
    assert enc(_batch(2, 2, 16, 25).double()).dtype == torch.float64


# --- every preset, layout and person count -----------------------------------------------------
@pytest.mark.parametrize("preset", ["tiny", "small"])
@pytest.mark.parametrize("rep", ["seq", "img", "stg"])
@pytest.mark.parametrize("layout", [KINECT_V1_20, NTU25], ids=lambda lay: lay.name)
@pytest.mark.parametrize("m", [1, 2])
def test_forward_shapes(preset, rep, layout, m):
    enc = build_encoder(rep, preset, layout, num_persons=m, frames=32)
    out = enc(_batch(3, m, 32, layout.num_joints))
    assert out.shape == (3, enc.feature_dim)
    assert torch.isfinite(out).all()


def test_feature_dims_follow_the_config():
    assert build_encoder("seq", BiGRUConfig(24, 2), NTU25, 2).feature_dim == 48
    assert build_encoder("img", HCNConfig(8, 32), NTU25, 2, frames=32).feature_dim == 32 * 2 * 2
    assert build_encoder("stg", AGCNConfig((8, 12), (1, 2)), NTU25, 2).feature_dim == 12


def test_encoders_accept_other_clip_lengths():
    """GRU and A-GCN read any T; HCN pools adaptively to its sized feature, needs T >= 16."""
    hcn = build_encoder("img", "tiny", NTU25, 2, frames=64).eval()
    for t in (16, 50, 100):
        assert hcn(_batch(2, 2, t, 25)).shape == (2, hcn.feature_dim)
    with pytest.raises(ValueError, match="16 frames"):
        hcn(_batch(2, 2, 8, 25))
    for rep in ("seq", "stg"):
        enc = build_encoder(rep, "tiny", NTU25, 2)
        assert enc(_batch(2, 2, 5, 25)).shape == (2, enc.feature_dim)


def test_wrong_layout_input_is_rejected():
    enc = build_encoder("stg", "tiny", NTU25, num_persons=2)
    with pytest.raises(ValueError, match="V = 25 joints, got 20"):
        enc(_batch(1, 2, 16, 20))


@pytest.mark.parametrize(
    "kwargs,error",
    [
        (dict(representation="rgb", preset="tiny"), ValueError),
        (dict(representation="seq", preset="huge"), ValueError),
        (dict(representation="seq", preset=HCNConfig()), TypeError),
        (dict(representation="img", preset="tiny", gru="stepwise"), ValueError),
        (dict(representation="seq", preset="tiny", gru="backwards"), ValueError),
    ],
)
def test_build_encoder_rejects_unknown_parameters(kwargs, error):
    with pytest.raises(error):
        build_encoder(layout=NTU25, num_persons=2, **kwargs)


# --- BiGRU: true bidirectional vs the released stepwise loop (docs/released-code.md) ----------
def _gru_pair(hidden: int = 8, layers: int = 1):
    torch.manual_seed(0)
    cfg = BiGRUConfig(hidden, layers)
    true = build_encoder("seq", cfg, KINECT_V1_20, num_persons=1)
    stepwise = build_encoder("seq", cfg, KINECT_V1_20, num_persons=1, gru="stepwise")
    stepwise.load_state_dict(true.state_dict())
    return true, stepwise


def test_stepwise_gru_forward_half_equals_true_forward_half():
    true, stepwise = _gru_pair()
    x = _batch(4, 1, 12, 20)
    torch.testing.assert_close(stepwise(x)[:, :8], true(x)[:, :8])
    assert not torch.allclose(stepwise(x)[:, 8:], true(x)[:, 8:])


def test_perturbing_frame_t_minus_2_separates_true_from_stepwise():
    true, stepwise = _gru_pair()
    x = _batch(4, 1, 12, 20)
    y = x.clone()
    y[:, :, -2] += 1.0  # only frame T-2 changes
    # a true BiGRU's reverse direction has seen only frame T-1 at the last step
    assert torch.equal(true(x)[:, 8:], true(y)[:, 8:])
    # the released loop runs the "reverse" weights forward in time, so it has seen frame T-2
    assert (stepwise(x)[:, 8:] - stepwise(y)[:, 8:]).abs().max() > 1e-3


def test_gru_variants_are_the_run_configurations_choices():
    assert tuple(GRU_VARIANTS) == GRU_CHOICES
    assert ENCODER_PERSON_POOLS == CONFIG_PERSON_POOLS


def test_present_person_pooling_averages_only_the_slots_holding_a_skeleton():
    torch.manual_seed(0)
    enc = build_encoder("stg", "tiny", NTU25, 2).eval()
    present = build_encoder("stg", "tiny", NTU25, 2, person_pool="present").eval()
    present.load_state_dict(enc.state_dict())
    x = _batch(3, 2, 8, 25)
    x[0, 1] = 0.0  # sample 0: one person, the second slot all zeros
    x[2] = 0.0  # sample 2: an empty take keeps the first slot's feature
    per_person = enc.person_features(x)  # (N, M, D)
    got = present(x)
    torch.testing.assert_close(got[0], per_person[0, 0])  # the zero skeleton is left out
    torch.testing.assert_close(got[1], per_person[1].mean(0))  # two persons: as released
    torch.testing.assert_close(got[1], enc(x)[1])
    torch.testing.assert_close(got[2], per_person[2, 0])
    assert not torch.allclose(enc(x)[0], got[0])  # released: the zero skeleton's feature counts
    with pytest.raises(ValueError, match="person_pool"):
        build_encoder("seq", "tiny", NTU25, 2, person_pool="present")


def test_final_readout_is_each_directions_own_last_step():
    torch.manual_seed(0)
    cfg = BiGRUConfig(8, 2)
    true = build_encoder("seq", cfg, KINECT_V1_20, num_persons=1)
    final = build_encoder("seq", cfg, KINECT_V1_20, num_persons=1, gru="final")
    mean = build_encoder("seq", cfg, KINECT_V1_20, num_persons=1, gru="mean")
    final.load_state_dict(true.state_dict())
    mean.load_state_dict(true.state_dict())
    x = _batch(3, 1, 10, 20)
    out, h_n = true.gru(x.permute(0, 2, 3, 4, 1).reshape(3, 10, 60))  # (N, T, 2H), (2L, N, H)
    # the final hidden states of the top layer: forward after frame T-1, reverse after frame 0
    torch.testing.assert_close(final(x), torch.cat([h_n[-2], h_n[-1]], dim=1))
    torch.testing.assert_close(mean(x), out.mean(1))
    torch.testing.assert_close(final(x)[:, :8], true(x)[:, :8])  # the forward halves agree
    # the reverse half of "final" has read frame 0; the last-step readout's has not
    y = x.clone()
    y[:, :, 0] += 1.0
    assert (final(x)[:, 8:] - final(y)[:, 8:]).abs().max() > 1e-3
    with pytest.raises(ValueError, match="last-step"):
        BiGRUEncoder(20, 1, cfg, stepwise=True, readout="mean")


def test_stepwise_reverse_half_is_a_forward_gru_with_reverse_weights():
    true, stepwise = _gru_pair()
    causal = nn.GRU(60, 8, batch_first=True)
    causal.load_state_dict({name: getattr(true.gru, f"{name}_reverse")
                            for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
                                         "bias_hh_l0")})  # fmt: skip
    x = _batch(3, 1, 10, 20)
    seq = x.permute(0, 2, 3, 4, 1).reshape(3, 10, 60)  # released SEQ order, M = 1
    torch.testing.assert_close(stepwise(x)[:, 8:], causal(seq)[0][:, -1])


def test_gru_init_is_xavier_on_2d_weights():
    enc = build_encoder("seq", BiGRUConfig(64, 2), NTU25, 2)
    w = enc.gru.weight_hh_l1  # (3H, H): xavier bound sqrt(6 / (3H + H))
    bound = (6.0 / (3 * 64 + 64)) ** 0.5
    assert w.abs().max() <= bound and w.abs().max() > 0.9 * bound


# --- heads, determinism, dropout, gradients ---------------------------------------------------
@pytest.mark.parametrize("rep", ["seq", "img", "stg"])
def test_embedding_net_is_unit_norm_and_keeps_encoder(rep):
    enc = build_encoder(rep, "tiny", NTU25, 2, frames=32)
    net = EmbeddingNet(enc)
    z = net(_batch(5, 2, 32, 25))
    assert z.shape == (5, 128) and net.out_dim == 128
    torch.testing.assert_close(z.norm(dim=1), torch.ones(5))
    assert net.encoder is enc


def test_projection_head_layers():
    head = ProjectionHead(16, 32, out_dim=8)
    assert [type(layer) for layer in head] == [nn.Linear, nn.ReLU, nn.Linear]
    assert count_parameters(head) == 16 * 32 + 32 + 32 * 8 + 8
    z = EmbeddingNet(build_encoder("seq", BiGRUConfig(8, 1), NTU25, 2), ProjectionHead(16, 32, 8))
    assert z(_batch(2, 2, 4, 25)).shape == (2, 8)


# --- head initialisation: PyTorch's default vs the released fc init -----------------------------
# docs/released-code.md#projection-head-and-its-initialisation: the released last layer is the
# encoder's own fc. Weight std at the released sizes (D -> D -> 128): sqrt(2 / (D + 128)) for the
# BiGRU (xavier) and HCN (Glorot), sqrt(2 / 128) for A-GCN; HCN's bias is zero.
@pytest.mark.parametrize(
    "rep,dim,std,zero_bias",
    [("seq", 2048, 0.0303, False), ("img", 4096, 0.0218, True), ("stg", 256, 0.125, False)],
)
def test_released_head_init_gives_the_released_fc_std(rep, dim, std, zero_bias):
    torch.manual_seed(0)
    head = ProjectionHead(dim, dim, 128, init="released", representation=rep)
    last = head[2]
    assert abs(last.weight.std().item() - std) < 0.02 * std
    assert abs(last.weight.mean().item()) < 0.02 * std
    if zero_bias:
        assert torch.count_nonzero(last.bias) == 0
    else:  # PyTorch's default bias U(-1/sqrt(D), 1/sqrt(D)), left as it is
        assert last.bias.abs().max() <= dim**-0.5 and torch.count_nonzero(last.bias) == 128
    pytorch_std = (3 * dim) ** -0.5  # default kaiming_uniform(a=sqrt(5)): bound 1/sqrt(fan_in)
    assert abs(std - pytorch_std) > 0.3 * pytorch_std  # the two inits really differ
    # the first layer is built anew in the released code too: PyTorch's default
    assert abs(head[0].weight.std().item() - pytorch_std) < 0.02 * pytorch_std


def test_default_head_init_keeps_pytorch_default():
    torch.manual_seed(3)
    head = ProjectionHead(24, 24, 8)
    torch.manual_seed(3)
    plain = nn.Sequential(nn.Linear(24, 24), nn.ReLU(), nn.Linear(24, 8))
    assert head.init == "pytorch"
    for a, b in zip(head.parameters(), plain.parameters(), strict=True):
        assert torch.equal(a, b)


def test_released_head_init_changes_only_the_last_layer():
    torch.manual_seed(5)
    default = ProjectionHead(32, 32, 16)
    torch.manual_seed(5)
    released = ProjectionHead(32, 32, 16, init="released", representation="img")
    assert torch.equal(default[0].weight, released[0].weight)
    assert torch.equal(default[0].bias, released[0].bias)
    assert not torch.equal(default[2].weight, released[2].weight)
    assert torch.count_nonzero(released[2].bias) == 0


@pytest.mark.parametrize("rep", ["seq", "img", "stg"])
def test_embedding_net_passes_head_init_with_the_encoders_representation(rep):
    enc = build_encoder(rep, "tiny", NTU25, 2, frames=32)
    assert enc.representation == rep
    torch.manual_seed(1)
    net = EmbeddingNet(enc, head_init="released")
    torch.manual_seed(1)
    want = ProjectionHead(
        enc.feature_dim, enc.feature_dim, 128, init="released", representation=rep
    )
    assert net.head.init == "released" and net.head.representation == rep
    for a, b in zip(net.head.parameters(), want.parameters(), strict=True):
        assert torch.equal(a, b)
    assert EmbeddingNet(enc).head.init == "pytorch"


def test_released_fc_init_matches_the_released_formulas():
    torch.manual_seed(0)
    layer = released_fc_init_(nn.Linear(1000, 10), "stg")  # N(0, sqrt(2 / num_class))
    assert abs(layer.weight.std().item() - (2 / 10) ** 0.5) < 0.03 * (2 / 10) ** 0.5
    layer = released_fc_init_(nn.Linear(300, 100), "seq")  # xavier bound sqrt(6 / (in + out))
    bound = (6 / 400) ** 0.5
    assert layer.weight.abs().max() <= bound and layer.weight.abs().max() > 0.99 * bound


@pytest.mark.parametrize(
    "kwargs",
    [dict(init="kaiming"), dict(init="released"), dict(init="released", representation="rgb")],
)
def test_projection_head_rejects_bad_init(kwargs):
    with pytest.raises(ValueError, match="init"):
        ProjectionHead(8, 8, 4, **kwargs)


def test_head_init_applies_to_the_default_head_only():
    enc = build_encoder("seq", "tiny", NTU25, 2)
    with pytest.raises(ValueError, match="default head only"):
        EmbeddingNet(enc, ProjectionHead(enc.feature_dim, 8, 4), head_init="released")


@pytest.mark.parametrize("rep", ["seq", "img", "stg"])
def test_same_seed_same_encoder_and_features(rep):
    x = _batch(2, 2, 32, 25)
    outs = []
    for seed in (7, 7, 8):
        torch.manual_seed(seed)
        outs.append(build_encoder(rep, "tiny", NTU25, 2, frames=32).eval()(x))
    assert torch.equal(outs[0], outs[1])
    assert not torch.allclose(outs[0], outs[2])


def test_hcn_dropout_only_in_train_mode():
    torch.manual_seed(0)
    hcn = build_encoder("img", "tiny", NTU25, 2, frames=32)
    x = _batch(2, 2, 32, 25)
    hcn.eval()
    assert torch.equal(hcn(x), hcn(x))
    hcn.train()
    assert not torch.equal(hcn(x), hcn(x))


@pytest.mark.parametrize("rep", ["seq", "img", "stg"])
def test_gradients_reach_every_parameter(rep):
    torch.manual_seed(0)
    net = EmbeddingNet(build_encoder(rep, "tiny", NTU25, 2, frames=32))
    x = _batch(4, 2, 32, 25)
    net(x)[:, 0].sum().backward()
    for name, param in net.named_parameters():
        assert param.grad is not None, name
        assert torch.isfinite(param.grad).all(), name
        if name == "encoder.gru.weight_hh_l0_reverse":
            # a true BiGRU read at the last step: the top reverse direction has taken one step
            # from h0 = 0, so W_hh multiplies zeros and gets no gradient (see the stepwise test)
            assert param.grad.abs().sum() == 0
        else:
            assert param.grad.abs().sum() > 0, name


def test_stepwise_gru_trains_its_reverse_recurrence():
    torch.manual_seed(0)
    enc = build_encoder("seq", "tiny", NTU25, 2, gru="stepwise")
    enc(_batch(4, 2, 6, 25)).sum().backward()
    assert enc.gru.weight_hh_l0_reverse.grad.abs().sum() > 0


def test_presets_cover_every_representation():
    assert set(PRESETS) == {"paper", "small", "small-narrow", "tiny"}
    for preset in PRESETS.values():
        assert set(preset) == {"seq", "img", "stg"}
    for rep in ("seq", "img", "stg"):
        tiny, small, paper = (count_parameters(build_encoder(rep, p, NTU25, 2))
                              for p in ("tiny", "small", "paper"))  # fmt: skip
        assert tiny < small < paper, rep
    # small-narrow differs from small in the A-GCN only, which is narrower
    narrow = {rep: count_parameters(build_encoder(rep, "small-narrow", NTU25, 2))
              for rep in ("seq", "img", "stg")}  # fmt: skip
    assert narrow["seq"] == count_parameters(build_encoder("seq", "small", NTU25, 2))
    assert narrow["img"] == count_parameters(build_encoder("img", "small", NTU25, 2))
    assert narrow["stg"] < count_parameters(build_encoder("stg", "small", NTU25, 2))
