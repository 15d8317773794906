"""Skeleton augmentations of paper Section 3.1, batched and vectorised in torch.

* Pose augmentation (Eq. 1): a 3D shear ``p' = S p`` with ``S = I + off-diagonals ~ U(-a, a)``,
  one matrix per sample, applied to every joint, frame and person.
* Joint jittering (Eq. 2), as the released ``joint_courruption`` does it: pick ``|j|`` joints
  (15 of 25 in the released code; proportional, ``round(15 V / 25)``, for other layouts); with
  probability ``p_mask`` (0.5) set them to zero, otherwise map them by one random 3x3 matrix with
  all nine entries ~ U(-a, a) (``p' = R^T p``, i.e. ``x @ R`` as released).
* Temporal crop-resize (Eq. 3): ``L_ratio ~ U(l_min, l_max)``, crop length
  ``L = clip(floor(nf * L_ratio), min_crop_frames, nf)``, start uniform in ``[0, nf - L]``, then
  linear interpolation to ``out_frames`` with half-pixel centres (``F.interpolate(...,
  align_corners=False)``). The released code hides ``min_crop_frames = 64``; here it is explicit
  and defaults to the paper's formula (1).
* Spatio-temporal composition (Eq. 4): temporal crop-resize, then one spatial augmentation, fixed
  (``"shear"``, ``"jitter"``) or chosen per sample by a fair coin (``"random"``, as released).

Every function takes the canonical padded batch ``x: (N, M, T, V, C)`` with valid lengths
``lengths: (N,)`` where time matters, and an explicit ``torch.Generator``: random numbers are drawn
on the generator's device, all of them in a fixed order whatever branch a sample takes, so the same
seed gives the same numbers. Zero (missing) joints stay zero under the linear maps.

The training path (``TwoViewAugment``) draws every number of a batch of views in one call (a row
of ``22 + V`` uniforms per view, columns ``U_*``) and renders the views with ``render_views``: two
batched torch steps on any device, the crop-resize as one gather (``resample_windows``) and the
shear / jitter maps as one block-diagonal matmul (``apply_joint_maps``).

Introduced in ``notebooks/01_augmentations_3d``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

__all__ = [
    "AugmentConfig",
    "default_jitter_joints",
    "sample_crop_windows",
    "resample_windows",
    "temporal_crop_resize",
    "center_crop_resize",
    "sample_shear_matrices",
    "apply_joint_maps",
    "apply_linear_map",
    "spatial_joint_matrices",
    "apply_spatial",
    "pose_shear",
    "sample_jitter",
    "apply_jitter",
    "joint_jitter",
    "draw_view_uniforms",
    "crop_windows_from_uniforms",
    "shear_from_uniforms",
    "jitter_joint_count",
    "jitter_from_uniforms",
    "joint_maps_from_uniforms",
    "view_params_from_uniforms",
    "render_views",
    "spatio_temporal_augment",
    "TwoViewAugment",
]

SPATIAL_MODES = ("random", "shear", "jitter", "none")


@dataclass(frozen=True)
class AugmentConfig:
    """Knobs of the spatio-temporal augmentation (defaults: the paper / released code).

    Introduced in ``notebooks/01_augmentations_3d``.
    """

    l_min: float = 0.1  # smallest crop ratio (paper: l_min = 0.1)
    l_max: float = 1.0
    out_frames: int = 64  # resampled length (released code: 64)
    min_crop_frames: int = 1  # released code: 64 (hidden); 1 = the paper's formula
    temporal: bool = True  # False: resize the whole valid sequence, no crop
    spatial: str = "random"  # "random" | "shear" | "jitter" | "none"
    p_shear: float = 0.5  # probability of shear when spatial == "random"
    shear_amplitude: float = 1.0  # off-diagonals ~ U(-a, a)
    jitter_joints: int | None = None  # None: round(15 * V / 25)
    jitter_amplitude: float = 1.0
    jitter_p_mask: float = 0.5  # zero-mask with this probability, else random linear map

    def __post_init__(self) -> None:
        if not 0.0 < self.l_min <= self.l_max <= 1.0:
            raise ValueError(
                f"need 0 < l_min <= l_max <= 1, got l_min={self.l_min}, l_max={self.l_max}"
            )
        if self.out_frames < 1 or self.min_crop_frames < 1:
            raise ValueError("out_frames and min_crop_frames must be >= 1")
        if self.spatial not in SPATIAL_MODES:
            raise ValueError(f"spatial must be one of {SPATIAL_MODES}, got {self.spatial!r}")
        for name in ("p_shear", "jitter_p_mask"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {getattr(self, name)}")
        if self.shear_amplitude < 0 or self.jitter_amplitude < 0:
            raise ValueError("amplitudes must be >= 0")
        if self.jitter_joints is not None and self.jitter_joints < 0:
            raise ValueError(f"jitter_joints must be >= 0, got {self.jitter_joints}")


def default_jitter_joints(num_joints: int) -> int:
    """15 of 25 joints as released, scaled to other layouts (12 of 20)."""
    return round(15 * num_joints / 25)


# ---------------------------------------------------------------------------------------------
def _check_batch(x: torch.Tensor, lengths: torch.Tensor | None = None) -> None:
    if x.ndim != 5 or x.shape[-1] != 3:
        raise ValueError(f"expected a batch of shape (N, M, T, V, 3), got {tuple(x.shape)}")
    if lengths is not None:
        if lengths.shape != (x.shape[0],):
            raise ValueError(f"lengths must have shape ({x.shape[0]},), got {tuple(lengths.shape)}")
        if len(lengths) and (int(lengths.min()) < 1 or int(lengths.max()) > x.shape[2]):
            raise ValueError(
                f"lengths must lie in 1..{x.shape[2]} (T), got {lengths.tolist()[:8]}..."
            )


def _scale(u: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """U(0, 1) draws -> U(low, high), in u's dtype (float32)."""
    return low + (high - low) * u


def _rand(shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    return torch.rand(shape, generator=generator, device=generator.device)


# Every random number of one view of one sample comes from one row of U(0, 1) draws, in these
# columns, so a batch of views is a single ``torch.rand`` call (``draw_view_uniforms``).
U_RATIO, U_START = 0, 1  # crop ratio, crop start
U_SHEAR = 2  # 9 columns: the shear matrix, row-major (the diagonal ones are unused)
U_JITTER = 11  # 9 columns: the jitter matrix R, row-major
U_ZERO, U_COIN = 20, 21  # jitter zero-mask coin, shear-or-jitter coin
U_SCORES = 22  # V columns: joint scores, the jittered joints are the |j| smallest


def draw_view_uniforms(n: int, num_joints: int, generator: torch.Generator) -> torch.Tensor:
    """(N, 22 + V) U(0, 1) draws: all random numbers of one view per sample (columns ``U_*``)."""
    return _rand((n, U_SCORES + num_joints), generator)


# --- temporal -------------------------------------------------------------------------------
def sample_crop_windows(
    lengths: torch.Tensor,
    generator: torch.Generator,
    l_min: float = 0.1,
    l_max: float = 1.0,
    min_crop_frames: int = 1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random crop windows ``(start (N,), crop_length (N,))`` inside each valid length."""
    n = lengths.shape[0]
    u_ratio, u_start = _rand((n,), generator), _rand((n,), generator)
    return crop_windows_from_uniforms(lengths, u_ratio, u_start, l_min, l_max, min_crop_frames)


def crop_windows_from_uniforms(
    lengths: torch.Tensor,
    u_ratio: torch.Tensor,
    u_start: torch.Tensor,
    l_min: float = 0.1,
    l_max: float = 1.0,
    min_crop_frames: int = 1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Eq. 3's window from two U(0, 1) draws per sample: ``(start (N,), crop_length (N,))``."""
    nf = lengths.to(u_ratio.device)
    ratio = _scale(u_ratio, l_min, l_max)  # (N,) float32
    crop = torch.floor(nf * ratio).long().clamp(min=min_crop_frames)
    crop = torch.minimum(crop, nf).clamp(min=1)  # (N,)
    start = torch.floor(u_start * (nf - crop + 1))
    start = torch.minimum(start.long(), nf - crop)  # guard u -> 1.0
    return start.to(lengths.device), crop.to(lengths.device)


def resample_windows(
    x: torch.Tensor, start: torch.Tensor, crop: torch.Tensor, out_frames: int
) -> torch.Tensor:
    """Linearly resample ``x[n, :, start_n : start_n + crop_n]`` to ``out_frames`` frames.

    Same numbers as ``F.interpolate(mode="linear", align_corners=False)`` on each window. Every
    output frame is a weighted sum of two rows of the ``(N*M*T, V*C)`` frame table, which
    ``F.embedding_bag(mode="sum")`` computes in one fused gather on every device.
    (N, M, T, V, C) -> (N, M, out_frames, V, C)
    """
    n, m, t, v, c = x.shape
    start, crop = start.to(x.device), crop.to(x.device)
    i = torch.arange(out_frames, device=x.device, dtype=torch.float64)  # (T',)
    scale = crop.double()[:, None] / out_frames  # (N, 1)
    src = ((i[None] + 0.5) * scale - 0.5).clamp(min=0)  # (N, T') position inside the window
    i0 = src.floor().long()
    i1 = torch.minimum(i0 + 1, crop[:, None] - 1)
    weight = torch.where(i1 == i0, 0.0, src - i0).to(x.dtype)  # (N, T'); exact copy at the ends
    first_row = (torch.arange(n * m, device=x.device) * t).view(n, m, 1, 1)  # row of frame 0
    frames = torch.stack([i0, i1], dim=-1) + start.view(n, 1, 1)  # (N, T', 2)
    rows = (first_row + frames[:, None]).reshape(-1, 2)  # (N*M*T', 2)
    weights = torch.stack([1 - weight, weight], dim=-1)[:, None].expand(n, m, out_frames, 2)
    table = x.reshape(n * m * t, v * c)
    out = F.embedding_bag(rows, table, per_sample_weights=weights.reshape(-1, 2), mode="sum")
    return out.view(n, m, out_frames, v, c)


def temporal_crop_resize(
    x: torch.Tensor,
    lengths: torch.Tensor,
    generator: torch.Generator,
    l_min: float = 0.1,
    l_max: float = 1.0,
    out_frames: int = 64,
    min_crop_frames: int = 1,
) -> torch.Tensor:
    """Eq. 3: a random crop of U(l_min, l_max) of the valid frames, resized to ``out_frames``."""
    _check_batch(x, lengths)
    start, crop = sample_crop_windows(lengths, generator, l_min, l_max, min_crop_frames)
    return resample_windows(x, start, crop, out_frames)


def center_crop_resize(
    x: torch.Tensor, lengths: torch.Tensor, ratio: float = 0.95, out_frames: int = 64
) -> torch.Tensor:
    """Deterministic evaluation crop (released ``crop_subsequence`` test branch).

    Keeps ``[s, nf - s)`` with ``s = int((1 - ratio) * nf / 2)``, resized to ``out_frames``.
    """
    _check_batch(x, lengths)
    if not 0.0 < ratio <= 1.0:
        raise ValueError(f"ratio must lie in (0, 1], got {ratio}")
    start = torch.floor((1.0 - ratio) * lengths.double() / 2).long()  # (N,)
    return resample_windows(x, start, lengths - 2 * start, out_frames)


# --- spatial --------------------------------------------------------------------------------
def sample_shear_matrices(
    n: int, generator: torch.Generator, amplitude: float = 1.0
) -> torch.Tensor:
    """(N, 3, 3) shear matrices: ones on the diagonal, off-diagonals ~ U(-a, a) (Eq. 1)."""
    return shear_from_uniforms(_rand((n, 3, 3), generator), amplitude)


def shear_from_uniforms(u: torch.Tensor, amplitude: float = 1.0) -> torch.Tensor:
    """(N, 3, 3) U(0, 1) draws -> shear matrices (diagonal 1, off-diagonals U(-a, a))."""
    s = _scale(u, -amplitude, amplitude)
    eye = torch.eye(3, device=s.device, dtype=s.dtype)
    return s * (1 - eye) + eye


def apply_joint_maps(x: torch.Tensor, matrices: torch.Tensor) -> torch.Tensor:
    """``p' = A_{n,v} p`` with one 3x3 matrix per sample and joint. matrices: (N, V, C, C).

    The per-joint matrices are laid on the diagonal of one ``(V*C, V*C)`` block matrix per sample,
    so a whole batch is a single matmul ``(N, M*T, V*C) @ (N, V*C, V*C)`` on the canonical layout
    (much faster on a CPU than a 3x3 matmul per point). (N, M, T, V, C) -> (N, M, T, V, C)
    """
    n, m, t, v, c = x.shape
    block = torch.zeros(n, v, c, v, c, device=x.device, dtype=x.dtype)
    joints = torch.arange(v, device=x.device)
    # block[n, v, c_in, v, d_out] = A[n, v, d_out, c_in]; advanced indices put V first
    block[:, joints, :, joints, :] = (
        matrices.to(x.device, x.dtype).transpose(-1, -2).transpose(0, 1)
    )
    rows = x.reshape(n, m * t, v * c)  # (N, M*T, V*C)
    return torch.bmm(rows, block.view(n, v * c, v * c)).view(x.shape)


def apply_linear_map(x: torch.Tensor, matrices: torch.Tensor) -> torch.Tensor:
    """``p' = A_n p`` for every joint of sample n. (N, M, T, V, C), (N, C, C) -> (N, M, T, V, C)"""
    n, v = x.shape[0], x.shape[3]
    return apply_joint_maps(x, matrices[:, None].expand(n, v, 3, 3))


def spatial_joint_matrices(
    matrices: torch.Tensor, map_joint: torch.Tensor, zero_joint: torch.Tensor
) -> torch.Tensor:
    """(N, V, C, C) per-joint maps: ``A_n`` where ``map_joint``, 0 where ``zero_joint``, else I."""
    n, v = map_joint.shape
    eye = torch.eye(3, device=matrices.device, dtype=matrices.dtype).expand(n, v, 3, 3)
    per_joint = torch.where(map_joint[..., None, None], matrices[:, None], eye)
    return torch.where(zero_joint[..., None, None], torch.zeros_like(per_joint), per_joint)


def apply_spatial(
    x: torch.Tensor, matrices: torch.Tensor, map_joint: torch.Tensor, zero_joint: torch.Tensor
) -> torch.Tensor:
    """Joint-wise spatial augmentation: ``A_n p`` where ``map_joint``, 0 where ``zero_joint``.

    ``matrices (N, C, C)``; ``map_joint``, ``zero_joint`` ``(N, V)`` bool. Shear maps every joint,
    jittering maps or zeroes a subset: both (and a per-sample mix of them) are one matmul.
    """
    dev = matrices.device
    per_joint = spatial_joint_matrices(matrices, map_joint.to(dev), zero_joint.to(dev))
    return apply_joint_maps(x, per_joint)


def pose_shear(x: torch.Tensor, generator: torch.Generator, amplitude: float = 1.0) -> torch.Tensor:
    """Eq. 1: one random shear per sample, every joint, frame and person."""
    _check_batch(x)
    return apply_linear_map(x, sample_shear_matrices(x.shape[0], generator, amplitude))


def sample_jitter(
    n: int,
    num_joints: int,
    generator: torch.Generator,
    jitter_joints: int | None = None,
    p_mask: float = 0.5,
    amplitude: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Jitter parameters: ``(joint_mask (N, V) bool, zero_mode (N,) bool, matrices (N, 3, 3))``.

    ``jitter_joints`` joints per sample, drawn uniformly without replacement.
    """
    scores = _rand((n, num_joints), generator)  # (N, V)
    u_zero, u_matrix = _rand((n,), generator), _rand((n, 3, 3), generator)
    return jitter_from_uniforms(scores, u_zero, u_matrix, jitter_joints, p_mask, amplitude)


def jitter_joint_count(num_joints: int, jitter_joints: int | None) -> int:
    """``|j|``: the configured count, or ``round(15 V / 25)``; checked against the layout."""
    k = default_jitter_joints(num_joints) if jitter_joints is None else jitter_joints
    if not 0 <= k <= num_joints:
        raise ValueError(f"jitter_joints must lie in 0..{num_joints}, got {k}")
    return k


def jitter_from_uniforms(
    scores: torch.Tensor,
    u_zero: torch.Tensor,
    u_matrix: torch.Tensor,
    jitter_joints: int | None = None,
    p_mask: float = 0.5,
    amplitude: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Jitter parameters from U(0, 1) draws: scores (N, V), u_zero (N,), u_matrix (N, 3, 3)."""
    n, num_joints = scores.shape
    k = jitter_joint_count(num_joints, jitter_joints)
    chosen = scores.argsort(dim=1)[:, :k]  # (N, k): the k smallest scores, a uniform k-subset
    joint_mask = torch.zeros((n, num_joints), dtype=torch.bool, device=scores.device)
    joint_mask.scatter_(1, chosen, True)
    zero_mode = u_zero < p_mask  # (N,)
    matrices = _scale(u_matrix, -amplitude, amplitude)  # all nine entries
    return joint_mask, zero_mode, matrices


def apply_jitter(
    x: torch.Tensor, joint_mask: torch.Tensor, zero_mode: torch.Tensor, matrices: torch.Tensor
) -> torch.Tensor:
    """Eq. 2 with the released semantics: selected joints zeroed or mapped by ``x @ R``."""
    zero_joint = joint_mask & zero_mode.to(joint_mask.device)[:, None]  # (N, V)
    return apply_spatial(x, matrices.transpose(1, 2), joint_mask, zero_joint)  # x @ R = R^T p


def joint_jitter(
    x: torch.Tensor,
    generator: torch.Generator,
    num_joints: int | None = None,
    p_mask: float = 0.5,
    amplitude: float = 1.0,
) -> torch.Tensor:
    """Eq. 2: perturb ``num_joints`` random joints per sample (default ``round(15 V / 25)``)."""
    _check_batch(x)
    params = sample_jitter(x.shape[0], x.shape[3], generator, num_joints, p_mask, amplitude)
    return apply_jitter(x, *params)


# --- composition ----------------------------------------------------------------------------
def joint_maps_from_uniforms(
    u: torch.Tensor, config: AugmentConfig = AugmentConfig()
) -> torch.Tensor:
    """The spatial half of Eq. 4 as per-joint maps ``(N, V, 3, 3)`` from a uniform table.

    u: (N, 22 + V), columns ``U_*``. Shear maps every joint by ``S_n``; jittering maps its
    ``|j|`` joints by ``R_n^T`` or zeroes them and leaves the others (identity); ``"random"``
    picks one of the two per sample by a coin with probability ``p_shear`` of shear.
    """
    n = u.shape[0]
    shear = shear_from_uniforms(
        u[:, U_SHEAR : U_SHEAR + 9].reshape(n, 3, 3), config.shear_amplitude
    )
    joint_mask, zero_mode, jitter_matrices = jitter_from_uniforms(
        u[:, U_SCORES:],
        u[:, U_ZERO],
        u[:, U_JITTER : U_JITTER + 9].reshape(n, 3, 3),
        config.jitter_joints,
        config.jitter_p_mask,
        config.jitter_amplitude,
    )
    use_shear = u[:, U_COIN] < config.p_shear  # (N,)
    if config.spatial != "random":
        use_shear = torch.full_like(use_shear, config.spatial == "shear")
    # one matrix per sample: the shear, or the jitter map R^T (x @ R as released) on its joints
    matrices = torch.where(use_shear.view(n, 1, 1), shear, jitter_matrices.transpose(1, 2))
    map_joint = use_shear[:, None] | joint_mask  # (N, V)
    zero_joint = ~use_shear[:, None] & joint_mask & zero_mode[:, None]
    return spatial_joint_matrices(matrices, map_joint, zero_joint)


def view_params_from_uniforms(
    u: torch.Tensor, lengths: torch.Tensor, config: AugmentConfig = AugmentConfig()
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """One view per row of u: ``(start (N,), crop (N,), joint maps (N, V, 3, 3) or None)``."""
    if config.temporal:
        start, crop = crop_windows_from_uniforms(
            lengths,
            u[:, U_RATIO],
            u[:, U_START],
            config.l_min,
            config.l_max,
            config.min_crop_frames,
        )
    else:
        start, crop = torch.zeros_like(lengths), lengths
    maps = None if config.spatial == "none" else joint_maps_from_uniforms(u, config)
    return start, crop, maps


def render_views(
    x: torch.Tensor,
    lengths: torch.Tensor,
    source: torch.Tensor,
    u: torch.Tensor,
    config: AugmentConfig = AugmentConfig(),
) -> torch.Tensor:
    """View b of ``x[source[b]]`` (valid length ``lengths[source[b]]``) from the uniforms ``u[b]``.

    The parameters come from ``view_params_from_uniforms``; the views from two batched steps,
    ``resample_windows`` (crop-resize, one gather) then ``apply_joint_maps`` (one matmul).
    (N, M, T, V, C), lengths (N,), source (B,), u (B, 22 + V) -> (B, M, out_frames, V, C)
    """
    _check_batch(x, lengths)
    if u.shape != (len(source), U_SCORES + x.shape[3]):  # (B, 22 + V)
        want = (len(source), U_SCORES + x.shape[3])
        raise ValueError(f"u must have shape {want} (one row per view), got {tuple(u.shape)}")
    source = source.to(x.device)
    start, crop, maps = view_params_from_uniforms(
        u, lengths.to(u.device)[source.to(u.device)], config
    )
    same = len(source) == len(x) and torch.equal(source, torch.arange(len(x), device=x.device))
    out = resample_windows(x if same else x[source], start, crop, config.out_frames)
    return out if maps is None else apply_joint_maps(out, maps)


def spatio_temporal_augment(
    x: torch.Tensor,
    lengths: torch.Tensor,
    generator: torch.Generator,
    config: AugmentConfig = AugmentConfig(),
) -> torch.Tensor:
    """Eq. 4: temporal crop-resize, then one spatial augmentation per sample.

    (N, M, T, V, C) with lengths (N,) -> (N, M, out_frames, V, C)
    """
    _check_batch(x, lengths)
    n = x.shape[0]
    u = draw_view_uniforms(n, x.shape[3], generator)  # (N, 22 + V)
    return render_views(x, lengths, torch.arange(n, device=lengths.device), u, config)


class TwoViewAugment:
    """Two independent spatio-temporal views of each sample: the query / key pair of Section 3.2.

    Introduced in ``notebooks/01_augmentations_3d``.
    """

    def __init__(self, config: AugmentConfig = AugmentConfig()) -> None:
        self.config = config

    def __call__(
        self,
        x: torch.Tensor,
        lengths: torch.Tensor,
        generator: torch.Generator,
        samples: torch.Tensor | None = None,
        key_rows: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, M, T, V, C), lengths (N,) -> two views, each (N, M, out_frames, V, C).

        ``samples (S,)`` renders only those samples' views, each (S, M, out_frames, V, C): the
        numbers of all N samples are still drawn, so the views equal the rows ``samples`` of the
        full call (how each ``torchrun`` process augments just its shard of a global batch).

        ``key_rows (N,)`` renders sample i's second view from row ``key_rows[i]`` of ``x``
        instead of row i (``x`` then holds the N samples first and the extra rows after them):
        another camera's recording of the same performance as the positive, an option beyond
        the paper (:mod:`skelviz.performances`). The random numbers drawn are the same.
        """
        _check_batch(x)  # render_views checks the lengths
        n = x.shape[0] if key_rows is None else len(key_rows)
        # one draw for all 2N views: row i is view 1 of sample i, row N + i its view 2
        u = draw_view_uniforms(2 * n, x.shape[3], generator)  # (2N, 22 + V)
        if samples is None:
            samples = torch.arange(n, device=lengths.device)
        else:
            samples = samples.to(lengths.device)
            u = u[torch.cat([samples, samples + n]).to(u.device)]  # (2S, 22 + V)
        keys = samples if key_rows is None else key_rows.to(lengths.device)[samples]  # (S,)
        both = render_views(x, lengths, torch.cat([samples, keys]), u, self.config)
        return both[: len(samples)], both[len(samples) :]

    def __repr__(self) -> str:
        return f"TwoViewAugment({self.config})"
