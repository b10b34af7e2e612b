#!/usr/bin/python3
"""Independent PyTorch autograd reference for the C++ training engine; writes tests/fixtures/training/.

Regenerate with:   /usr/bin/python3 tools/make_training_fixtures.py

A small seeded BertForSequenceClassification (tools/seeded_weights.py, the same bits as the C++
generator) runs forward + backward in float64 with dropout disabled on one mini-batch of
examples of different lengths (each example at its own length, no padding); the loss is the mean
over the batch. Written from the BERT definition (no Hugging Face code): post-LN encoder, exact
GELU, LayerNorm with biased variance, pooler tanh, classifier, cross-entropy or MSE.

Cases:
  plain       classification, no extract layer
  regression  one output, MSE
  soft        Soft-Extract after every attention add & LayerNorm: the word vector of significance
              rank k (over all positions, ties: earlier first) is multiplied by r_j[k]; the sort is
              a constant (no gradient through it). r_j has N = 12 entries with fixed values below.
              The loss adds lambda * sum_j j * sum_k r_j[k] (j 1-based).
  hard        Extract: [CLS] plus the top keep[j]-1 other positions by significance, kept in order
For each case: expected.json holds the loss and per-tensor shapes; gradients.safetensors holds the
gradient of every parameter (all of them: the model is small), named as the parameter
("soft_extract.layer.<j>.r" for r).
The script is deterministic: running it twice produces byte-identical files.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seeded_weights import generate  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "training")
torch.set_num_threads(1)

SEED = 11
N = 12
LAMBDA = 0.01
KEEP = [5, 3]
BATCH = [  # ids, type ids, label (class index; the regression case uses REG_LABELS)
    ([2, 17, 5, 33, 8, 21, 3], [0, 0, 0, 0, 0, 0, 0], 1),
    ([2, 9, 30, 3, 12, 7, 25, 14, 3], [0, 0, 0, 0, 1, 1, 1, 1, 1], 2),
    ([2, 4, 38, 11, 3], [0, 0, 0, 0, 0], 0),
]
REG_LABELS = [0.5, 3.25, 1.75]


def config(num_labels: int, problem_type: str | None = None) -> dict:
    cfg = {
        "model_type": "bert", "architectures": ["BertForSequenceClassification"],
        "vocab_size": 40, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
        "intermediate_size": 32, "max_position_embeddings": 16, "type_vocab_size": 2,
        "layer_norm_eps": 1e-12, "hidden_act": "gelu", "num_labels": num_labels,
        "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
    }
    if problem_type:
        cfg["problem_type"] = problem_type
    return cfg


def r_values(layers: int) -> list[np.ndarray]:
    """r_j[k] = 1 - 0.04 k - 0.1 j, clipped to [0.05, 1] (float32 values)."""
    out = []
    for j in range(layers):
        v = np.array([max(0.05, 1.0 - 0.04 * k - 0.1 * j) for k in range(N)], dtype=np.float32)
        out.append(v)
    return out


def write_safetensors(path: str, tensors: dict[str, np.ndarray]) -> None:
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(np.asarray(tensors[name], dtype=np.float64).astype("<f4"))
        raw = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def layer_norm(x, g, b, eps):
    mu = x.mean(dim=-1, keepdim=True)
    d = x - mu
    var = (d * d).mean(dim=-1, keepdim=True)
    return d / torch.sqrt(var + eps) * g + b


def linear(x, w, b):
    return x @ w.T + b


def example_loss(P, cfg, ids, type_ids, label, mode, r):
    H, nh, L = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
    eps, d, n = float(cfg["layer_norm_eps"]), H // nh, len(ids)
    e = "bert.embeddings."
    x = P[e + "word_embeddings.weight"][ids] + P[e + "position_embeddings.weight"][list(range(n))] \
        + P[e + "token_type_embeddings.weight"][type_ids]
    x = layer_norm(x, P[e + "LayerNorm.weight"], P[e + "LayerNorm.bias"], eps)
    for j in range(L):
        p = f"bert.encoder.layer.{j}."
        m = x.shape[0]
        q = linear(x, P[p + "attention.self.query.weight"], P[p + "attention.self.query.bias"])
        k = linear(x, P[p + "attention.self.key.weight"], P[p + "attention.self.key.bias"])
        v = linear(x, P[p + "attention.self.value.weight"], P[p + "attention.self.value.bias"])
        ctx, abar = [], torch.zeros(m, m, dtype=torch.float64)
        for h in range(nh):
            sl = slice(h * d, (h + 1) * d)
            a = torch.softmax((q[:, sl] @ k[:, sl].T) / math.sqrt(d), dim=-1)
            abar = abar + a.detach()
            ctx.append(a @ v[:, sl])
        ctx = torch.cat(ctx, dim=1)
        abar = abar / nh
        sig = (abar.sum(dim=0) - torch.diagonal(abar)).numpy()
        ao = linear(ctx, P[p + "attention.output.dense.weight"], P[p + "attention.output.dense.bias"])
        x = layer_norm(ao + x, P[p + "attention.output.LayerNorm.weight"], P[p + "attention.output.LayerNorm.bias"], eps)
        if mode == "soft":
            order = sorted(range(m), key=lambda i: (-float(sig[i]), i))  # order[k] = position of rank k
            rank = [0] * m
            for kk, pos in enumerate(order):
                rank[pos] = kk
            x = x * r[j][rank].unsqueeze(1)
        elif mode == "hard":
            keep = min(m, KEEP[j])
            others = sorted(range(1, m), key=lambda i: (-float(sig[i]), i))
            x = x[[0] + sorted(others[:keep - 1])]
        it = linear(x, P[p + "intermediate.dense.weight"], P[p + "intermediate.dense.bias"])
        it = 0.5 * it * (1.0 + torch.erf(it / math.sqrt(2.0)))
        o = linear(it, P[p + "output.dense.weight"], P[p + "output.dense.bias"])
        x = layer_norm(o + x, P[p + "output.LayerNorm.weight"], P[p + "output.LayerNorm.bias"], eps)
    pooled = torch.tanh(linear(x[0], P["bert.pooler.dense.weight"], P["bert.pooler.dense.bias"]))
    logits = linear(pooled, P["classifier.weight"], P["classifier.bias"])
    if cfg.get("problem_type") == "regression":
        return (logits[0] - label) ** 2, logits
    return -torch.log_softmax(logits, dim=0)[int(label)], logits


def run_case(name: str, mode: str, regression: bool) -> None:
    cfg = config(1, "regression") if regression else config(3)
    weights = generate(cfg, SEED)
    P = {k: torch.tensor(v.astype(np.float64), requires_grad=True) for k, v in weights.items()}
    r = [torch.tensor(v.astype(np.float64), requires_grad=True) for v in r_values(cfg["num_hidden_layers"])]
    total, logits = 0.0, []
    for i, (ids, tids, label) in enumerate(BATCH):
        lab = REG_LABELS[i] if regression else label
        loss, lg = example_loss(P, cfg, ids, tids, lab, mode, r)
        total = total + loss
        logits.append([float(t) for t in lg.detach()])
    loss = total / len(BATCH)
    penalty = 0.0
    if mode == "soft":
        penalty = sum(LAMBDA * (j + 1) * r[j].sum() for j in range(len(r)))
        loss = loss + penalty
        penalty = float(penalty)
    loss.backward()
    grads = {k: t.grad.numpy() for k, t in P.items()}
    if mode == "soft":
        for j, t in enumerate(r):
            grads[f"soft_extract.layer.{j}.r"] = t.grad.numpy()
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    write_safetensors(os.path.join(folder, "gradients.safetensors"), grads)
    expected = {
        "config": cfg, "seed": SEED, "mode": mode, "loss": float(loss), "penalty": penalty,
        "lambda": LAMBDA if mode == "soft" else 0.0, "keep": KEEP if mode == "hard" else [],
        "retention_length": N if mode == "soft" else 0,
        "r": [[float(x) for x in v] for v in r_values(cfg["num_hidden_layers"])] if mode == "soft" else [],
        "batch": [{"ids": ids, "type_ids": tids, "label": (REG_LABELS[i] if regression else label)}
                  for i, (ids, tids, label) in enumerate(BATCH)],
        "logits": logits,
    }
    with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(name, "loss", float(loss))


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    run_case("plain", "none", False)
    run_case("regression", "none", True)
    run_case("soft", "soft", False)
    run_case("hard", "hard", False)


if __name__ == "__main__":
    main()
