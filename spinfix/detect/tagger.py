"""A spun-word tagger on the language model's hidden states, read with the LM's second reading.

The detector is a 22M-parameter encoder; SmolLM2-135M knows far more of what English usually
says ("navy help", "counterfeit consciousness"), but the LM reading used only its surprise at
each word. The tagger reads what the LM made of each word: the hidden state of layer `layer` at
the word's last LM token (the LM having read everything before it), with its surprisal at the
word, goes through a small bidirectional GRU over the sentence's words, so each word also sees
the LM's states for the words after it, to a logit that the word is spun. The LM stays frozen;
the head (about 0.3M parameters) is trained on the train split's spun and clean sentences by
`scripts/train_lm_tagger.py` (spinfix.train.tagger). Its logit is one more feature of the LM reading
(`spinfix.detect.reading.FEATURES`), whose weights are fitted on dev, so the detector's own score
and the tagger's are weighed against each other there, not here.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from spinfix.settings import from_dict

WEIGHTS_NAME = "lm_tagger.safetensors"
CONFIG_NAME = "lm_tagger.json"


@dataclass(frozen=True)
class TaggerSettings:
    layer: int = 18  # hidden_states[layer]: 0 is the embeddings, 30 SmolLM2-135M's last layer
    hidden: int = 576  # the LM's hidden size
    proj: int = 192
    rnn: int = 128
    extra: int = 3  # per word: surprisal, first token's surprisal, LM token count (scaled)
    facts: dict = field(default_factory=dict)  # training facts, for the model card


class TaggerHead(nn.Module):
    def __init__(self, cfg: TaggerSettings) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(cfg.hidden)
        self.proj = nn.Linear(cfg.hidden, cfg.proj)
        self.drop = nn.Dropout(0.1)
        self.gru = nn.GRU(cfg.proj + cfg.extra, cfg.rnn, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * cfg.rnn, 1)

    def forward(self, states: torch.Tensor, extra: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(batch, words) logits from (batch, words, hidden) states and (batch, words, extra)."""
        x = torch.cat([self.drop(nn.functional.gelu(self.proj(self.norm(states)))), extra], -1)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        y, _ = self.gru(packed)
        y, _ = nn.utils.rnn.pad_packed_sequence(y, batch_first=True, total_length=states.shape[1])
        return self.out(self.drop(y))[..., 0]


def extra_features(rows: np.ndarray) -> np.ndarray:
    """The head's per-word scalars from `SurprisalReader` rows (surprisal, first token, count)."""
    return np.stack([rows[:, 0] / 10.0, rows[:, 1] / 10.0, rows[:, 2] / 4.0], 1).astype(np.float32)


def pad(states: Sequence[np.ndarray], rows: Sequence[np.ndarray], labels: Sequence[np.ndarray] | None = None):
    """Sentences padded into one batch: states, extra features, lengths, labels, mask."""
    n = max(len(s) for s in states)
    b, d = len(states), states[0].shape[-1]
    H = torch.zeros(b, n, d)
    E = torch.zeros(b, n, 3)
    Y = torch.zeros(b, n)
    M = torch.zeros(b, n)
    for r, s in enumerate(states):
        k = len(s)
        H[r, :k] = torch.from_numpy(np.asarray(s, dtype=np.float32))
        E[r, :k] = torch.from_numpy(extra_features(rows[r]))
        if labels is not None:
            Y[r, :k] = torch.from_numpy(np.asarray(labels[r], dtype=np.float32))
        M[r, :k] = 1
    return H, E, torch.tensor([len(s) for s in states]), Y, M


class LMTagger:
    """The trained head and its settings; `logits` per sentence's words."""

    def __init__(self, head: TaggerHead, config: TaggerSettings) -> None:
        self.head = head.eval()
        self.config = config

    @classmethod
    def load(cls, directory: Path) -> LMTagger | None:
        """The tagger saved in a detector's folder; None when it has none."""
        from safetensors.torch import load_file

        if not (directory / WEIGHTS_NAME).exists():
            return None
        cfg = from_dict(TaggerSettings, json.loads((directory / CONFIG_NAME).read_text()), str(directory / CONFIG_NAME))
        head = TaggerHead(cfg)
        head.load_state_dict({k: v.float() for k, v in load_file(str(directory / WEIGHTS_NAME)).items()})
        return cls(head, cfg)

    def save(self, directory: Path) -> None:
        from safetensors.torch import save_file

        save_file({k: v.detach().half().contiguous() for k, v in self.head.state_dict().items()}, str(directory / WEIGHTS_NAME))
        (directory / CONFIG_NAME).write_text(json.dumps(asdict(self.config), indent=2) + "\n")

    @torch.no_grad()
    def logits(self, states: Sequence[np.ndarray], rows: Sequence[np.ndarray], batch: int = 256) -> list[np.ndarray]:
        """Per sentence, the logit that each word is spun (an empty array for no words)."""
        out = [np.zeros(0, dtype=np.float32) for _ in states]
        todo = [i for i, s in enumerate(states) if len(s)]
        for b in range(0, len(todo), batch):
            idx = todo[b : b + batch]
            H, E, lengths, _, _ = pad([states[i] for i in idx], [rows[i] for i in idx])
            z = self.head(H, E, lengths).numpy()
            for r, i in enumerate(idx):
                out[i] = z[r, : len(states[i])].astype(np.float32)
        return out
