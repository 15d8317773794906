"""Task ``knn``: kNN retrieval on frozen features (Section 4.3, Table 3), for several k.

As the released ``action_retrieval.py`` evaluates (k = 1 in the paper): features of the
deterministic centre crop, the training split as the labelled gallery, each test sequence
labelled by the cosine-nearest gallery sequences. One deliberate difference, stated in
``docs/released-code.md``: features are taken in eval mode (the released script stays in train
mode, so its BatchNorm made a sequence's feature depend on its batch). Nothing is trained: the
run has no epochs, and its metrics hold the accuracy for every k of ``knn.ks``, because k changes
the number a lot and papers differ in which k they report.

Introduced in ``notebooks/06_linear_and_knn``.
"""

from __future__ import annotations

from torch import nn

from skelviz.evaluate import extract_features, knn_accuracy
from skelviz.runs.config import Config, probed_representations
from skelviz.runs.data import RunData, layout_from_dict
from skelviz.runs.distributed import Rank
from skelviz.runs.engine import Fitted
from skelviz.runs.tasks import pretrain
from skelviz.runs.tasks.downstream import ConcatEncoder, frozen, source_encoder, untrained_encoder

NAME = "knn"
SECTIONS = (*pretrain.SECTIONS, "knn")

__all__ = ["KnnJob"]


def run_name(config: Config) -> str:
    reps = "-".join(probed_representations(config, "knn"))
    source = pretrain.run_name(config) if config.knn.pretrained else "untrained"
    return f"{reps}_from_{source}"


def adjust(config: Config, data: RunData) -> tuple[Config, list[str]]:
    return pretrain.adjust(config, data)


def epochs(config: Config) -> int:
    return 0  # nothing to train


class KnnJob:
    """Features of both splits from a frozen encoder; no training steps."""

    steps_per_epoch = 0

    def __init__(self, config: Config, data: RunData, device, rank: Rank = Rank(), upstream=None):
        self.config, self.data, self.device = config, data, device
        encoder, self.source = source_encoder(config, "knn", data, upstream)
        self.model = frozen(encoder).to(device)

    def stateful(self) -> dict:
        return {}

    def batches(self):
        return iter(())

    def step(self, batch) -> dict:
        raise AssertionError("the knn task has no training steps")

    def end_epoch(self, epoch: int) -> dict:
        return {}

    def weights(self) -> dict:
        return self.model.state_dict()


def build_job(config, data, device, rank, upstream=None) -> KnnJob:
    return KnnJob(config, data, device, rank, upstream)


def metrics(job: KnnJob, fitted: Fitted) -> dict:
    """Accuracy for every k (fractions), the feature size, and where the encoder came from."""
    frames, device = job.config.data.frames, job.device
    gallery = extract_features(job.model, job.data.train, frames, device=device)  # (N_train, D)
    queries = extract_features(job.model, job.data.test, frames, device=device)  # (N_test, D)
    train_labels, test_labels = job.data.train.labels, job.data.test.labels
    top1 = {
        str(k): knn_accuracy(gallery, train_labels, queries, test_labels, k)
        for k in job.config.knn.ks
        if k <= len(gallery)
    }
    return {
        "top1_by_k": top1,
        "knn_1nn": top1.get("1"),
        "feature_dim": int(gallery.shape[1]),
        "chance": 1.0 / job.data.train.num_classes,
        "source": job.source,
        "representation": "+".join(probed_representations(job.config, "knn")),
    }


def load_model(config: Config, facts: dict) -> ConcatEncoder:
    layout = layout_from_dict(facts["layout"])
    return frozen(untrained_encoder(config, "knn", layout, facts["num_persons"]))


def encoders(model: ConcatEncoder) -> dict[str, nn.Module]:
    return dict(model.parts)
