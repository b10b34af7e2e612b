#!/usr/bin/python3
"""PyTorch peer of benchmarks/run_peers.sh: a plain BertForSequenceClassification.

The module is written here with Hugging Face's parameter names and the same computation as its
eager BERT (post-LayerNorm encoder, exact erf GELU, additive attention mask, tanh pooler), so it
loads a Hugging Face folder's model.safetensors with load_state_dict(strict=True).

    torch_peer.py inputs --lengths 8,16 --vocab-size 30522 --out inputs.json
    torch_peer.py time   --model DIR --inputs inputs.json [--repeats 10 --warmup 2 --threads 2] --out result.json
    torch_peer.py export --model DIR --onnx model.onnx

Uses Debian's python3-torch (/usr/bin/python3); no transformers or safetensors package needed.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn


def read_safetensors(path: str) -> dict[str, torch.Tensor]:
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    body = memoryview(data)[8 + header_len:]
    dtypes = {"F32": np.float32, "F16": np.float16}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        if info["dtype"] not in dtypes:
            raise SystemExit(f"{path}: tensor {name} has dtype {info['dtype']} (this peer reads F32 and F16)")
        a = np.frombuffer(body[begin:end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(a.astype(np.float32))
    return out


class Embeddings(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, input_ids, token_type_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids) + self.position_embeddings(positions)
        return self.LayerNorm(x)


class SelfAttention(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.head_dim = h // self.heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)

    def split(self, x):
        b, n, _ = x.shape
        return x.view(b, n, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim) + mask
        context = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous()
        return context.view(x.shape)


class DenseNorm(nn.Module):  # BertSelfOutput and BertOutput
    def __init__(self, c: dict, inputs: int):
        super().__init__()
        self.dense = nn.Linear(inputs, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        self.self = SelfAttention(c)
        self.output = DenseNorm(c, c["hidden_size"])

    def forward(self, x, mask):
        return self.output(self.self(x, mask), x)


class Intermediate(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        if c.get("hidden_act", "gelu") != "gelu":
            raise SystemExit("this peer implements hidden_act gelu only")
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))


class Layer(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseNorm(c, c["intermediate_size"])

    def forward(self, x, mask):
        a = self.attention(x, mask)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, mask):
        for layer in self.layer:
            x = layer(x, mask)
        return x


class Pooler(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, x):
        return torch.tanh(self.dense(x[:, 0]))


class Bert(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        self.pooler = Pooler(c)


class BertForSequenceClassification(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        self.bert = Bert(c)
        self.classifier = nn.Linear(c["hidden_size"], num_labels(c))

    def forward(self, input_ids, attention_mask, token_type_ids):
        # Hugging Face's extended attention mask: 0 where attended, the float minimum elsewhere.
        mask = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        x = self.bert.encoder(self.bert.embeddings(input_ids, token_type_ids), mask)
        return self.classifier(self.bert.pooler(x))


def num_labels(c: dict) -> int:
    if "num_labels" in c:
        return int(c["num_labels"])
    return len(c.get("id2label", {0: "LABEL_0", 1: "LABEL_1"}))


def load_model(folder: str) -> BertForSequenceClassification:
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    model = BertForSequenceClassification(config)
    model.load_state_dict(read_safetensors(os.path.join(folder, "model.safetensors")), strict=True)
    return model.eval()


def make_inputs(lengths: list[int], vocab_size: int, seed: int) -> dict:
    """[CLS] w1 .. w(n-2) [SEP] with seeded word ids; the same inputs for every engine."""
    rng = np.random.default_rng(seed)
    inputs = []
    for n in lengths:
        ids = [101] + [int(i) for i in rng.integers(1000, vocab_size, size=n - 2)] + [102]
        inputs.append({"ids": ids, "type_ids": [0] * n})
    return {"seed": seed, "inputs": inputs}


def tensors(item: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    ids = torch.tensor([item["ids"]], dtype=torch.int64)
    return ids, torch.ones_like(ids), torch.tensor([item["type_ids"]], dtype=torch.int64)


def blas_in_use() -> str:
    with open("/proc/self/maps") as f:
        paths = sorted({line.split()[-1] for line in f if "blas" in line and "/" in line})
    core = ""
    for p in paths:
        if "openblas" in p:
            try:
                lib = ctypes.CDLL(p)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                core = " (OpenBLAS core " + lib.openblas_get_corename().decode() + ")"
            except (OSError, AttributeError):
                pass
            break
    return ", ".join(paths) + core


def time_model(args) -> dict:
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    model = load_model(args.model)
    load_ms = (time.perf_counter() - start) * 1e3
    with open(args.inputs) as f:
        inputs = json.load(f)["inputs"]
    feeds = [tensors(item) for item in inputs]
    times = [[] for _ in inputs]
    logits = [None] * len(inputs)
    with torch.inference_mode():
        # Lengths alternate inside each repeat, so a burst of load on the machine hits them all.
        for r in range(args.warmup + args.repeats):
            for i, feed in enumerate(feeds):
                t = time.perf_counter()
                out = model(*feed)
                ms = (time.perf_counter() - t) * 1e3
                if r >= args.warmup:
                    times[i].append(ms)
                logits[i] = [float(v) for v in out[0]]
    return {"engine": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads(),
            "blas": blas_in_use(), "load_ms": load_ms,
            "results": [{"length": len(item["ids"]), "ms": t, "logits": l} for item, t, l in zip(inputs, times, logits)]}


def export_onnx(args) -> None:
    model = load_model(args.model)
    example = tensors({"ids": [101, 2000, 2001, 102], "type_ids": [0, 0, 0, 0]})
    axes = {0: "batch", 1: "sequence"}
    with torch.inference_mode():
        torch.onnx.export(model, example, args.onnx, input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["logits"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "logits": {0: "batch"}},
                          opset_version=14, do_constant_folding=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("inputs", help="write the benchmark inputs")
    p.add_argument("--lengths", required=True)
    p.add_argument("--vocab-size", type=int, required=True)
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--out", required=True)
    p = sub.add_parser("time", help="time batch-1 forwards")
    p.add_argument("--model", required=True)
    p.add_argument("--inputs", required=True)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", required=True)
    p = sub.add_parser("export", help="export the model to ONNX (dynamic batch and sequence axes)")
    p.add_argument("--model", required=True)
    p.add_argument("--onnx", required=True)
    args = parser.parse_args()
    if args.command == "inputs":
        result = make_inputs([int(n) for n in args.lengths.split(",")], args.vocab_size, args.seed)
    elif args.command == "time":
        result = time_model(args)
    else:
        export_onnx(args)
        return
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f)
        f.write("\n")
    os.replace(tmp, args.out)


if __name__ == "__main__":
    sys.exit(main())
