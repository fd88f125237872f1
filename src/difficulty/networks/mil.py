"""Attention-based multiple-instance learning over the 2D slices of a volume (Ilse, Tomczak and Welling 2018)."""

from __future__ import annotations

import torch
from torch import nn


class GatedAttentionMIL(nn.Module):
    """Slices of a (B, C, D, H, W) volume through a 2D ResNet-18 encoder, gated attention pooling, a linear head.

    The attention weight of slice k is softmax_k(wᵀ(tanh(V h_k) ⊙ sigmoid(U h_k))); the volume's embedding
    is the weighted sum of its slices' embeddings h_k (512 values each).
    """

    def __init__(self, n_classes: int, attention: int = 128, dropout: float = 0.25, in_channels: int = 1):
        super().__init__()
        from monai.networks.nets import resnet18

        # the standard ResNet-18 stem (7 x 7 convolution with stride 2, then max pooling); MONAI's default stride is 1
        self.encoder = resnet18(spatial_dims=2, n_input_channels=in_channels, feed_forward=False, conv1_t_stride=2)
        self.V, self.U, self.w = nn.Linear(512, attention), nn.Linear(512, attention), nn.Linear(attention, 1)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(512, n_classes))

    def attention(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Slice embeddings (B, D, 512) and attention weights (B, D) of a (B, C, D, H, W) batch."""
        b, c, d, h, w = x.shape
        embeddings = self.encoder(x.permute(0, 2, 1, 3, 4).reshape(b * d, c, h, w)).view(b, d, -1)
        scores = self.w(torch.tanh(self.V(embeddings)) * torch.sigmoid(self.U(embeddings))).squeeze(-1)
        return embeddings, torch.softmax(scores, dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        embeddings, weights = self.attention(x)
        return self.head((weights.unsqueeze(-1) * embeddings).sum(dim=1))
