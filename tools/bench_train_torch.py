#!/usr/bin/python3
"""The training step of `powerbert bench-train`, in PyTorch, for a side-by-side comparison.

    /usr/bin/python3 tools/bench_train_torch.py [--threads 2] [--batch 32] [--steps 10] [--warmup 2] [--out FILE]

Same shape (4 layers, hidden 256, 4 heads, intermediate 1024, vocabulary 30522), same seeded
weights (tools/seeded_weights.py), same input lengths (uniform 15..35 tokens, mean 25), dropout
0.1, batch 32, one step = forward + backward + AdamW update. PyTorch runs the batch the usual way:
padded to the longest sequence with an attention mask (what Hugging Face does); --packed instead
runs each example at its own length and accumulates (no padding, like the C++ engine).
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seeded_weights import generate  # noqa: E402

CFG = dict(vocab_size=30522, hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024,
           max_position_embeddings=512, type_vocab_size=2, num_labels=2)


class Bert(nn.Module):
    def __init__(self, cfg: dict, weights: dict, p: float = 0.1):
        super().__init__()
        self.cfg, self.p = cfg, p
        self.params = nn.ParameterDict({k.replace(".", "__"): nn.Parameter(torch.from_numpy(v.copy()))
                                        for k, v in weights.items()})

    def w(self, name: str) -> torch.Tensor:
        return self.params[name.replace(".", "__")]

    def forward(self, ids, types, mask):  # ids [B, n], mask [B, n] (1 = token)
        H, nh = self.cfg["hidden_size"], self.cfg["num_attention_heads"]
        d = H // nh
        B, n = ids.shape
        e = "bert.embeddings."
        x = F.embedding(ids, self.w(e + "word_embeddings.weight")) + self.w(e + "position_embeddings.weight")[:n] \
            + F.embedding(types, self.w(e + "token_type_embeddings.weight"))
        x = F.dropout(F.layer_norm(x, (H,), self.w(e + "LayerNorm.weight"), self.w(e + "LayerNorm.bias"), 1e-12),
                      self.p, self.training)
        bias = (1.0 - mask[:, None, None, :].float()) * -10000.0
        for j in range(self.cfg["num_hidden_layers"]):
            p = f"bert.encoder.layer.{j}."
            lin = lambda t, name: F.linear(t, self.w(p + name + ".weight"), self.w(p + name + ".bias"))  # noqa: E731
            q = lin(x, "attention.self.query").view(B, n, nh, d).transpose(1, 2)
            k = lin(x, "attention.self.key").view(B, n, nh, d).transpose(1, 2)
            v = lin(x, "attention.self.value").view(B, n, nh, d).transpose(1, 2)
            a = F.dropout(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, dim=-1), self.p, self.training)
            ctx = (a @ v).transpose(1, 2).reshape(B, n, H)
            x = F.layer_norm(x + F.dropout(lin(ctx, "attention.output.dense"), self.p, self.training), (H,),
                             self.w(p + "attention.output.LayerNorm.weight"), self.w(p + "attention.output.LayerNorm.bias"), 1e-12)
            f = lin(F.gelu(lin(x, "intermediate.dense")), "output.dense")
            x = F.layer_norm(x + F.dropout(f, self.p, self.training), (H,), self.w(p + "output.LayerNorm.weight"),
                             self.w(p + "output.LayerNorm.bias"), 1e-12)
        pooled = torch.tanh(F.linear(x[:, 0], self.w("bert.pooler.dense.weight"), self.w("bert.pooler.dense.bias")))
        return F.linear(F.dropout(pooled, self.p, self.training), self.w("classifier.weight"), self.w("classifier.bias"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--packed", action="store_true")
    ap.add_argument("--out")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    rng = random.Random(1)
    model = Bert(CFG, generate(CFG, 1))
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, eps=1e-6, weight_decay=0.0)
    timed, tokens = 0.0, 0
    for step in range(a.warmup + a.steps):
        lengths = [rng.randint(15, 35) for _ in range(a.batch)]
        seqs = [[101] + [rng.randint(1000, 29999) for _ in range(n - 2)] + [102] for n in lengths]
        labels = torch.tensor([rng.randint(0, 1) for _ in range(a.batch)])
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        if a.packed:
            for s, y in zip(seqs, labels):
                ids = torch.tensor([s])
                loss = F.cross_entropy(model(ids, torch.zeros_like(ids), torch.ones_like(ids)), y[None]) / a.batch
                loss.backward()
        else:
            n = max(lengths)
            ids = torch.zeros(a.batch, n, dtype=torch.long)
            mask = torch.zeros(a.batch, n, dtype=torch.long)
            for i, s in enumerate(seqs):
                ids[i, :len(s)] = torch.tensor(s)
                mask[i, :len(s)] = 1
            loss = F.cross_entropy(model(ids, torch.zeros_like(ids), mask), labels)
            loss.backward()
        opt.step()
        dt = time.perf_counter() - t0
        if step >= a.warmup:
            timed += dt
            tokens += sum(lengths)
    result = {
        "engine": f"PyTorch {torch.__version__} ({'packed, one example at a time' if a.packed else 'padded batch + attention mask'})",
        "config": {"layers": 4, "hidden": 256, "heads": 4, "intermediate": 1024, "vocab": 30522},
        "batch": a.batch, "threads": a.threads, "steps": a.steps, "lengths": [15, 35],
        "mean_length": tokens / (a.steps * a.batch), "seconds_per_step": timed / a.steps,
        "examples_per_second": a.steps * a.batch / timed, "tokens_per_second": tokens / timed,
        "step": "forward + backward + AdamW update (all parameters)",
    }
    text = json.dumps(result, indent=2)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
