"""Frozen-feature evaluation: feature extraction with the test crop and cosine k-nearest neighbours.

The released ``action_retrieval.py`` protocol (paper Section 4.3, 3D action retrieval):
pre-head encoder features of a deterministic centre crop (95 % of the valid frames, resized to T),
L2-normalised, a cosine 1-NN classifier fit on the train split and scored on the test split. One
deliberate deviation, recorded here: features are taken in ``eval()`` mode under ``no_grad`` (the
released script stays in train mode, so BatchNorm and dropout made its STG/IMG features depend on
the batch). The kNN monitor of MoCo's CIFAR demo reuses the same functions during pretraining.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from skelviz.augment import center_crop_resize
from skelviz.dataset import SkeletonDataset

__all__ = ["extract_features", "knn_predict", "knn_accuracy", "knn_monitor", "knn_scores"]


# ---------------------------------------------------------------------------------------------
@torch.no_grad()
def extract_features(
    encoder: nn.Module,
    dataset: SkeletonDataset,
    frames: int = 64,
    ratio: float = 0.95,
    batch_size: int = 256,
    device: str | torch.device = "cpu",
) -> torch.Tensor:
    """Encoder features ``(N, D)`` (float32, on the CPU) of every sequence of ``dataset``.

    Each sequence is centre-cropped to ``ratio`` of its valid frames and resized to ``frames``
    (``skelviz.augment.center_crop_resize``), then encoded in ``eval()`` mode without gradients;
    the encoder's previous train/eval mode is restored afterwards. Chunks of ``batch_size``
    sequences are padded one at a time (``SkeletonDataset.batch``), so memory stays at a chunk.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    if len(dataset) == 0:
        raise ValueError(f"extract_features: {dataset.name} holds no sequences")
    was_training = encoder.training
    encoder.eval()
    try:
        chunks = []
        for start in range(0, len(dataset), batch_size):
            chunk = np.arange(start, min(start + batch_size, len(dataset)))  # (B,)
            x, lengths = dataset.batch(chunk)  # (B, M, T_b, V, C), (B,)
            x, lengths = torch.from_numpy(x).to(device), torch.from_numpy(lengths).to(device)
            crops = center_crop_resize(
                x, lengths, ratio=ratio, out_frames=frames
            )  # (B, M, T', V, C)
            chunks.append(encoder(crops).float().cpu())  # (B, D)
    finally:
        encoder.train(was_training)
    return torch.cat(chunks)  # (N, D)


# ---------------------------------------------------------------------------------------------
def knn_predict(
    train_feats: torch.Tensor | np.ndarray,
    train_labels: torch.Tensor | np.ndarray,
    test_feats: torch.Tensor | np.ndarray,
    k: int = 1,
    chunk: int = 1024,
) -> torch.Tensor:
    """Cosine k-NN labels ``(N_test,)``: majority vote of the k most similar train features.

    Ties between classes go to the smaller class id (scikit-learn's ``KNeighborsClassifier``
    with uniform weights does the same); for k = 1 the single nearest neighbour decides.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    gallery = F.normalize(torch.as_tensor(train_feats).float(), dim=1)  # (N_train, D)
    queries = F.normalize(torch.as_tensor(test_feats).float(), dim=1)  # (N_test, D)
    labels = torch.as_tensor(train_labels).long()  # (N_train,)
    if gallery.ndim != 2 or queries.ndim != 2:
        raise ValueError(
            f"knn: features must be (N, D), got {tuple(gallery.shape)} and {tuple(queries.shape)}"
        )
    if gallery.shape[0] != labels.shape[0]:
        raise ValueError(f"knn: {gallery.shape[0]} train features but {labels.shape[0]} labels")
    if gallery.shape[1] != queries.shape[1]:
        raise ValueError(f"knn: feature sizes differ ({gallery.shape[1]} vs {queries.shape[1]})")
    if not 1 <= k <= gallery.shape[0]:
        raise ValueError(f"knn: k={k} must lie in 1..{gallery.shape[0]} (train size)")
    num_classes = int(labels.max()) + 1
    predictions = []
    for start in range(0, queries.shape[0], chunk):
        sim = queries[start : start + chunk] @ gallery.T  # (n, N_train) cosine similarities
        nearest = sim.topk(k, dim=1).indices  # (n, k)
        votes = torch.zeros(sim.shape[0], num_classes)  # (n, classes)
        votes.scatter_add_(1, labels[nearest], torch.ones(nearest.shape))
        predictions.append(votes.argmax(dim=1))  # first maximum = smallest class id
    return torch.cat(predictions)


def knn_accuracy(
    train_feats: torch.Tensor | np.ndarray,
    train_labels: torch.Tensor | np.ndarray,
    test_feats: torch.Tensor | np.ndarray,
    test_labels: torch.Tensor | np.ndarray,
    k: int = 1,
) -> float:
    """Top-1 accuracy (a fraction in [0, 1]) of the cosine k-NN classifier.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    predicted = knn_predict(train_feats, train_labels, test_feats, k)
    return (predicted == torch.as_tensor(test_labels).long()).float().mean().item()


def knn_monitor(
    encoder: nn.Module,
    gallery: SkeletonDataset,
    queries: SkeletonDataset,
    frames: int = 64,
    k: int = 1,
    device: str | torch.device = "cpu",
) -> float:
    """Cosine k-NN accuracy of ``encoder``'s features: ``gallery`` labelled, ``queries`` scored.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    train_feats = extract_features(encoder, gallery, frames, device=device)
    test_feats = extract_features(encoder, queries, frames, device=device)
    return knn_accuracy(train_feats, gallery.labels, test_feats, queries.labels, k)


def knn_scores(
    encoder: nn.Module,
    train: SkeletonDataset,
    test: SkeletonDataset,
    validation: tuple[np.ndarray, np.ndarray],
    frames: int = 64,
    k: int = 1,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """``{"test": ..., "validation": ...}``: cosine k-NN accuracy with ``train`` as the gallery
    and ``test`` as queries, and inside ``train`` with ``validation = (gallery, queries)`` indices
    (``skelviz.runs.data.validation_split``). The train features are extracted once for both.

    Introduced in ``notebooks/04_intra_skeleton_moco``.
    """
    gallery, queries = validation
    train_feats = extract_features(encoder, train, frames, device=device)  # (N_train, D)
    test_feats = extract_features(encoder, test, frames, device=device)  # (N_test, D)
    return {
        "test": knn_accuracy(train_feats, train.labels, test_feats, test.labels, k),
        "validation": knn_accuracy(train_feats[gallery], train.labels[gallery],
                                   train_feats[queries], train.labels[queries], k),
    }  # fmt: skip
