"""Task ``pretrain``: intra- (paper Section 3.2, Eq. 5) and inter-skeleton (Section 3.3, Eqs. 6-8)
MoCo pretraining, as the released ``main_moco_{intra,inter}_skeleton.py`` run it.

The step (:func:`moco_step`) is the whole method in a screen: augment, encode, momentum update,
loss, backward, step, enqueue. Everything around it (epochs, checkpoints, progress, resuming) is
the engine's (:mod:`skelviz.runs.engine`). Weights depend only on ``run.seed``; batch order and
augmentations come from two generators saved with the run. The cosine kNN monitor runs before
training and every ``eval.monitor_every`` epochs, on the query and on the key (momentum) encoders,
twice: train part as the labelled gallery and test part as queries (its last value is the run's
kNN metric, reported, never used to choose), and inside the training part
(``RunData.validation``: N-UCLA's view 1 as gallery, view 2 as queries), the number recipes are
chosen on. Each record carries the training wall and CPU seconds so far.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from torch import nn

from skelviz.augment import AugmentConfig, TwoViewAugment
from skelviz.evaluate import knn_scores
from skelviz.moco import InterMoCo, IntraMoCo, SkeletonMoCo, info_nce_loss
from skelviz.performances import CameraPartners
from skelviz.runs.config import Config, ConfigError
from skelviz.runs.data import RunData
from skelviz.runs.distributed import Rank, mean_over_ranks, shard, wrap_ddp
from skelviz.runs.engine import Fitted, GeneratorState, build_optimizer, build_scheduler
from skelviz.skeleton import SkeletonLayout

NAME = "pretrain"
SECTIONS = ("data", "augment", "encoder", "moco", "optim", "eval", "run")

__all__ = ["augment_config", "build_moco", "moco_step", "PretrainJob", "knn_summary"]


# --- building --------------------------------------------------------------------------------
def run_name(config: Config) -> str:
    """``intra_seq`` or ``inter_seq-stg``."""
    return f"{config.mode}_{'-'.join(config.encoder.representations)}"


def augment_config(config: Config) -> AugmentConfig:
    """The :class:`skelviz.augment.AugmentConfig` of a run configuration."""
    a = config.augment
    return AugmentConfig(
        l_min=a.l_min, l_max=a.l_max, out_frames=config.data.frames,
        min_crop_frames=a.min_crop_frames, spatial=a.spatial, shear_amplitude=a.shear_amplitude,
        jitter_joints=a.jitter_joints, jitter_amplitude=a.jitter_amplitude,
        jitter_p_mask=a.jitter_p_mask,
    )  # fmt: skip


def embedding_net(
    config: Config, representation: str, layout: SkeletonLayout, num_persons: int
) -> nn.Module:
    """Encoder + MLP head (the released ``--mlp``) -> L2-normalised ``embed_dim`` embeddings."""
    from skelviz.encoders import EmbeddingNet, ProjectionHead, build_encoder

    enc = config.encoder
    encoder = build_encoder(
        representation, enc.preset, layout, num_persons, frames=config.data.frames,
        gru=enc.gru if representation == "seq" else "true",
        person_pool=enc.person_pool if representation == "stg" else "all",
    )  # fmt: skip
    hidden = enc.head_hidden or encoder.feature_dim
    head = ProjectionHead(
        encoder.feature_dim,
        hidden,
        enc.embed_dim,
        init=enc.head_init,
        representation=representation,
    )
    return EmbeddingNet(encoder, head)


def build_moco(config: Config, layout: SkeletonLayout, num_persons: int) -> SkeletonMoCo:
    """The untrained intra or inter MoCo module of ``config``; its weights depend only on the seed.

    Each representation's net is initialised from torch's global generator inside ``fork_rng``,
    seeded with ``run.seed`` (the caller's random state is left untouched), so an encoder starts
    from the same weights in intra and in inter pretraining.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """

    def factory(representation: str) -> nn.Module:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.run.seed)
            return embedding_net(config, representation, layout, num_persons)

    reps, m = config.encoder.representations, config.moco
    args = (m.queue_size, m.momentum, m.temperature)
    kwargs = dict(
        dim=config.encoder.embed_dim, generator=torch.Generator().manual_seed(config.run.seed)
    )
    if config.mode == "intra":
        return IntraMoCo(lambda: factory(reps[0]), *args, representation=reps[0], **kwargs)
    return InterMoCo(factory, *args, representations=reps, **kwargs)


def adjust(config: Config, data: RunData) -> tuple[Config, list[str]]:
    """Fit the batch, the learning rate and the queue to a small training set; say why.

    A training set of fewer than ``optim.min_steps_per_epoch`` batches gets batches of
    ``N // min_steps_per_epoch``, rounded down to a multiple of 4 (at least 4; ``torchrun`` with
    1, 2 or 4 processes splits it evenly): with 100 sequences and batches of 64 an epoch
    would be one step, and the epochs of a profile would train almost nothing. The learning
    rate shrinks with the batch (the linear scaling rule of Goyal et al. 2017, read backwards):
    on the synthetic set (batch 64 -> 24) Adam at the full 1e-3 left the inter pair's
    validation 1-NN below its untrained encoders, 3e-4 raised it (``docs/experiments.md``).
    Then the queue must stay below the keys one epoch enqueues (training samples in whole
    batches), or each sample's own older key sits in the queue as a negative.

    Each note starts with the name of the field it changed (``"lr 0.001 -> 0.000375: ..."``);
    :func:`skelviz.results.infer_profile` reads them so.
    """
    notes, n, b = [], len(data.train), config.optim.batch_size
    lr, want = config.optim.lr, config.optim.min_steps_per_epoch
    if want and n // b < want:
        fitted_batch = min(b, max(4, n // want // 4 * 4))  # a multiple of 4: 1, 2, 4 processes
        if fitted_batch != b:
            lr = config.optim.lr * fitted_batch / b
            notes.append(
                f"batch_size {b} -> {fitted_batch}: {n} training sequences make {n // b} "
                f"step(s) an epoch at {b}; min_steps_per_epoch asks for {want}"
            )
            notes.append(f"lr {config.optim.lr:g} -> {lr:.3g}: scaled with the batch")
            b = fitted_batch
    if n // b == 0:
        raise ConfigError(f"batch_size: {b} is larger than the {n} training sequences")
    per_epoch = (n // b) * b
    k = config.moco.queue_size
    fitted = max(b, min(k, per_epoch - b) // b * b)  # below one epoch of keys, whole batches
    if fitted != k:
        notes.append(
            f"queue_size {k} -> {fitted}: K must stay below the {per_epoch} keys one epoch "
            f"enqueues ({n} training sequences in batches of {b}) and hold whole batches"
        )
    if notes:
        config = config.replace(batch_size=b, lr=lr, queue_size=fitted)
    return config, notes


def epochs(config: Config) -> int:
    return config.optim.epochs


def build_job(config: Config, data: RunData, device: torch.device, rank: Rank, upstream=None):
    return PretrainJob(config, data, device, rank)


# --- the step --------------------------------------------------------------------------------
def moco_step(moco: SkeletonMoCo, query_nets: dict[str, nn.Module], optimizer, views, amp) -> tuple:
    """One MoCo step on two augmented views ``(N, M, T, V, C)``; returns ``(loss, logits)``.

    ``query_nets`` are ``moco.query_nets`` themselves, or their ``DistributedDataParallel``
    wrappers when several processes train (then ``backward`` also averages the gradients).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    view_q, view_k = views
    with amp:
        q = {r: net(view_q) for r, net in query_nets.items()}  # queries, r -> (N, D)
        with torch.no_grad():
            moco.momentum_update()  # theta_k <- m theta_k + (1 - m) theta_q, before the keys
            k = {r: net(view_k) for r, net in moco.key_nets.items()}  # keys, r -> (N, D)
    logits = moco.logits(q, k)  # term -> (N, 1 + K): positive in column 0, queue after it
    loss = sum(info_nce_loss(lg) for lg in logits.values())  # Eq. 5, or Eq. 6 for inter
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    moco.enqueue(k)  # each queue receives its own representation's keys
    return loss, logits


# --- the job the engine runs -----------------------------------------------------------------
class PretrainJob:
    """MoCo pretraining of ``config`` on ``data.train`` (labels unused), for the engine."""

    def __init__(self, config: Config, data: RunData, device: torch.device, rank: Rank = Rank()):
        self.config, self.data, self.device, self.rank = config, data, device, rank
        self.model = build_moco(config, data.layout, data.num_persons).to(device)
        self.query_nets = {
            r: wrap_ddp(net, rank, device) for r, net in self.model.query_nets.items()
        }
        o = config.optim
        params = [p for p in self.model.query_nets.parameters() if p.requires_grad]
        self.optimizer = build_optimizer(o.optimizer, params, o.lr, o.sgd_momentum, o.weight_decay)
        self.scheduler = build_scheduler(self.optimizer, o.epochs, o.schedule, o.milestones,
                                         o.lr_gamma, o.warmup_epochs)  # fmt: skip
        self.data_gen = torch.Generator().manual_seed(config.run.seed)  # batch order
        self.aug_gen = torch.Generator(device=device).manual_seed(config.run.seed + 1)  # views
        self.augment = TwoViewAugment(augment_config(config))
        # beyond the paper: keys from another camera's recording of the same performance
        self.partners = None
        if config.moco.cross_view_positives > 0:
            try:
                self.partners = CameraPartners(data.train)
            except ValueError as err:
                raise ConfigError(f"cross_view_positives: {err}") from None
        self.steps_per_epoch = len(data.train) // o.batch_size  # the last partial batch is dropped
        self.validation = data.validation()  # (gallery, queries) inside the training part
        use_amp = config.run.amp and device.type == "cuda"
        self.amp = (
            torch.autocast(device.type, dtype=torch.bfloat16)
            if use_amp
            else contextlib.nullcontext()
        )

    def stateful(self) -> dict:
        return {
            "model": self.model, "optimizer": self.optimizer, "scheduler": self.scheduler,
            "data_generator": GeneratorState(self.data_gen),
            "aug_generator": GeneratorState(self.aug_gen),
        }  # fmt: skip

    def batches(self):
        """``(x, lengths, key_rows)``: the padded batch and, for each sample, the row of ``x`` its
        key view is rendered from (itself; or, with cross-view positives, a partner row after
        the B samples)."""
        b = self.config.optim.batch_size
        order = torch.randperm(len(self.data.train), generator=self.data_gen)  # (N_train,)
        for step in range(self.steps_per_epoch):
            idx = order[step * b : (step + 1) * b].numpy()  # (B,)
            rows, key_rows = idx, torch.arange(b)  # the paper: each sample is its own key
            if self.partners is not None:
                keys = self.partners.draw(idx, self.config.moco.cross_view_positives, self.data_gen)
                rows, key_rows = np.concatenate([idx, keys]), torch.arange(b, 2 * b)
            x, lengths = self.data.train.batch(rows)  # (B or 2B, M, T_b, V, C), (B or 2B,)
            yield torch.from_numpy(x), torch.from_numpy(lengths), key_rows

    def step(self, batch) -> dict[str, float]:
        x, lengths, key_rows = (t.to(self.device, non_blocking=True) for t in batch)
        mine = shard(torch.arange(len(key_rows)), self.rank)  # every process draws all numbers
        # 2 x (B / world, M, T, V, C)
        views = self.augment(x, lengths, self.aug_gen, mine, key_rows)
        self.model.train()
        loss, logits = moco_step(self.model, self.query_nets, self.optimizer, views, self.amp)
        accuracy = [(lg.argmax(dim=1) == 0).float().mean().item() for lg in logits.values()]
        values = mean_over_ranks([loss.item(), *accuracy], self.rank, self.device)
        logged = {"loss": values[0], "lr": self.optimizer.param_groups[0]["lr"]}
        logged.update({f"accuracy/{term}": acc for term, acc in zip(logits, values[1:])})
        return logged

    def end_epoch(self, epoch: int) -> dict:
        if epoch > 0:
            self.scheduler.step()
        every, last = self.config.eval.monitor_every, epoch == self.config.optim.epochs
        if not self.rank.is_main or not (epoch == 0 or last or (every and epoch % every == 0)):
            return {}
        record: dict[str, dict[str, float]] = {}
        # the key (momentum) encoders only at the end: at epoch 0 they equal the query encoders,
        # and on the way they trail them; each evaluation encodes every sequence once more
        nets = [(self.model.query_nets, "")]
        if last:
            nets.append((self.model.key_nets, "_key"))
        for encoders, suffix in nets:
            for r, net in encoders.items():
                scores = knn_scores(
                    net.encoder,
                    self.data.train,
                    self.data.test,
                    self.validation,
                    self.config.data.frames,
                    self.config.eval.knn_k,
                    self.device,
                )
                record.setdefault(f"knn{suffix}", {})[r] = scores["test"]
                record.setdefault(f"knn_val{suffix}", {})[r] = scores["validation"]
        return record  # knn / knn_val: query encoders; knn_key / knn_val_key: key encoders

    def weights(self) -> dict:
        return self.model.state_dict()


# --- results ---------------------------------------------------------------------------------
def knn_summary(history: dict) -> dict[str, dict[str, float]]:
    """``{representation: {"untrained", "pretrained", "epoch", ...}}`` from the monitor's records:
    test-part 1-NN before and after training, and after training the validation 1-NN
    (``"validation"``) and both again for the key encoder (``"key"``, ``"validation_key"``).

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    records = [r for r in history["epochs"] if "knn" in r]
    if not records:
        return {}
    first, last = records[0], records[-1]
    extra = {"validation": "knn_val", "key": "knn_key", "validation_key": "knn_val_key"}
    return {
        r: {"untrained": first["knn"][r], "pretrained": last["knn"][r], "epoch": last["epoch"],
            **{name: last[field][r] for name, field in extra.items() if field in last}}
        for r in first["knn"]
    }  # fmt: skip


def metrics(job: PretrainJob, fitted: Fitted) -> dict:
    """The run's numbers: kNN before/after per representation, mean loss of epochs 1, 2 and the
    last, contrastive accuracy of the last epoch (fractions, not percent).

    Epoch 1 starts with a queue of random unit vectors, easy negatives, so its loss sits below
    that of epoch 2, the first whose queue holds only real keys (K is below one epoch of keys):
    compare the last epoch with epoch 2 to see whether training lowered the loss.
    """
    steps, n = fitted.history["steps"], job.steps_per_epoch

    def epoch_mean(values: list[float], epoch: int) -> float:  # epoch 1-based; -1 = the last
        part = values[-n:] if epoch == -1 else values[(epoch - 1) * n : epoch * n]
        return sum(part) / len(part) if part else float("nan")

    accuracy_terms = {k.split("/", 1)[1]: v for k, v in steps.items() if k.startswith("accuracy/")}
    return {
        "knn": knn_summary(fitted.history),
        "knn_k": job.config.eval.knn_k,
        "loss_epoch_1": epoch_mean(steps["loss"], 1),
        "loss_epoch_2": epoch_mean(steps["loss"], 2) if fitted.epochs_done >= 2 else None,
        "loss_last_epoch": epoch_mean(steps["loss"], -1),
        "contrastive_top1_last_epoch": {t: epoch_mean(v, -1) for t, v in accuracy_terms.items()},
        "contrastive_chance": 1.0 / (1 + job.config.moco.queue_size),
        "steps": len(steps["loss"]),
    }


def load_model(config: Config, facts: dict) -> SkeletonMoCo:
    """An untrained model of the run's shape, for :meth:`skelviz.runs.api.RunResult.model`."""
    from skelviz.runs.data import layout_from_dict

    return build_moco(config, layout_from_dict(facts["layout"]), facts["num_persons"])


def encoders(model: SkeletonMoCo) -> dict[str, nn.Module]:
    """Each representation's query encoder without its projection head."""
    return {r: net.encoder for r, net in model.query_nets.items()}
