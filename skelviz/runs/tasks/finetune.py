"""Task ``finetune``: the encoder and a new classifier trained together (Tables 2, 4 and 7).

Where linear evaluation (:mod:`skelviz.runs.tasks.linear`) freezes the encoder and trains one
linear layer on its features, fine-tuning trains **everything**: the encoder (in train mode, so
BatchNorm statistics move) and a new linear layer, end to end, with cross-entropy on labelled
sequences. The paper uses it three ways, all one task here:

- **semi-supervised** (Table 2): pretrain on every training sequence without labels, then
  fine-tune on a class-balanced ``label_fraction`` of them (1 %, 5 %, 10 %, 20 %);
- **supervised versus pretrained** (Table 7): all labels, ``init = "scratch"`` (the same
  architecture randomly initialised, the "supervised only" row) against ``init = "pretrained"``;
- **transfer** (Table 4): pretrain on ``source_dataset``, fine-tune on the run's dataset. Only the
  encoder's weights carry over; the classifier is new, so the target may have another class count.

Appendix A.1 gives one schedule for the semi-supervised and transfer settings, used here for all
three (the appendix states none for Table 7): Adam, lr 1e-4, 50 epochs, x0.1 after epochs 30 and
40, batch 64. Training sequences are random temporal crops (a ratio U(train_l_min, 1) of the valid
frames, resized to ``frames``, as the linear task); test sequences the centre crop, in eval mode.
The run reports the **last** epoch. The labelled subset depends only on the data and
``subset_seed`` (:func:`label_subset`), so pretrained and scratch runs see the same sequences;
``subset_seed`` with ``run.seed`` also seeds the classifier, the batch order and the crops, while
the encoder's initial weights (and the pretraining run) depend on ``run.seed`` alone.

Introduced in ``notebooks/07_finetune_semi_supervised_transfer``.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from skelviz.evaluate import extract_features
from skelviz.runs.config import Config, ConfigError, probed_representations
from skelviz.runs.data import RunData, layout_from_dict, load_run_data
from skelviz.runs.distributed import Rank
from skelviz.runs.engine import Fitted, GeneratorState, build_optimizer
from skelviz.runs.tasks import pretrain
from skelviz.runs.tasks.downstream import (
    ConcatEncoder,
    batch_bounds,
    classifier_step,
    labelled_batches,
    untrained_encoder,
)
from skelviz.runs.tasks.linear import confusion_matrix

NAME = "finetune"
SECTIONS = (*pretrain.SECTIONS, "finetune")

__all__ = [
    "FinetuneModel",
    "FinetuneJob",
    "label_subset",
    "source_config",
    "task_seeds",
]


# --- the labelled subset ---------------------------------------------------------------------
def label_subset(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Sorted indices of a class-balanced labelled subset: of every class present in ``labels``,
    ``round(fraction * n_class)`` sequences, at least one, drawn with ``seed``.

    Depends on nothing but ``labels``, ``fraction`` and ``seed``: a pretrained and a scratch run
    with the same ``subset_seed`` train on the same sequences. Each class's members are shuffled
    once whatever the fraction, so with one seed a smaller fraction's subset lies inside a larger
    one's (1 % inside 5 % inside 10 %).

    Introduced in ``notebooks/07_finetune_semi_supervised_transfer``.
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    chosen = []
    for c in np.unique(labels):  # ascending class ids
        members = np.flatnonzero(labels == c)  # (n_c,)
        shuffled = rng.permutation(members)
        take = max(1, int(np.floor(fraction * members.size + 0.5)))
        chosen.append(shuffled[:take])
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)


def task_seeds(config: Config) -> tuple[int, int, int]:
    """Seeds of the classifier's initial weights, the batch order and the crops: from
    ``run.seed`` and ``finetune.subset_seed`` together, so each repeat draws its own."""
    sequence = np.random.SeedSequence([config.run.seed, config.finetune.subset_seed])
    return tuple(int(s) for s in sequence.generate_state(3))


# --- where the encoder comes from ------------------------------------------------------------
def source_config(config: Config) -> Config:
    """The pretraining configuration of a transfer run: ``config`` with its data section naming
    the source dataset, protocol and reader options. Without a source, ``config`` itself."""
    ft = config.finetune
    if not ft.source_dataset:
        return config
    return config.replace(
        dataset=ft.source_dataset,
        protocol=ft.source_protocol or config.data.protocol,
        dataset_options=ft.source_dataset_options,
    )


def transfer(config: Config) -> bool:
    return bool(config.finetune.source_dataset) and config.finetune.init == "pretrained"


def _source_data(config: Config) -> RunData:
    """The source dataset of a transfer run, read from its default place (its environment
    variable such as ``SKELVIZ_NW_UCLA``, ``data/``, ``../shared/data``), cached per process."""
    return load_run_data(source_config(config), None)


def _pretraining_run(config: Config, upstream):
    """The pretraining run a pretrained fine-tuning starts from (reused or trained)."""
    if not transfer(config):
        return upstream("pretrain", config)
    return upstream("pretrain", source_config(config), data=_source_data(config))


def finetune_encoder(config: Config, data: RunData, upstream) -> tuple[ConcatEncoder, str]:
    """``(encoder, source)``: a trainable copy of the pretraining run's encoders of
    ``finetune.representation``, or with ``init = "scratch"`` the same encoders as pretraining
    starts them. ``source`` names the pretraining run (with its dataset when transferring) or
    says ``"scratch"``."""
    reps = probed_representations(config, "finetune")
    if config.finetune.init == "scratch":
        return untrained_encoder(config, "finetune", data.layout, data.num_persons), "scratch"
    pretrained = _pretraining_run(config, upstream)
    encoders = pretrained.encoders()
    encoder = ConcatEncoder({r: copy.deepcopy(encoders[r]) for r in reps})
    for p in encoder.parameters():
        p.requires_grad_(True)
    source = pretrained.name
    if transfer(config):
        source = f"{config.finetune.source_dataset}/{source}"
    return encoder, source


# --- the task --------------------------------------------------------------------------------
class FinetuneModel(nn.Module):
    """A trainable encoder and one new linear layer: ``(N, M, T, V, C) -> (N, classes)``."""

    def __init__(self, encoder: ConcatEncoder, num_classes: int, seed: int = 0):
        super().__init__()
        self.encoder = encoder
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.classifier = nn.Linear(encoder.feature_dim, num_classes)
            nn.init.normal_(self.classifier.weight, 0.0, 0.01)  # as the linear probe's
            nn.init.zeros_(self.classifier.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.encoder(x))  # (N, classes)


def run_name(config: Config) -> str:
    """E.g. ``seq_5pct_s0_from_inter_seq-stg``, ``seq_all_s0_scratch`` or, transferring,
    ``seq_all_s0_from_nw-ucla_inter_seq-stg``."""
    ft = config.finetune
    reps = "-".join(probed_representations(config, "finetune"))
    labels = "all" if ft.label_fraction == 1 else f"{100 * ft.label_fraction:g}pct"
    if ft.init == "scratch":
        source = "scratch"
    elif ft.source_dataset:
        source = f"from_{ft.source_dataset}_{pretrain.run_name(config)}"
    else:
        source = f"from_{pretrain.run_name(config)}"
    return f"{reps}_{labels}_s{ft.subset_seed}_{source}"


def adjust(config: Config, data: RunData) -> tuple[Config, list[str]]:
    """Fit the configuration to the data, and say why.

    Scratch runs read no pretraining run: a source dataset is dropped (a scratch run on the
    target is the transfer's baseline). A pretrained run's pretraining sections are fitted as the
    pretraining run fits them (queue size), on the source's training split when transferring;
    then the source data's fingerprint is recorded so that changed source files give a new run,
    and its skeleton layout is checked against the target's.
    """
    ft = config.finetune
    if ft.init == "scratch":
        if not ft.source_dataset:
            return config, []
        note = "finetune.source_dataset: dropped, a scratch run reads no pretraining run"
        fields = ("source_dataset", "source_protocol", "source_dataset_options",
                  "source_fingerprint")  # fmt: skip
        cleared = {f"finetune.{name}": "" for name in fields}
        cleared["finetune.source_dataset_options"] = ()
        return config.replace(**cleared), [note]
    if not ft.source_dataset:
        return pretrain.adjust(config, data)
    from skelviz.readers import DATASETS

    if ft.source_dataset not in DATASETS:
        raise ConfigError(
            f"finetune.source_dataset: unknown {ft.source_dataset!r}; known: {', '.join(DATASETS)}"
        )
    source = _source_data(config)
    a, b = source.layout, data.layout
    if (a.num_joints, source.num_persons) != (b.num_joints, data.num_persons):
        raise ConfigError(
            f"finetune.source_dataset: {source.train.name} has {a.num_joints} joints x "
            f"{source.num_persons} persons, {data.train.name} {b.num_joints} x {data.num_persons}; "
            "an encoder transfers only between equal skeleton shapes"
        )
    config, notes = pretrain.adjust(config, source)
    notes = [f"{n} (the source, {source.train.name})" for n in notes]
    if ft.source_fingerprint != source.fingerprint:
        config = config.replace(**{"finetune.source_fingerprint": source.fingerprint})
    return config, notes


def epochs(config: Config) -> int:
    return config.finetune.epochs


class FinetuneJob:
    """Train a :class:`FinetuneModel` (encoder and classifier) on a labelled subset, for the
    engine."""

    def __init__(self, config: Config, data: RunData, device, rank: Rank = Rank(), upstream=None):
        self.config, self.data, self.device = config, data, device
        ft = config.finetune
        encoder, self.source = finetune_encoder(config, data, upstream)
        self.encoder_before = {k: v.detach().clone() for k, v in encoder.state_dict().items()}
        classifier_seed, order_seed, crop_seed = task_seeds(config)
        self.model = FinetuneModel(encoder, data.train.num_classes, classifier_seed).to(device)
        self.labelled = label_subset(data.train.labels, ft.label_fraction, ft.subset_seed)
        self.labelled_set = data.train.subset(self.labelled)
        params = list(self.model.parameters())
        self.optimizer = build_optimizer(ft.optimizer, params, ft.lr, ft.momentum, ft.weight_decay)
        self.scheduler = torch.optim.lr_scheduler.MultiStepLR(
            self.optimizer, list(ft.milestones), ft.lr_gamma
        )
        self.data_gen = torch.Generator().manual_seed(order_seed)  # batch order
        self.crop_gen = torch.Generator(device=device).manual_seed(crop_seed)  # crops
        self.bounds = batch_bounds(len(self.labelled), ft.batch_size)
        self.steps_per_epoch = len(self.bounds)
        self.test_labels = torch.as_tensor(data.test.labels)

    def stateful(self) -> dict:
        return {
            "model": self.model, "optimizer": self.optimizer, "scheduler": self.scheduler,
            "data_generator": GeneratorState(self.data_gen),
            "crop_generator": GeneratorState(self.crop_gen),
        }  # fmt: skip

    def batches(self):
        return labelled_batches(self.labelled_set, self.bounds, self.data_gen)

    def step(self, batch) -> dict[str, float]:
        self.model.train()  # the encoder trains too: BatchNorm statistics update
        l_min = self.config.finetune.train_l_min
        return classifier_step(self.model, self.optimizer, batch, self.crop_gen, l_min, self.config)

    def test_predictions(self) -> torch.Tensor:
        """Test-split predictions from the centre crop, encoder in eval mode."""
        frames = self.config.data.frames
        self.model.eval()
        features = extract_features(self.model.encoder, self.data.test, frames, device=self.device)
        with torch.no_grad():
            return self.model.classifier(features.to(self.device)).argmax(dim=1).cpu()

    def end_epoch(self, epoch: int) -> dict:
        if epoch > 0:
            self.scheduler.step()
        every, last = self.config.finetune.test_every, epoch == self.config.finetune.epochs
        if not (epoch == 0 or last or epoch % every == 0):
            return {}
        top1 = (self.test_predictions() == self.test_labels).float().mean().item()
        return {"test_top1": top1}  # the curve; the reported number is the last epoch's

    def weights(self) -> dict:
        return self.model.state_dict()

    def encoder_change(self) -> dict[str, float]:
        """How far the encoder moved: the relative L2 change of its parameters, and how many of
        its tensors (parameters and BatchNorm buffers) differ from where training started."""
        after = self.model.encoder.state_dict()
        changed = [k for k, v in self.encoder_before.items() if not torch.equal(v, after[k].cpu())]
        names = [n for n, _ in self.model.encoder.named_parameters()]
        before = torch.cat([self.encoder_before[n].flatten().float() for n in names])
        now = torch.cat([after[n].detach().cpu().flatten().float() for n in names])
        relative = ((now - before).norm() / before.norm().clamp(min=1e-12)).item()
        return {"relative_l2": relative, "tensors_changed": len(changed), "tensors": len(after)}


def build_job(config, data, device, rank, upstream=None) -> FinetuneJob:
    return FinetuneJob(config, data, device, rank, upstream)


def metrics(job: FinetuneJob, fitted: Fitted) -> dict:
    """Top-1 of the last epoch, per-class accuracy, the confusion matrix, the labelled subset's
    size, where the encoder came from and how far fine-tuning moved it."""
    ft = job.config.finetune
    predicted = job.test_predictions()
    classes = job.data.train.num_classes
    matrix = confusion_matrix(job.test_labels, predicted, classes)  # (classes, classes)
    per_class = (matrix.diag() / matrix.sum(dim=1).clamp(min=1)).tolist()
    counts = np.bincount(job.data.train.labels[job.labelled], minlength=classes)
    return {
        "top1": (predicted == job.test_labels).float().mean().item(),
        "per_class_top1": dict(zip(job.data.train.class_names, per_class)),
        "confusion_matrix": matrix.tolist(),
        "class_names": list(job.data.train.class_names),
        "chance": 1.0 / classes,
        "init": ft.init,
        "source": job.source,
        "source_dataset": ft.source_dataset or job.data.train.name.split("[")[0],
        "representation": "+".join(probed_representations(job.config, "finetune")),
        "label_fraction": ft.label_fraction,
        "subset_seed": ft.subset_seed,
        "labelled_samples": len(job.labelled),
        "labelled_per_class": counts.tolist(),
        "train_samples": len(job.data.train),
        "encoder_change": job.encoder_change(),
    }


def load_model(config: Config, facts: dict) -> FinetuneModel:
    layout = layout_from_dict(facts["layout"])
    encoder = untrained_encoder(config, "finetune", layout, facts["num_persons"])
    return FinetuneModel(encoder, facts["num_classes"], task_seeds(config)[0])


def encoders(model: FinetuneModel) -> dict[str, nn.Module]:
    return dict(model.encoder.parts)
