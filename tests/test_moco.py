"""MoCo building blocks against hand-computed values (paper Eqs. 5-8, MoCo builder.py)."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from skelviz.moco import (
    InterMoCo,
    IntraMoCo,
    Queue,
    info_nce_logits,
    info_nce_loss,
    momentum_update,
    top1_accuracy,
)


class ConstNet(nn.Module):
    """Embeds every sample as the same unit vector (a learnable parameter); ignores the input."""

    def __init__(self, vector):
        super().__init__()
        self.vector = nn.Parameter(torch.tensor(vector, dtype=torch.float32))

    def forward(self, x):  # (N, M, T, V, C) -> (N, D)
        return F.normalize(self.vector, dim=0).expand(x.shape[0], -1) + 0 * x.sum()


class LinearNet(nn.Module):
    """Mean over persons/frames/joints, then a linear map to D, L2-normalised."""

    def __init__(self, dim=4):
        super().__init__()
        self.encoder = nn.Linear(3, 8)
        self.head = nn.Linear(8, dim)

    def forward(self, x):
        return F.normalize(self.head(self.encoder(x.mean(dim=(1, 2, 3)))), dim=1)


# --- InfoNCE --------------------------------------------------------------------------------
def test_info_nce_matches_hand_computed_value():
    q = torch.tensor([[1.0, 0.0]])
    k = torch.tensor([[0.6, 0.8]])
    queue = torch.tensor([[0.0, 1.0], [-1.0, 0.0]])
    logits = info_nce_logits(q, k, queue, tau=0.5)
    # by hand: [q.k, q.n1, q.n2] / tau = [0.6, 0, -1] / 0.5
    assert logits.shape == (1, 3)
    assert torch.allclose(logits, torch.tensor([[1.2, 0.0, -2.0]]))
    expected = -math.log(math.exp(1.2) / (math.exp(1.2) + math.exp(0.0) + math.exp(-2.0)))
    assert info_nce_loss(logits).item() == pytest.approx(expected, rel=1e-6)
    assert top1_accuracy(logits) == 1.0


def test_info_nce_averages_over_batch_and_positive_is_column_zero():
    q = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    k = torch.tensor([[0.0, 1.0], [0.0, 1.0]])  # first query's positive is orthogonal
    queue = torch.tensor([[1.0, 0.0]])
    logits = info_nce_logits(q, k, queue, tau=1.0)
    assert torch.equal(logits, torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    per_row = [-math.log(1 / (1 + math.e)), -math.log(math.e / (math.e + 1))]
    assert info_nce_loss(logits).item() == pytest.approx(sum(per_row) / 2, rel=1e-6)
    assert top1_accuracy(logits) == 0.5


# --- queue ----------------------------------------------------------------------------------
def test_queue_init_is_unit_rows_and_seeded():
    a = Queue(8, 5, torch.Generator().manual_seed(3))
    b = Queue(8, 5, torch.Generator().manual_seed(3))
    assert a.keys.shape == (8, 5)
    assert torch.allclose(a.keys.norm(dim=1), torch.ones(8))
    assert torch.equal(a.keys, b.keys)
    assert not torch.equal(a.keys, Queue(8, 5, torch.Generator().manual_seed(4)).keys)


def test_queue_pointer_wraps_and_overwrites_oldest():
    queue = Queue(6, 2, torch.Generator().manual_seed(0))
    batches = [torch.full((2, 2), float(i)) for i in range(1, 5)]
    for i, keys in enumerate(batches[:3]):
        queue.enqueue(keys)
        assert int(queue.ptr) == (2 * (i + 1)) % 6
    assert torch.equal(queue.keys[:, 0], torch.tensor([1.0, 1, 2, 2, 3, 3]))
    queue.enqueue(batches[3])  # wraps: the oldest (batch 1) is replaced
    assert int(queue.ptr) == 2
    assert torch.equal(queue.keys[:, 0], torch.tensor([4.0, 4, 2, 2, 3, 3]))


def test_queue_rejects_batch_not_dividing_size():
    queue = Queue(6, 2)
    with pytest.raises(ValueError, match="multiple"):
        queue.enqueue(torch.zeros(4, 2))


# --- momentum -------------------------------------------------------------------------------
def test_momentum_update_copies_freezes_and_averages():
    q_net, k_net = nn.Linear(3, 2), nn.Linear(3, 2)
    k_before = [p.clone() for p in k_net.parameters()]
    momentum_update(q_net, k_net, 1.0)
    assert all(torch.equal(a, b) for a, b in zip(k_net.parameters(), k_before))
    momentum_update(q_net, k_net, 0.75)
    for pk, pq, old in zip(k_net.parameters(), q_net.parameters(), k_before):
        assert torch.allclose(pk, 0.75 * old + 0.25 * pq)
    momentum_update(q_net, k_net, 0.0)
    assert all(torch.equal(a, b) for a, b in zip(k_net.parameters(), q_net.parameters()))


# --- intra ----------------------------------------------------------------------------------
def test_intra_step_shapes_queue_and_key_net_frozen():
    torch.manual_seed(0)
    moco = IntraMoCo(
        lambda: LinearNet(4),
        queue_size=8,
        momentum=0.9,
        temperature=0.1,
        representation="stg",
        dim=4,
        generator=torch.Generator().manual_seed(0),
    )
    x1, x2 = torch.randn(2, 4, 1, 5, 3, 3).unbind(0)
    out = moco(x1, x2)
    assert set(out.logits) == {"stg"} and out.logits["stg"].shape == (4, 9)
    assert int(moco.queues["stg"].ptr) == 4
    with torch.no_grad():
        keys = moco.key_nets["stg"](x2)
    assert torch.allclose(moco.queues["stg"].keys[:4], keys)  # the keys just computed
    assert not any(p.requires_grad for p in moco.key_nets.parameters())
    out.loss.backward()
    assert all(p.grad is not None for p in moco.query_nets.parameters())


def test_ema_runs_before_keys_are_computed():
    torch.manual_seed(0)
    moco = IntraMoCo(lambda: LinearNet(4), queue_size=4, momentum=0.0, temperature=0.5, dim=4)
    with torch.no_grad():  # the query net moves away from the key net's copy
        for p in moco.query_nets.parameters():
            p.add_(1.0)
    x = torch.randn(4, 1, 5, 3, 3)
    out = moco(x, x)  # same view: with m = 0 applied first, keys equal queries
    assert torch.allclose(out.logits["seq"][:, 0], torch.full((4,), 1 / 0.5), atol=1e-5)


# --- inter ----------------------------------------------------------------------------------
def test_inter_loss_uses_other_representations_key_and_queue():
    nets = {"seq": [1.0, 0.0, 0.0], "stg": [0.6, 0.8, 0.0]}
    moco = InterMoCo(
        lambda name: ConstNet(nets[name]),
        queue_size=2,
        momentum=0.999,
        temperature=0.5,
        representations=("seq", "stg"),
        dim=3,
    )
    u_seq, u_stg = torch.tensor([0.0, 0.0, 1.0]), torch.tensor([0.8, -0.6, 0.0])
    moco.queues["seq"].keys.copy_(u_seq.expand(2, 3))
    moco.queues["stg"].keys.copy_(u_stg.expand(2, 3))
    x = torch.zeros(2, 1, 4, 3, 3)
    out = moco(x, x)
    tau, k = 0.5, 2
    # seq query: positive = stg key (e_seq.e_stg = 0.6), negatives = stg queue (e_seq.u_stg = 0.8)
    l_seq = -math.log(math.exp(0.6 / tau) / (math.exp(0.6 / tau) + k * math.exp(0.8 / tau)))
    # stg query: positive = seq key (0.6), negatives = seq queue (e_stg.u_seq = 0)
    l_stg = -math.log(math.exp(0.6 / tau) / (math.exp(0.6 / tau) + k * math.exp(0.0)))
    assert set(out.logits) == {"seq->stg", "stg->seq"}
    assert torch.allclose(out.logits["seq->stg"][0], torch.tensor([0.6, 0.8, 0.8]) / tau)
    assert out.loss.item() == pytest.approx(l_seq + l_stg, rel=1e-5)
    assert out.accuracy == {"seq->stg": 0.0, "stg->seq": 1.0}
    # each queue now holds its own representation's keys
    assert torch.allclose(moco.queues["seq"].keys, torch.tensor(nets["seq"]).expand(2, 3))
    assert torch.allclose(moco.queues["stg"].keys, torch.tensor(nets["stg"]).expand(2, 3))


def test_inter_with_three_representations_has_all_ordered_pairs():
    moco = InterMoCo(
        lambda name: LinearNet(4),
        queue_size=4,
        momentum=0.9,
        temperature=0.1,
        representations=("seq", "img", "stg"),
        dim=4,
    )
    out = moco(torch.randn(2, 1, 5, 3, 3), torch.randn(2, 1, 5, 3, 3))
    assert sorted(out.logits) == sorted(
        ["seq->img", "seq->stg", "img->seq", "img->stg", "stg->seq", "stg->img"]
    )
    assert out.loss.item() == pytest.approx(
        sum(info_nce_loss(lg).item() for lg in out.logits.values()), rel=1e-6
    )


def test_inter_rejects_single_or_repeated_representation():
    with pytest.raises(ValueError, match="distinct"):
        InterMoCo(lambda name: LinearNet(), 4, 0.9, 0.1, representations=("seq",))
    with pytest.raises(ValueError, match="distinct"):
        InterMoCo(lambda name: LinearNet(), 4, 0.9, 0.1, representations=("seq", "seq"))
