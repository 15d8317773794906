"""Task ``linear``: linear evaluation of frozen features (Section 4.3, Table 1; Appendix A.1).

As the released ``action_classification.py`` and MoCo's ``main_lincls.py`` do it: the encoder is
frozen (projection head dropped, eval mode, so BatchNorm statistics stay fixed), one linear layer
initialised N(0, 0.01) with zero bias is trained with SGD on random crops (a ratio U(crop_l_min, 1)
of the valid frames, resized to ``frames``), and the test split is classified from its centre
crop. The run reports the accuracy of the **last** epoch; the released code's best epoch on the
test split is recorded too, labelled as test-set selection (optimistic, never the default). A
sanity check as in ``main_lincls``: after training every backbone tensor is unchanged and only the
classifier's two tensors were trained.

Two options beyond the paper: ``linear.standardize`` scales each feature by the mean and standard
deviation of the training part's centre-crop features before the linear layer (a fixed affine
map, so the classifier stays linear; MAE's linear probe does the same with a BatchNorm without
affine parameters), and ``linear.split = "validation"`` trains on the validation gallery and
scores the validation queries (``RunData.validation``), so probe settings are chosen without the
test part.

Introduced in ``notebooks/06_linear_and_knn``.
"""

from __future__ import annotations

import torch
from torch import nn

from skelviz.evaluate import extract_features
from skelviz.runs.config import Config, probed_representations
from skelviz.runs.data import RunData, layout_from_dict
from skelviz.runs.distributed import Rank
from skelviz.runs.engine import Fitted, GeneratorState
from skelviz.runs.tasks import pretrain
from skelviz.runs.tasks.downstream import (
    ConcatEncoder,
    batch_bounds,
    classifier_step,
    frozen,
    labelled_batches,
    source_encoder,
    untrained_encoder,
)

NAME = "linear"
SECTIONS = (*pretrain.SECTIONS, "linear")

__all__ = ["LinearProbe", "LinearJob", "confusion_matrix"]


class LinearProbe(nn.Module):
    """A frozen encoder and one linear layer: ``(N, M, T, V, C) -> (N, classes)``."""

    def __init__(self, encoder: ConcatEncoder, num_classes: int, seed: int = 0):
        super().__init__()
        self.encoder = frozen(encoder)
        self.register_buffer("feature_mean", torch.zeros(encoder.feature_dim))  # (D,)
        self.register_buffer("feature_std", torch.ones(encoder.feature_dim))  # (D,)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.classifier = nn.Linear(encoder.feature_dim, num_classes)
            nn.init.normal_(self.classifier.weight, 0.0, 0.01)  # the released fc init
            nn.init.zeros_(self.classifier.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            features = self.encoder.eval()(x)  # (N, D), frozen
        return self.classify(features)  # (N, classes)

    def classify(self, features: torch.Tensor) -> torch.Tensor:
        """Encoder features ``(N, D)`` -> logits ``(N, classes)``."""
        return self.classifier((features - self.feature_mean) / self.feature_std)

    @torch.no_grad()
    def standardize_with(self, features: torch.Tensor) -> None:
        """Fix the feature scaling to the mean / std of ``features`` ``(N, D)``. A feature that
        is constant on them (a ReLU unit dead on every training sequence) keeps scale 1: dividing
        by a tiny std would blow up the few test sequences on which it is alive."""
        std = features.std(dim=0)  # (D,)
        self.feature_mean.copy_(features.mean(dim=0))
        self.feature_std.copy_(torch.where(std > 1e-6, std, torch.ones_like(std)))


def confusion_matrix(labels: torch.Tensor, predicted: torch.Tensor, classes: int) -> torch.Tensor:
    """``(classes, classes)`` counts, rows = true class, columns = predicted class."""
    flat = labels.long() * classes + predicted.long()  # (N,)
    return torch.bincount(flat, minlength=classes * classes).reshape(classes, classes)


def run_name(config: Config) -> str:
    reps = "-".join(probed_representations(config, "linear"))
    source = pretrain.run_name(config) if config.linear.pretrained else "untrained"
    if config.linear.pretrained and config.linear.separately:
        source = "intra_separately"
    return f"{reps}_from_{source}" + ("_validation" if config.linear.split == "validation" else "")


def adjust(config: Config, data: RunData) -> tuple[Config, list[str]]:
    return pretrain.adjust(config, data)  # the pretraining run it reads is keyed the same way


def epochs(config: Config) -> int:
    return config.linear.epochs


class LinearJob:
    """Train the linear layer of a :class:`LinearProbe`, for the engine."""

    def __init__(self, config: Config, data: RunData, device, rank: Rank = Rank(), upstream=None):
        self.config, self.data, self.device = config, data, device
        encoder, self.source = source_encoder(config, "linear", data, upstream)
        lin, frames = config.linear, config.data.frames
        self.fit_part, self.eval_part = data.train, data.test
        if lin.split == "validation":
            gallery, queries = data.validation()
            self.fit_part, self.eval_part = data.train.subset(gallery), data.train.subset(queries)
        self.model = LinearProbe(encoder, data.train.num_classes, config.run.seed).to(device)
        if lin.standardize:
            fit_features = extract_features(
                self.model.encoder, self.fit_part, frames, device=device
            )
            self.model.standardize_with(fit_features.to(device))
        self.backbone_before = {k: v.clone() for k, v in self.model.encoder.state_dict().items()}
        self.optimizer = torch.optim.SGD(
            self.model.classifier.parameters(), lr=lin.lr, momentum=lin.momentum,
            weight_decay=lin.weight_decay,
        )  # fmt: skip
        self.scheduler = torch.optim.lr_scheduler.MultiStepLR(
            self.optimizer, list(lin.milestones), lin.lr_gamma
        )
        self.data_gen = torch.Generator().manual_seed(config.run.seed + 2)  # batch order
        self.crop_gen = torch.Generator(device=device).manual_seed(config.run.seed + 3)  # crops
        self.bounds = batch_bounds(len(self.fit_part), lin.batch_size)
        self.steps_per_epoch = len(self.bounds)
        self.test_features = extract_features(self.model.encoder, self.eval_part, frames,
                                              device=device)  # fmt: skip
        self.test_labels = torch.as_tensor(self.eval_part.labels)

    def stateful(self) -> dict:
        return {
            "classifier": self.model.classifier, "optimizer": self.optimizer,
            "scheduler": self.scheduler, "data_generator": GeneratorState(self.data_gen),
            "crop_generator": GeneratorState(self.crop_gen),
        }  # fmt: skip

    def batches(self):
        return labelled_batches(self.fit_part, self.bounds, self.data_gen)

    def step(self, batch) -> dict[str, float]:
        l_min = self.config.linear.crop_l_min
        return classifier_step(self.model, self.optimizer, batch, self.crop_gen, l_min, self.config)

    def test_predictions(self) -> torch.Tensor:
        with torch.no_grad():
            return self.model.classify(self.test_features.to(self.device)).argmax(dim=1).cpu()

    def end_epoch(self, epoch: int) -> dict:
        if epoch > 0:
            self.scheduler.step()
        top1 = (self.test_predictions() == self.test_labels).float().mean().item()
        return {"test_top1": top1}  # the curve; the reported number is the last epoch's

    def weights(self) -> dict:
        return self.model.state_dict()

    def sanity_check(self) -> list[str]:
        """MoCo ``main_lincls``: the backbone is bit-identical, only the classifier trained."""
        after = self.model.encoder.state_dict()
        changed = [k for k, v in self.backbone_before.items() if not torch.equal(v, after[k])]
        if changed:
            raise RuntimeError(f"linear evaluation changed frozen backbone tensors: {changed[:5]}")
        trainable = [n for n, p in self.model.named_parameters() if p.requires_grad]
        if trainable != ["classifier.weight", "classifier.bias"]:
            raise RuntimeError(f"linear evaluation trained {trainable}, not the classifier alone")
        return trainable


def build_job(config, data, device, rank, upstream=None) -> LinearJob:
    return LinearJob(config, data, device, rank, upstream)


def metrics(job: LinearJob, fitted: Fitted) -> dict:
    """Top-1 of the last epoch, per-class accuracy, the confusion matrix, the sanity check."""
    trained = job.sanity_check()
    predicted = job.test_predictions()
    classes = job.data.train.num_classes
    matrix = confusion_matrix(job.test_labels, predicted, classes)  # (classes, classes)
    per_class = (matrix.diag() / matrix.sum(dim=1).clamp(min=1)).tolist()
    curve = [r["test_top1"] for r in fitted.history["epochs"] if r["epoch"] > 0]
    return {
        "top1": (predicted == job.test_labels).float().mean().item(),
        "top1_best_test_epoch": max(curve) if curve else None,  # test-set selection: optimistic
        "per_class_top1": dict(zip(job.data.train.class_names, per_class)),
        "confusion_matrix": matrix.tolist(),
        "class_names": list(job.data.train.class_names),
        "chance": 1.0 / classes,
        "split": job.config.linear.split,  # "validation": scored inside the train part
        "source": job.source,
        "representation": "+".join(probed_representations(job.config, "linear")),
        "inference_parameters": sum(p.numel() for p in job.model.parameters()),
        "trained_tensors": trained,
        "backbone_unchanged": True,
    }


def load_model(config: Config, facts: dict) -> LinearProbe:
    layout = layout_from_dict(facts["layout"])
    encoder = untrained_encoder(config, "linear", layout, facts["num_persons"])
    return LinearProbe(encoder, facts["num_classes"], config.run.seed)


def encoders(model: LinearProbe) -> dict[str, nn.Module]:
    return dict(model.encoder.parts)
