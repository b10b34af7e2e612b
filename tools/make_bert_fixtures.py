#!/usr/bin/python3
"""Independent PyTorch reference for BERT and PoWER-BERT; writes tests/fixtures/bert/.

Regenerate with:   /usr/bin/python3 tools/make_bert_fixtures.py

Everything here is written from the BERT definition (no Hugging Face code): post-LN encoder,
exact (erf) GELU, LayerNorm with biased variance, pooler tanh(W h[CLS] + b), classifier.
The reference is computed in float64 from the float32 (or stored F16/BF16) weights.

PoWER-BERT reference (compute-then-drop): in layer j, after the attention add & LayerNorm over
all current rows, Sig(k) = sum_q Abar[q][k] - Abar[k][k] (Abar = mean over heads of the softmax
attention over the current rows); keep [CLS] (first current row) plus the top keep[j]-1 others by
Sig (ties: lower original position wins), in original order, capped at min(current, keep[j]);
the FFN runs on the kept rows only. Strategy "head" keeps the first keep[j] current rows.

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
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seeded_weights import generate, num_labels_of  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "bert")

torch.set_num_threads(1)  # fixed reduction order -> reproducible float64 results


# ----------------------------------------------------------------------------------------------
# safetensors (written by hand)
# ----------------------------------------------------------------------------------------------

def write_safetensors(path: str, tensors: dict[str, tuple[str, list[int], bytes]],
                      metadata: dict[str, str] | None = None) -> None:
    """tensors: name -> (dtype "F32"|"F16"|"BF16", shape, raw little-endian bytes).
    Tensors are laid out sorted by name; header padded with spaces to a multiple of 8."""
    header: dict = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    blobs = []
    esize = {"F32": 4, "F16": 2, "BF16": 2}
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        n = int(np.prod(shape)) if shape else 1
        assert len(raw) == n * esize[dtype], (name, dtype, shape, len(raw))
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)


def read_safetensors(path: str) -> dict[str, np.ndarray]:
    """Reads back (as float64) what write_safetensors wrote; used to check the written files."""
    with open(path, "rb") as f:
        data = f.read()
    (hlen,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + hlen].decode("utf-8"))
    body = data[8 + hlen:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        raw = body[b:e]
        if info["dtype"] == "F32":
            a = np.frombuffer(raw, dtype="<f4").astype(np.float64)
        elif info["dtype"] == "F16":
            a = np.frombuffer(raw, dtype="<f2").astype(np.float64)
        elif info["dtype"] == "BF16":
            u16 = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << np.uint32(16)
            a = u16.view(np.float32).astype(np.float64)
        else:
            raise ValueError(info["dtype"])
        out[name] = a.reshape(info["shape"])
    return out


def f32_entry(a) -> tuple[str, list[int], bytes]:
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float64).astype("<f4"))
    return ("F32", list(a.shape), a.tobytes())


def store(weights: dict[str, np.ndarray], dtype: str):
    """Round float32 weights to the storage dtype.
    Returns (safetensors entries, float64 arrays of the stored values)."""
    entries, stored = {}, {}
    for name, w in weights.items():
        if dtype == "F32":
            a = np.ascontiguousarray(w.astype("<f4"))
            entries[name] = ("F32", list(w.shape), a.tobytes())
            stored[name] = a.astype(np.float64)
        elif dtype == "F16":
            a = np.ascontiguousarray(w.astype(np.float16).astype("<f2"))  # round-to-nearest-even
            entries[name] = ("F16", list(w.shape), a.tobytes())
            stored[name] = a.astype(np.float64)
        elif dtype == "BF16":
            t = torch.from_numpy(np.ascontiguousarray(w)).to(torch.bfloat16)  # round-to-nearest-even
            bits = t.view(torch.int16).numpy().astype("<i2")
            entries[name] = ("BF16", list(w.shape), np.ascontiguousarray(bits).tobytes())
            stored[name] = t.to(torch.float64).numpy()
        else:
            raise ValueError(dtype)
    return entries, stored


# ----------------------------------------------------------------------------------------------
# HF config.json
# ----------------------------------------------------------------------------------------------

def hf_config(vocab, hidden, layers, heads, inter, max_pos, type_vocab, eps, id2label,
              torch_dtype="float32", problem_type=None) -> dict:
    id2 = {str(k): v for k, v in sorted(id2label.items())}
    cfg = {
        "_name_or_path": "power-bert-studio/seeded-fixture",
        "architectures": ["BertForSequenceClassification"],
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "gradient_checkpointing": False,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": hidden,
        "id2label": id2,
        "initializer_range": 0.02,
        "intermediate_size": inter,
        "label2id": {v: int(k) for k, v in id2.items()},
        "layer_norm_eps": eps,
        "max_position_embeddings": max_pos,
        "model_type": "bert",
        "num_attention_heads": heads,
        "num_hidden_layers": layers,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
    }
    if problem_type:
        cfg["problem_type"] = problem_type
    cfg.update({
        "torch_dtype": torch_dtype,
        "transformers_version": "4.40.0",
        "type_vocab_size": type_vocab,
        "use_cache": True,
        "vocab_size": vocab,
    })
    return cfg


def write_json(path: str, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")


# ----------------------------------------------------------------------------------------------
# float64 reference forward (manual ops)
# ----------------------------------------------------------------------------------------------

class W64:
    """Weights as float64 torch tensors, converted on access (keeps BERT-base memory small)."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.a = arrays

    def __call__(self, name: str) -> torch.Tensor:
        return torch.from_numpy(np.asarray(self.a[name], dtype=np.float64))

    def rows(self, name: str, idx) -> torch.Tensor:
        return torch.from_numpy(np.asarray(self.a[name][np.asarray(idx)], dtype=np.float64))


def layer_norm(x, g, b, eps):
    mu = x.mean(dim=-1, keepdim=True)
    d = x - mu
    var = (d * d).mean(dim=-1, keepdim=True)  # biased variance
    return d / torch.sqrt(var + eps) * g + b


def gelu_erf(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def softmax_rows(s):
    m = s.max(dim=-1, keepdim=True).values
    e = torch.exp(s - m)
    return e / e.sum(dim=-1, keepdim=True)


def linear(x, w, b):
    return x @ w.T + b


def extract_rows(sig, rows, keep, strategy) -> list[int]:
    """Indices (into the current rows) that PoWER-BERT keeps: [CLS] plus the keep-1 most significant
    others (ties: lower original position), in order; "head" keeps the first keep."""
    m = len(rows)
    keep = min(m, keep)
    assert keep >= 1
    if strategy == "attn":
        others = sorted(range(1, m), key=lambda i: (-float(sig[i]), rows[i]))
        return [0] + sorted(others[:keep - 1])
    if strategy == "head":
        return list(range(keep))
    raise ValueError(strategy)


def bert_forward(w: W64, cfg: dict, ids, type_ids, retention=None, strategy="attn") -> dict:
    """Float64 BERT; with `retention`, PoWER-BERT compute-then-drop.

    Returns hidden_states (list: embeddings, then each layer's output over its kept rows),
    positions (original positions of the rows of each hidden state), significance (per layer,
    over the current rows entering it), kept (per layer), pooled, logits, probabilities."""
    H = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    L = cfg["num_hidden_layers"]
    eps = float(cfg["layer_norm_eps"])
    d = H // nh
    n = len(ids)
    pre = "bert.embeddings."
    x = (w.rows(pre + "word_embeddings.weight", ids)
         + w.rows(pre + "position_embeddings.weight", list(range(n)))
         + w.rows(pre + "token_type_embeddings.weight", type_ids))
    x = layer_norm(x, w(pre + "LayerNorm.weight"), w(pre + "LayerNorm.bias"), eps)
    rows = list(range(n))
    hidden, positions, sigs, kept = [x], [list(rows)], [], []
    for j in range(L):
        p = f"bert.encoder.layer.{j}."
        m = x.shape[0]
        q = linear(x, w(p + "attention.self.query.weight"), w(p + "attention.self.query.bias"))
        k = linear(x, w(p + "attention.self.key.weight"), w(p + "attention.self.key.bias"))
        v = linear(x, w(p + "attention.self.value.weight"), w(p + "attention.self.value.bias"))
        ctx = torch.empty(m, H, dtype=torch.float64)
        abar = torch.zeros(m, m, dtype=torch.float64)
        for h in range(nh):
            sl = slice(h * d, (h + 1) * d)
            s = (q[:, sl] @ k[:, sl].T) / math.sqrt(d)
            a = softmax_rows(s)
            abar += a
            ctx[:, sl] = a @ v[:, sl]
        abar /= nh
        sig = abar.sum(dim=0) - torch.diagonal(abar)
        sigs.append([float(t) for t in sig])
        ao = linear(ctx, w(p + "attention.output.dense.weight"), w(p + "attention.output.dense.bias"))
        x = layer_norm(ao + x, w(p + "attention.output.LayerNorm.weight"),
                       w(p + "attention.output.LayerNorm.bias"), eps)
        if retention is not None:
            chosen = extract_rows(sig, rows, int(retention[j]), strategy)
            x = x[chosen]
            rows = [rows[i] for i in chosen]
        kept.append(list(rows))
        it = gelu_erf(linear(x, w(p + "intermediate.dense.weight"), w(p + "intermediate.dense.bias")))
        o = linear(it, w(p + "output.dense.weight"), w(p + "output.dense.bias"))
        x = layer_norm(o + x, w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias"), eps)
        hidden.append(x)
        positions.append(list(rows))
    pooled = torch.tanh(linear(x[0], w("bert.pooler.dense.weight"), w("bert.pooler.dense.bias")))
    logits = linear(pooled, w("classifier.weight"), w("classifier.bias"))
    probs = softmax_rows(logits.unsqueeze(0))[0]
    return {"hidden_states": hidden, "positions": positions, "significance": sigs, "kept": kept,
            "pooled": pooled, "logits": logits, "probabilities": probs}


# ----------------------------------------------------------------------------------------------
# independent sanity implementation (torch.nn.functional ops, any dtype)
# ----------------------------------------------------------------------------------------------

def bert_forward_functional(arrays: dict[str, np.ndarray], cfg: dict, ids, type_ids, dtype):
    def t(name):
        return torch.from_numpy(np.ascontiguousarray(arrays[name])).to(dtype)

    H = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    d = H // nh
    eps = float(cfg["layer_norm_eps"])
    n = len(ids)
    ids_t = torch.tensor(ids)
    wemb = torch.from_numpy(np.ascontiguousarray(arrays["bert.embeddings.word_embeddings.weight"][np.asarray(ids)]))
    x = (wemb.to(dtype)
         + F.embedding(torch.arange(n), t("bert.embeddings.position_embeddings.weight"))
         + F.embedding(torch.tensor(type_ids), t("bert.embeddings.token_type_embeddings.weight")))
    del ids_t
    x = F.layer_norm(x, (H,), t("bert.embeddings.LayerNorm.weight"), t("bert.embeddings.LayerNorm.bias"), eps)
    hs = [x]
    for j in range(cfg["num_hidden_layers"]):
        p = f"bert.encoder.layer.{j}."
        q = F.linear(x, t(p + "attention.self.query.weight"), t(p + "attention.self.query.bias"))
        k = F.linear(x, t(p + "attention.self.key.weight"), t(p + "attention.self.key.bias"))
        v = F.linear(x, t(p + "attention.self.value.weight"), t(p + "attention.self.value.bias"))
        q = q.view(n, nh, d).transpose(0, 1)
        k = k.view(n, nh, d).transpose(0, 1)
        v = v.view(n, nh, d).transpose(0, 1)
        a = torch.softmax(torch.bmm(q, k.transpose(1, 2)) * (1.0 / math.sqrt(d)), dim=-1)
        ctx = torch.bmm(a, v).transpose(0, 1).reshape(n, H)
        ao = F.linear(ctx, t(p + "attention.output.dense.weight"), t(p + "attention.output.dense.bias"))
        x = F.layer_norm(ao + x, (H,), t(p + "attention.output.LayerNorm.weight"),
                         t(p + "attention.output.LayerNorm.bias"), eps)
        it = F.gelu(F.linear(x, t(p + "intermediate.dense.weight"), t(p + "intermediate.dense.bias")))
        o = F.linear(it, t(p + "output.dense.weight"), t(p + "output.dense.bias"))
        x = F.layer_norm(o + x, (H,), t(p + "output.LayerNorm.weight"), t(p + "output.LayerNorm.bias"), eps)
        hs.append(x)
    pooled = torch.tanh(F.linear(x[0], t("bert.pooler.dense.weight"), t("bert.pooler.dense.bias")))
    logits = F.linear(pooled, t("classifier.weight"), t("classifier.bias"))
    return hs, pooled, logits


def max_abs_diff(a, b) -> float:
    return float((torch.as_tensor(a, dtype=torch.float64) - torch.as_tensor(b, dtype=torch.float64)).abs().max())


def verify(arrays, cfg, ids, type_ids, label: str, f32_tol=1e-5) -> dict:
    """(i) PoWER with retention = n everywhere == full model (<= 1e-12);
    (ii) float32 functional torch implementation agrees within f32_tol; float64 functional within 1e-10."""
    w = W64(arrays)
    full = bert_forward(w, cfg, ids, type_ids)
    n = len(ids)
    L = cfg["num_hidden_layers"]
    for strat in ("attn", "head"):
        pw = bert_forward(w, cfg, ids, type_ids, retention=[n] * L, strategy=strat)
        diff = max(max_abs_diff(a, b) for a, b in zip(full["hidden_states"], pw["hidden_states"]))
        diff = max(diff, max_abs_diff(full["logits"], pw["logits"]))
        assert diff <= 1e-12, (label, strat, diff)
        assert all(k == list(range(n)) for k in pw["kept"])
    report = {}
    for dtype, tol in ((torch.float64, 1e-10), (torch.float32, f32_tol)):
        hs, pooled, logits = bert_forward_functional(arrays, cfg, ids, type_ids, dtype)
        diff = max(max_abs_diff(a, b) for a, b in zip(full["hidden_states"], hs))
        diff = max(diff, max_abs_diff(full["pooled"], pooled), max_abs_diff(full["logits"], logits))
        assert diff <= tol, (label, str(dtype), diff, tol)
        report[str(dtype).replace("torch.", "")] = diff
    print(f"  verify {label}: power(keep=n)==full; functional max|diff| "
          f"f64 {report['float64']:.3e}, f32 {report['float32']:.3e}")
    return full


# ----------------------------------------------------------------------------------------------
# fixtures
# ----------------------------------------------------------------------------------------------

def fl(t) -> list[float]:
    return [float(v) for v in torch.as_tensor(t).reshape(-1)]


def seq_sum(a: np.ndarray) -> float:
    """float64 sum accumulated sequentially in row-major order (s += double(v))."""
    flat = np.asarray(a, dtype=np.float64).reshape(-1)
    return float(np.cumsum(flat)[-1])


SMALL = dict(vocab=120, hidden=64, layers=4, heads=4, inter=128, max_pos=64, type_vocab=2, eps=1e-12)
SMALL_SEED = 7
SMALL_LABELS = {0: "negative", 1: "neutral", 2: "positive"}
SMALL_INPUTS = [
    ([101, 7, 8, 9, 10, 11, 12, 13, 14, 102], [0] * 10),
    ([101, 20, 21, 22, 102, 30, 31, 102], [0, 0, 0, 0, 0, 1, 1, 1]),
]
SMALL_RETENTION = [6, 4, 3, 2]

BASE = dict(vocab=30522, hidden=768, layers=12, heads=12, inter=3072, max_pos=512, type_vocab=2, eps=1e-12)
BASE_SEED = 20200
BASE_RETENTION = [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]


def make_cfg(spec: dict, id2label: dict, torch_dtype="float32", problem_type=None) -> dict:
    return hf_config(spec["vocab"], spec["hidden"], spec["layers"], spec["heads"], spec["inter"],
                     spec["max_pos"], spec["type_vocab"], spec["eps"], id2label, torch_dtype, problem_type)


def weights_check(out_dir: str) -> None:
    cfg = make_cfg(SMALL, SMALL_LABELS)
    w = generate(cfg, SMALL_SEED)
    names = [
        "bert.embeddings.word_embeddings.weight",
        "bert.embeddings.position_embeddings.weight",
        "bert.embeddings.token_type_embeddings.weight",
        "bert.embeddings.LayerNorm.weight",
        "bert.embeddings.LayerNorm.bias",
        "bert.encoder.layer.0.attention.self.query.weight",
        "bert.encoder.layer.0.attention.self.query.bias",
        "bert.encoder.layer.1.attention.output.LayerNorm.weight",
        "bert.encoder.layer.2.intermediate.dense.weight",
        "bert.encoder.layer.3.output.dense.weight",
        "bert.encoder.layer.3.output.LayerNorm.bias",
        "bert.pooler.dense.weight",
        "classifier.weight",
        "classifier.bias",
    ]

    def entry(name, a):
        flat = a.reshape(-1)
        return {
            "name": name,
            "shape": list(a.shape),
            "first8": [float(v) for v in flat[:8]],
            "first8_bits": ["0x%08x" % int(b) for b in flat[:8].view(np.uint32)],
            "last": float(flat[-1]),
            "last_bits": "0x%08x" % int(flat[-1:].view(np.uint32)[0]),
            "sum": seq_sum(a),
        }

    obj = {
        "description": "Seeded-weight self-check (tools/seeded_weights.py). first8 are exact float32 values "
                       "printed as JSON numbers (Python repr of the equal float64; parse as double, cast to float); first8_bits are their IEEE bits. "
                       "sum is the float64 sum over all elements in row-major order accumulated sequentially "
                       "(double s = 0; for v: s += double(v)).",
        "config": {"vocab_size": SMALL["vocab"], "hidden_size": SMALL["hidden"],
                   "num_hidden_layers": SMALL["layers"], "num_attention_heads": SMALL["heads"],
                   "intermediate_size": SMALL["inter"], "max_position_embeddings": SMALL["max_pos"],
                   "type_vocab_size": SMALL["type_vocab"], "num_labels": 3},
        "seed": SMALL_SEED,
        "tensor_count": len(w),
        "total_elements": int(sum(a.size for a in w.values())),
        "tensors": [entry(nm, w[nm]) for nm in names],
        "fnv1a64": {s: "0x%016x" % __import__("seeded_weights").fnv1a64(s)
                    for s in ["", "a", "classifier.bias", "bert.embeddings.word_embeddings.weight"]},
    }
    write_json(os.path.join(out_dir, "seeded_weights_check.json"), obj)
    print("  word_embeddings first8 (small, seed 7):", [repr(v) for v in obj["tensors"][0]["first8"]])


def add_run(tensors: dict, prefix: str, r: dict, classification: bool, all_hidden=True) -> None:
    hs = r["hidden_states"]
    idxs = range(len(hs)) if all_hidden else [len(hs) - 1]
    for i in idxs:
        tensors[f"{prefix}hidden_states.{i}"] = f32_entry(hs[i])
    tensors[prefix + "pooled"] = f32_entry(r["pooled"])
    tensors[prefix + "logits"] = f32_entry(r["logits"])
    if classification:
        tensors[prefix + "probabilities"] = f32_entry(r["probabilities"])


def write_model_folder(d: str, cfg: dict, w32: dict, dtype: str) -> dict:
    """config.json and model.safetensors (weights rounded to dtype); returns the stored values,
    checked to round-trip exactly through the written file."""
    entries, stored = store(w32, dtype)
    write_json(os.path.join(d, "config.json"), cfg)
    write_safetensors(os.path.join(d, "model.safetensors"), entries, {"format": "pt"})
    back = read_safetensors(os.path.join(d, "model.safetensors"))
    assert set(back) == set(stored) and all(np.array_equal(back[k], stored[k]) for k in stored)
    return stored


def small_folder(name: str, dtype: str, torch_dtype: str, id2label: dict, problem_type=None) -> None:
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    cfg = make_cfg(SMALL, id2label, torch_dtype, problem_type)
    classification = problem_type != "regression"
    stored = write_model_folder(d, cfg, generate(cfg, SMALL_SEED), dtype)

    w = W64(stored)
    tensors: dict = {}
    inputs_json = []
    print(f" {name}:")
    for i, (ids, tids) in enumerate(SMALL_INPUTS):
        full = verify(stored, cfg, ids, tids, f"{name}/in{i}")
        pre = f"in{i}."
        add_run(tensors, pre, full, classification)
        item = {
            "name": f"in{i}",
            "ids": ids,
            "type_ids": tids,
            "logits": fl(full["logits"]),
        }
        if classification:
            item["probabilities"] = fl(full["probabilities"])
            item["predicted"] = int(torch.argmax(full["logits"]))
        item["significance"] = full["significance"]
        runs = []
        for strat in ("attn", "head"):
            r = bert_forward(w, cfg, ids, tids, retention=SMALL_RETENTION, strategy=strat)
            add_run(tensors, f"{pre}power_{strat}.", r, classification)
            run = {
                "strategy": strat,
                "retention": SMALL_RETENTION,
                "tensor_prefix": f"{pre}power_{strat}.",
                "kept_positions": r["kept"],
                "significance": r["significance"],
                "logits": fl(r["logits"]),
            }
            if classification:
                run["probabilities"] = fl(r["probabilities"])
                run["predicted"] = int(torch.argmax(r["logits"]))
            runs.append(run)
            print(f"   in{i} power {strat}: kept {r['kept']} logits {[round(v, 6) for v in fl(r['logits'])]}")
        item["power"] = runs
        print(f"   in{i} full logits {[round(v, 6) for v in fl(full['logits'])]}")
        inputs_json.append(item)

    exp = {
        "description": "Expected outputs computed in float64 from the stored weights of model.safetensors "
                       "(tools/make_bert_fixtures.py). expected.safetensors holds them rounded to F32. "
                       "Names: inK.hidden_states.J (J=0 embeddings, J=i+1 output of layer i), inK.pooled, "
                       "inK.logits, inK.probabilities; PoWER runs under inK.power_attn. / inK.power_head. "
                       "where hidden_states.J holds only the rows kept after layer J-1 (kept_positions[J-1]).",
        "storage_dtype": dtype,
        "seed": SMALL_SEED,
        "problem_type": problem_type or "single_label_classification",
        "num_labels": num_labels_of(cfg),
        "inputs": inputs_json,
    }
    write_safetensors(os.path.join(d, "expected.safetensors"),
                      tensors, {"format": "pt", "source": "tools/make_bert_fixtures.py"})
    write_json(os.path.join(d, "expected.json"), exp)


def base_fixture() -> None:
    cfg = make_cfg(BASE, {0: "LABEL_0", 1: "LABEL_1"})
    rs = np.random.RandomState(1)
    mid = [int(v) for v in rs.randint(1000, 30000, size=12)]
    ids = [101] + mid + [102]
    tids = [0] * 8 + [1] * (len(ids) - 8)
    print(" base: generating BERT-base weights (seed %d) ..." % BASE_SEED, flush=True)
    w32 = generate(cfg, BASE_SEED)
    full = verify(w32, cfg, ids, tids, "base")
    w = W64(w32)
    pw = bert_forward(w, cfg, ids, tids, retention=BASE_RETENTION, strategy="attn")
    tensors: dict = {}
    for i, h in enumerate(full["hidden_states"]):
        tensors[f"hidden_states.{i}"] = f32_entry(h)
    tensors["pooled"] = f32_entry(full["pooled"])
    tensors["logits"] = f32_entry(full["logits"])
    tensors["probabilities"] = f32_entry(full["probabilities"])
    L = BASE["layers"]
    tensors[f"power.hidden_states.{L}"] = f32_entry(pw["hidden_states"][L])
    tensors["power.pooled"] = f32_entry(pw["pooled"])
    tensors["power.logits"] = f32_entry(pw["logits"])
    tensors["power.probabilities"] = f32_entry(pw["probabilities"])
    write_json(os.path.join(OUT, "base_config.json"), cfg)
    write_safetensors(os.path.join(OUT, "base_expected.safetensors"), tensors,
                      {"format": "pt", "source": "tools/make_bert_fixtures.py"})
    exp = {
        "description": "BERT-base-shaped model with seeded weights (tools/seeded_weights.py, not stored). "
                       "Expected outputs in float64; base_expected.safetensors holds them rounded to F32. "
                       "power.* is PoWER-BERT with the given retention and strategy.",
        "config": "base_config.json",
        "seed": BASE_SEED,
        "ids": ids,
        "type_ids": tids,
        "logits": fl(full["logits"]),
        "probabilities": fl(full["probabilities"]),
        "significance": full["significance"],
        "power": {
            "strategy": "attn",
            "retention": BASE_RETENTION,
            "kept_positions": pw["kept"],
            "significance": pw["significance"],
            "logits": fl(pw["logits"]),
            "probabilities": fl(pw["probabilities"]),
        },
    }
    write_json(os.path.join(OUT, "base_expected.json"), exp)
    print("  ids", ids)
    print("  logits", fl(full["logits"]))
    print("  power logits", fl(pw["logits"]))
    for j, k in enumerate(pw["kept"]):
        print(f"  layer {j} kept {k}")


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    weights_check(OUT)
    small_folder("small_f32", "F32", "float32", SMALL_LABELS)
    small_folder("small_f16", "F16", "float16", SMALL_LABELS)
    small_folder("small_bf16", "BF16", "bfloat16", SMALL_LABELS)
    small_folder("small_regression", "F32", "float32", {0: "LABEL_0"}, problem_type="regression")
    base_fixture()
    total = 0
    for dp, _, fs in os.walk(OUT):
        for f in fs:
            total += os.path.getsize(os.path.join(dp, f))
    print(f" total size of {os.path.relpath(OUT, ROOT)}: {total} bytes")
    assert total < 3 * 1024 * 1024


if __name__ == "__main__":
    main()
