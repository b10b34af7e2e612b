#!/usr/bin/python3
"""Independent PyTorch reference for ALBERT and PoWER-BERT on ALBERT; writes tests/fixtures/albert/.

Regenerate with:   /usr/bin/python3 tools/make_albert_fixtures.py

Written from the semantics of Hugging Face's modeling_albert (no transformers package here):
  embeddings  LayerNorm_E(word[id] + position[i] + token_type[t])   (LayerNorm on embedding_size, eps from config)
  projection  x = embedding_hidden_mapping_in(e)                      (embedding_size -> hidden_size)
  layers      for i in 0..num_hidden_layers-1: group g = int(i / (num_hidden_layers / num_hidden_groups));
              run albert_layer_groups[g].albert_layers[0..inner_group_num-1] in turn, each:
                h = LayerNorm(x + attention.dense(softmax(QK^T/sqrt(d)) V))      ("attention.LayerNorm")
                x = LayerNorm(h + ffn_output(act(ffn(h))))                     ("full_layer_layer_norm")
  activation  ACT2FN[hidden_act]: gelu = erf form, gelu_new = 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))), relu
  pooler      tanh(albert.pooler(x[CLS])); classifier on the pooled vector.
The reference runs in float64 from the stored float32 weights; a second implementation from
torch.nn.functional ops (float64 and float32) must agree with it before anything is written.

PoWER-BERT (compute-then-drop), as in tools/make_bert_fixtures.py: after each layer's attention
add & LayerNorm over all current rows, Sig(k) = sum_q Abar[q][k] - Abar[k][k]; keep [CLS] plus the
top keep[j]-1 others (ties: lower original position), in original order; "head" keeps the first
keep[j]. Every encoder layer as run (num_hidden_layers x inner_group_num of them) has its own Extract.

The script is deterministic: running it twice produces byte-identical files.
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bert_fixtures import (W64, extract_rows, f32_entry, fl, layer_norm, linear, max_abs_diff,  # noqa: E402
                                seq_sum, softmax_rows, write_json, write_model_folder, write_safetensors)
from seeded_weights import generate, num_labels_of  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "albert")

torch.set_num_threads(1)


def activation(name: str, x):
    if name in ("gelu", "gelu_python"):
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
    if name == "relu":
        return torch.clamp(x, min=0.0)
    raise ValueError(name)


def layer_plan(cfg: dict) -> list[str]:
    """Tensor-name prefixes of the encoder layers as run, in order."""
    L = cfg["num_hidden_layers"]
    G = cfg["num_hidden_groups"]
    K = cfg["inner_group_num"]
    out = []
    for i in range(L):
        g = int(i / (L / G))
        for k in range(K):
            out.append(f"encoder.albert_layer_groups.{g}.albert_layers.{k}.")
    return out


def albert_forward(w: W64, cfg: dict, ids, type_ids, prefix="albert.", retention=None, strategy="attn") -> dict:
    H = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    eps = float(cfg["layer_norm_eps"])
    act = cfg["hidden_act"]
    d = H // nh
    n = len(ids)
    pre = prefix + "embeddings."
    e = (w.rows(pre + "word_embeddings.weight", ids)
         + w.rows(pre + "position_embeddings.weight", list(range(n)))
         + w.rows(pre + "token_type_embeddings.weight", type_ids))
    e = layer_norm(e, w(pre + "LayerNorm.weight"), w(pre + "LayerNorm.bias"), eps)
    x = linear(e, w(prefix + "encoder.embedding_hidden_mapping_in.weight"),
               w(prefix + "encoder.embedding_hidden_mapping_in.bias"))
    rows = list(range(n))
    hidden, positions, sigs, kept = [x], [list(rows)], [], []
    for j, lp in enumerate(layer_plan(cfg)):
        p = prefix + lp
        m = x.shape[0]
        q = linear(x, w(p + "attention.query.weight"), w(p + "attention.query.bias"))
        k = linear(x, w(p + "attention.key.weight"), w(p + "attention.key.bias"))
        v = linear(x, w(p + "attention.value.weight"), w(p + "attention.value.bias"))
        ctx = torch.empty(m, H, dtype=torch.float64)
        abar = torch.zeros(m, m, dtype=torch.float64)
        for h in range(nh):
            sl = slice(h * d, (h + 1) * d)
            a = softmax_rows((q[:, sl] @ k[:, sl].T) / math.sqrt(d))
            abar += a
            ctx[:, sl] = a @ v[:, sl]
        abar /= nh
        sig = abar.sum(dim=0) - torch.diagonal(abar)
        sigs.append([float(t) for t in sig])
        ao = linear(ctx, w(p + "attention.dense.weight"), w(p + "attention.dense.bias"))
        x = layer_norm(ao + x, w(p + "attention.LayerNorm.weight"), w(p + "attention.LayerNorm.bias"), eps)
        if retention is not None:
            chosen = extract_rows(sig, rows, int(retention[j]), strategy)
            x = x[chosen]
            rows = [rows[i] for i in chosen]
        kept.append(list(rows))
        f = activation(act, linear(x, w(p + "ffn.weight"), w(p + "ffn.bias")))
        o = linear(f, w(p + "ffn_output.weight"), w(p + "ffn_output.bias"))
        x = layer_norm(o + x, w(p + "full_layer_layer_norm.weight"), w(p + "full_layer_layer_norm.bias"), eps)
        hidden.append(x)
        positions.append(list(rows))
    out = {"hidden_states": hidden, "positions": positions, "significance": sigs, "kept": kept}
    out["pooled"] = torch.tanh(linear(x[0], w(prefix + "pooler.weight"), w(prefix + "pooler.bias")))
    if "classifier.weight" in w.a:
        out["logits"] = linear(out["pooled"], w("classifier.weight"), w("classifier.bias"))
        out["probabilities"] = softmax_rows(out["logits"].unsqueeze(0))[0]
    return out


def albert_forward_functional(arrays, cfg: dict, ids, type_ids, dtype, prefix="albert."):
    """The same model from torch.nn.functional ops (batched heads), in any dtype."""
    def t(name):
        return torch.from_numpy(np.ascontiguousarray(arrays[name])).to(dtype)

    H = cfg["hidden_size"]
    E = cfg["embedding_size"]
    nh = cfg["num_attention_heads"]
    d = H // nh
    eps = float(cfg["layer_norm_eps"])
    n = len(ids)
    pre = prefix + "embeddings."
    wemb = torch.from_numpy(np.ascontiguousarray(arrays[pre + "word_embeddings.weight"][np.asarray(ids)])).to(dtype)
    e = (wemb + F.embedding(torch.arange(n), t(pre + "position_embeddings.weight"))
         + F.embedding(torch.tensor(type_ids), t(pre + "token_type_embeddings.weight")))
    e = F.layer_norm(e, (E,), t(pre + "LayerNorm.weight"), t(pre + "LayerNorm.bias"), eps)
    x = F.linear(e, t(prefix + "encoder.embedding_hidden_mapping_in.weight"),
                 t(prefix + "encoder.embedding_hidden_mapping_in.bias"))
    hs = [x]
    gelu = {"gelu": lambda v: F.gelu(v), "gelu_new": lambda v: F.gelu(v, approximate="tanh"), "relu": F.relu}
    for lp in layer_plan(cfg):
        p = prefix + lp
        q = F.linear(x, t(p + "attention.query.weight"), t(p + "attention.query.bias")).view(n, nh, d).transpose(0, 1)
        k = F.linear(x, t(p + "attention.key.weight"), t(p + "attention.key.bias")).view(n, nh, d).transpose(0, 1)
        v = F.linear(x, t(p + "attention.value.weight"), t(p + "attention.value.bias")).view(n, nh, d).transpose(0, 1)
        a = torch.softmax(torch.bmm(q, k.transpose(1, 2)) * (1.0 / math.sqrt(d)), dim=-1)
        ctx = torch.bmm(a, v).transpose(0, 1).reshape(n, H)
        ao = F.linear(ctx, t(p + "attention.dense.weight"), t(p + "attention.dense.bias"))
        x = F.layer_norm(ao + x, (H,), t(p + "attention.LayerNorm.weight"), t(p + "attention.LayerNorm.bias"), eps)
        f = gelu[cfg["hidden_act"]](F.linear(x, t(p + "ffn.weight"), t(p + "ffn.bias")))
        o = F.linear(f, t(p + "ffn_output.weight"), t(p + "ffn_output.bias"))
        x = F.layer_norm(o + x, (H,), t(p + "full_layer_layer_norm.weight"), t(p + "full_layer_layer_norm.bias"), eps)
        hs.append(x)
    pooled = torch.tanh(F.linear(x[0], t(prefix + "pooler.weight"), t(prefix + "pooler.bias")))
    logits = F.linear(pooled, t("classifier.weight"), t("classifier.bias")) if "classifier.weight" in arrays else None
    return hs, pooled, logits


def verify(arrays, cfg, ids, type_ids, label: str, prefix="albert.", f32_tol=1e-5) -> dict:
    """keep = n everywhere equals the full model; the functional implementation agrees."""
    w = W64(arrays)
    full = albert_forward(w, cfg, ids, type_ids, prefix)
    n = len(ids)
    layers = len(layer_plan(cfg))
    for strat in ("attn", "head"):
        pw = albert_forward(w, cfg, ids, type_ids, prefix, retention=[n] * layers, strategy=strat)
        diff = max(max_abs_diff(a, b) for a, b in zip(full["hidden_states"], pw["hidden_states"]))
        assert diff <= 1e-12, (label, strat, diff)
    report = {}
    for dtype, tol in ((torch.float64, 1e-10), (torch.float32, f32_tol)):
        hs, pooled, logits = albert_forward_functional(arrays, cfg, ids, type_ids, dtype, prefix)
        diff = max(max_abs_diff(a, b) for a, b in zip(full["hidden_states"], hs))
        diff = max(diff, max_abs_diff(full["pooled"], pooled))
        if logits is not None:
            diff = max(diff, max_abs_diff(full["logits"], logits))
        assert diff <= tol, (label, str(dtype), diff, tol)
        report[str(dtype).replace("torch.", "")] = diff
    print(f"  verify {label}: power(keep=n)==full; functional max|diff| "
          f"f64 {report['float64']:.3e}, f32 {report['float32']:.3e}")
    return full


def albert_config(spec: dict, id2label: dict | None) -> dict:
    cfg = {
        "_name_or_path": "power-bert-studio/seeded-albert-fixture",
        "architectures": ["AlbertForSequenceClassification" if id2label else "AlbertModel"],
        "attention_probs_dropout_prob": 0.0,
        "bos_token_id": 2,
        "classifier_dropout_prob": 0.1,
        "embedding_size": spec["embedding"],
        "eos_token_id": 3,
        "hidden_act": spec["act"],
        "hidden_dropout_prob": 0.0,
        "hidden_size": spec["hidden"],
        "initializer_range": 0.02,
        "inner_group_num": spec["inner"],
        "intermediate_size": spec["inter"],
        "layer_norm_eps": spec["eps"],
        "max_position_embeddings": spec["max_pos"],
        "model_type": "albert",
        "num_attention_heads": spec["heads"],
        "num_hidden_groups": spec["groups"],
        "num_hidden_layers": spec["layers"],
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
        "transformers_version": "4.40.0",
        "type_vocab_size": 2,
        "vocab_size": spec["vocab"],
    }
    if id2label:
        id2 = {str(k): v for k, v in sorted(id2label.items())}
        cfg["id2label"] = id2
        cfg["label2id"] = {v: int(k) for k, v in id2.items()}
    else:
        cfg["num_labels"] = 2
    return cfg


def strip_prefix(arrays: dict, prefix: str) -> dict:
    """A bare AlbertModel checkpoint: no prefix, no classifier."""
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


SMALL = dict(vocab=120, embedding=24, hidden=64, layers=4, groups=2, inner=1, heads=4, inter=128, max_pos=64,
             act="gelu_new", eps=1e-12)
GROUPED = dict(vocab=120, embedding=40, hidden=32, layers=3, groups=2, inner=2, heads=2, inter=48, max_pos=64,
               act="gelu", eps=1e-5)
SMALL_SEED = 9
SMALL_LABELS = {0: "negative", 1: "neutral", 2: "positive"}
SMALL_INPUTS = [
    ([2, 7, 8, 9, 10, 11, 12, 13, 14, 3], [0] * 10),
    ([2, 20, 21, 22, 3, 30, 31, 3], [0, 0, 0, 0, 0, 1, 1, 1]),
]
SMALL_RETENTION = [6, 4, 3, 2]
GROUPED_RETENTION = [8, 7, 5, 4, 3, 2]

BASE = dict(vocab=30000, embedding=128, hidden=768, layers=12, groups=1, inner=1, heads=12, inter=3072, max_pos=512,
            act="gelu_new", eps=1e-12)
BASE_SEED = 20201
BASE_RETENTION = [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]


def add_run(tensors: dict, prefix: str, r: dict) -> None:
    for i, h in enumerate(r["hidden_states"]):
        tensors[f"{prefix}hidden_states.{i}"] = f32_entry(h)
    tensors[prefix + "pooled"] = f32_entry(r["pooled"])
    if "logits" in r:
        tensors[prefix + "logits"] = f32_entry(r["logits"])
        tensors[prefix + "probabilities"] = f32_entry(r["probabilities"])


def small_folder(name: str, spec: dict, id2label: dict | None, retention: list[int], prefix: str) -> None:
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    cfg = albert_config(spec, id2label)
    w32 = generate(cfg, SMALL_SEED)
    if prefix != "albert.":
        w32 = strip_prefix(w32, "albert.")
    stored = write_model_folder(d, cfg, w32, "F32")

    w = W64(stored)
    tensors: dict = {}
    inputs_json = []
    print(f" {name}:")
    for i, (ids, tids) in enumerate(SMALL_INPUTS):
        full = verify(stored, cfg, ids, tids, f"{name}/in{i}", prefix)
        pre = f"in{i}."
        add_run(tensors, pre, full)
        item = {"name": f"in{i}", "ids": ids, "type_ids": tids, "significance": full["significance"]}
        if "logits" in full:
            item["logits"] = fl(full["logits"])
            item["predicted"] = int(torch.argmax(full["logits"]))
        runs = []
        for strat in ("attn", "head"):
            r = albert_forward(w, cfg, ids, tids, prefix, retention=retention, strategy=strat)
            add_run(tensors, f"{pre}power_{strat}.", r)
            runs.append({"strategy": strat, "retention": retention, "tensor_prefix": f"{pre}power_{strat}.",
                         "kept_positions": r["kept"], "significance": r["significance"]})
            print(f"   in{i} power {strat}: kept {r['kept']}")
        item["power"] = runs
        inputs_json.append(item)
    exp = {
        "description": "Expected outputs computed in float64 from the stored weights of model.safetensors "
                       "(tools/make_albert_fixtures.py); expected.safetensors holds them rounded to F32. "
                       "Names: inK.hidden_states.J (J=0 the projected embeddings, J=i+1 the output of encoder "
                       "layer i as run), inK.pooled, inK.logits, inK.probabilities; PoWER runs under "
                       "inK.power_attn. / inK.power_head. where hidden_states.J holds the rows kept after layer J-1.",
        "seed": SMALL_SEED,
        "layers_as_run": len(layer_plan(cfg)),
        "inputs": inputs_json,
    }
    write_safetensors(os.path.join(d, "expected.safetensors"), tensors,
                      {"format": "pt", "source": "tools/make_albert_fixtures.py"})
    write_json(os.path.join(d, "expected.json"), exp)


def weights_check() -> None:
    cfg = albert_config(SMALL, SMALL_LABELS)
    w = generate(cfg, SMALL_SEED)
    names = [
        "albert.embeddings.word_embeddings.weight",
        "albert.embeddings.LayerNorm.weight",
        "albert.encoder.embedding_hidden_mapping_in.weight",
        "albert.encoder.embedding_hidden_mapping_in.bias",
        "albert.encoder.albert_layer_groups.1.albert_layers.0.full_layer_layer_norm.weight",
        "albert.encoder.albert_layer_groups.1.albert_layers.0.full_layer_layer_norm.bias",
        "albert.encoder.albert_layer_groups.0.albert_layers.0.ffn_output.weight",
        "albert.pooler.weight",
    ]
    tensors = []
    for name in names:
        flat = w[name].reshape(-1)
        tensors.append({"name": name, "shape": list(w[name].shape),
                        "first8_bits": ["0x%08x" % int(b) for b in flat[:8].view(np.uint32)],
                        "sum": seq_sum(w[name])})
    write_json(os.path.join(OUT, "seeded_weights_check.json"), {
        "description": "Seeded ALBERT weights (tools/seeded_weights.py): IEEE bits of the first 8 values and the "
                       "float64 sum in row-major order accumulated sequentially.",
        "config": cfg, "seed": SMALL_SEED, "tensor_count": len(w), "tensors": tensors})


def base_fixture() -> None:
    cfg = albert_config(BASE, {0: "LABEL_0", 1: "LABEL_1"})
    rs = np.random.RandomState(2)
    ids = [2] + [int(v) for v in rs.randint(5, 30000, size=12)] + [3]
    tids = [0] * 8 + [1] * (len(ids) - 8)
    print(" base: generating ALBERT-base weights (seed %d) ..." % BASE_SEED, flush=True)
    w32 = generate(cfg, BASE_SEED)
    full = verify(w32, cfg, ids, tids, "base", f32_tol=1e-4)
    pw = albert_forward(W64(w32), cfg, ids, tids, retention=BASE_RETENTION, strategy="attn")
    tensors: dict = {}
    add_run(tensors, "", full)
    L = BASE["layers"]
    tensors[f"power.hidden_states.{L}"] = f32_entry(pw["hidden_states"][L])
    tensors["power.pooled"] = f32_entry(pw["pooled"])
    tensors["power.logits"] = f32_entry(pw["logits"])
    write_json(os.path.join(OUT, "base_config.json"), cfg)
    write_safetensors(os.path.join(OUT, "base_expected.safetensors"), tensors,
                      {"format": "pt", "source": "tools/make_albert_fixtures.py"})
    write_json(os.path.join(OUT, "base_expected.json"), {
        "description": "ALBERT-base-shaped model (12 x 768, embedding 128, one shared group) with seeded weights "
                       "(tools/seeded_weights.py, not stored). Expected outputs in float64, stored rounded to F32.",
        "config": "base_config.json", "seed": BASE_SEED, "ids": ids, "type_ids": tids,
        "logits": fl(full["logits"]),
        "power": {"strategy": "attn", "retention": BASE_RETENTION, "kept_positions": pw["kept"],
                  "logits": fl(pw["logits"])},
    })
    print("  logits", fl(full["logits"]), "power logits", fl(pw["logits"]))


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    weights_check()
    small_folder("small_f32", SMALL, SMALL_LABELS, SMALL_RETENTION, "albert.")
    small_folder("grouped_bare", GROUPED, None, GROUPED_RETENTION, "")
    base_fixture()
    total = 0
    for dp, _, fs in os.walk(OUT):
        for f in fs:
            total += os.path.getsize(os.path.join(dp, f))
    print(f" total size of {os.path.relpath(OUT, ROOT)}: {total} bytes")


if __name__ == "__main__":
    main()
