"""X^SEQ encoder: the multi-layer bidirectional GRU (paper Section 4.2, "3-Layer BI-GRU, H=1024").

Released definition: fmthoker/skeleton-contrast ``moco/GRU.py`` (itself from shlizee/Predict-Cluster
``PCNet.py``); see ``docs/released-code.md#seq-bigru``. ``nn.GRU(V*C*M, H, num_layers=L,
bidirectional=True, batch_first=True)``; the feature is the top layer's output at the **last time
step**, ``[fwd | rev]`` = 2H (2048-d at paper size). Every 2-D parameter gets ``xavier_uniform_``,
biases keep PyTorch's default.

Two ways to consume the sequence:

* ``stepwise=False`` (default): one call on the whole sequence, a true BiGRU. The reverse direction
  reads the sequence backwards, so at the last step it has seen only frame T-1 (first layer).
* ``readout="final"``: a true BiGRU read at each direction's own last step, ``[fwd at T-1 | rev at
  0]`` (the GRU's final hidden states, the summary Predict & Cluster's encoder uses): both halves
  have read the whole sequence. ``readout="mean"``: the top layer's outputs averaged over time.
  Neither is the released readout; ``docs/experiments.md`` measures them.
* ``stepwise=True``: the released per-frame loop. The GRU is called on one frame at a time,
  carrying the hidden state, so the "reverse" direction also runs forward in time: the model is two
  causal GRU streams per layer, concatenated between layers
  (``docs/released-code.md#the-stepwise-gru``). It is a Python loop over T, roughly twice as
  slow, kept only to reproduce the released behaviour.

Introduced in ``notebooks/03_encoders``.
"""

from __future__ import annotations

import torch
from torch import nn

from skelviz.encoders.presets import BiGRUConfig
from skelviz.represent import check_batch, to_sequence

__all__ = ["BiGRUEncoder", "READOUTS"]

READOUTS = ("last", "final", "mean")


class BiGRUEncoder(nn.Module):
    """Canonical batch ``(N, M, T, V, C)`` -> BiGRU feature ``(N, 2H)`` (last step by default).

    Args:
        num_joints: V of the skeleton layout.
        num_persons: M persons per sample (the input size is V * 3 * M).
        config: hidden size H per direction and number of layers L.
        stepwise: reproduce the released per-frame loop (two causal streams) instead of a true
            bidirectional GRU (last-step readout only).
        readout: ``"last"`` (the released feature: both halves at step T-1), ``"final"`` (each
            direction at its own last step) or ``"mean"`` (average over the T steps).

    Introduced in ``notebooks/03_encoders``.
    """

    def __init__(
        self,
        num_joints: int,
        num_persons: int,
        config: BiGRUConfig,
        stepwise: bool = False,
        readout: str = "last",
    ) -> None:
        super().__init__()
        if readout not in READOUTS:
            raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}")
        if stepwise and readout != "last":
            raise ValueError(f"the stepwise GRU has the last-step readout only, got {readout!r}")
        self.readout = readout
        self.representation = "seq"
        self.num_joints, self.num_persons, self.stepwise = num_joints, num_persons, stepwise
        self.gru = nn.GRU(
            input_size=num_joints * 3 * num_persons,
            hidden_size=config.hidden_size,
            num_layers=config.num_layers,
            bidirectional=True,
            batch_first=True,
        )
        self.feature_dim = 2 * config.hidden_size
        for param in self.gru.parameters():  # released weights_init_gru: 2-D weights only
            if param.dim() == 2:
                nn.init.xavier_uniform_(param)

    # --- forward ------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_batch(x, self.num_persons, self.num_joints)  # (N, M, T, V, C)
        seq = to_sequence(x)  # (N, T, V*C*M)
        if self.stepwise:
            return self._stepwise_last(seq)
        out, _ = self.gru(seq)  # (N, T, 2H)
        if self.readout == "mean":
            return out.mean(1)  # (N, 2H)
        if self.readout == "final":  # forward half at T-1, reverse half at 0: final states
            h = out.shape[-1] // 2
            return torch.cat([out[:, -1, :h], out[:, 0, h:]], dim=1)  # (N, 2H)
        return out[:, -1]  # (N, 2H)

    def _stepwise_last(self, seq: torch.Tensor) -> torch.Tensor:
        """Released loop: the 2L-stream GRU is fed one frame at a time, carrying its state."""
        hidden = None  # (2L, N, H)
        out = None
        for t in range(seq.shape[1]):
            out, hidden = self.gru(seq[:, t : t + 1], hidden)  # (N, 1, 2H)
        return out[:, -1]  # (N, 2H)
