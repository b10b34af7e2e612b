#!/usr/bin/python3
"""Summarises benchmarks/run_peers.sh's rounds: medians, min-max spreads and ratios per model
shape and length, and whether the engines agree on the logits (so they ran the same model).

    summarize_peers.py RUN_DIR [--tolerance 1e-4]   (prints a Markdown table, writes RUN_DIR/summary.json)
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import sys

ENGINES = [("powerbert", "this project"), ("pytorch", "PyTorch"), ("onnxruntime", "ONNX Runtime")]
OPTIONAL = "powerbert_bf16"  # the project with bfloat16 weights (run_peers.sh --bf16)


def load_rounds(shape_dir: str) -> dict[str, list[dict]]:
    rounds: dict[str, list[dict]] = {}
    for path in sorted(glob.glob(os.path.join(shape_dir, "round-*-*.json"))):
        engine = os.path.basename(path)[:-5].split("-", 2)[2]
        with open(path) as f:
            rounds.setdefault(engine, []).append(json.load(f))
    return rounds


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "count": len(values)}


def summarise_shape(shape_dir: str, tolerance: float) -> dict:
    rounds = load_rounds(shape_dir)
    missing = [e for e, _ in ENGINES if e not in rounds]
    if missing:
        raise SystemExit(f"{shape_dir}: no results of {', '.join(missing)}")
    lengths = [r["length"] for r in rounds["pytorch"][0]["results"]]
    engines = [e for e, _ in ENGINES] + ([OPTIONAL] if OPTIONAL in rounds else [])
    rows = []
    for i, n in enumerate(lengths):
        row = {"length": n}
        for engine in engines:
            times = [ms for run in rounds[engine] for ms in run["results"][i]["ms"]]
            row[engine] = spread(times)
        reference = rounds["pytorch"][0]["results"][i]["logits"]
        for engine in [e for e in engines if e != "pytorch"]:
            logits = rounds[engine][0]["results"][i]["logits"]
            row[engine]["max_logit_difference_vs_pytorch"] = max(abs(a - b) for a, b in zip(logits, reference))
        row["pytorch_over_powerbert"] = row["pytorch"]["median"] / row["powerbert"]["median"]
        row["onnxruntime_over_powerbert"] = row["onnxruntime"]["median"] / row["powerbert"]["median"]
        rows.append(row)
    # bfloat16 weights are not expected to agree within the float tolerance; their difference is reported.
    agree = all(r[e]["max_logit_difference_vs_pytorch"] <= tolerance for r in rows for e in ("powerbert", "onnxruntime"))
    about = {e: {k: v for k, v in rounds[e][0].items() if k != "results"} for e in engines}
    return {"rounds": len(rounds["powerbert"]), "engines": about, "rows": rows, "logits_agree": agree}


def cell(s: dict) -> str:
    return f"{s['median']:.2f} ({s['min']:.2f}-{s['max']:.2f})"


def table(shape: str, summary: dict) -> str:
    bf16 = OPTIONAL in summary["rows"][0]
    head = "| model | tokens | this project | PyTorch | ONNX Runtime | PyTorch / project | ONNX Runtime / project | max logit diff (project, ORT vs PyTorch) |"
    if bf16:
        head += " project, BF16 weights | its max logit diff |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in summary["rows"]:
        line = (f"| {shape} | {r['length']} | {cell(r['powerbert'])} | {cell(r['pytorch'])} | {cell(r['onnxruntime'])} | "
                f"{r['pytorch_over_powerbert']:.2f} | {r['onnxruntime_over_powerbert']:.2f} | "
                f"{r['powerbert']['max_logit_difference_vs_pytorch']:.1e}, {r['onnxruntime']['max_logit_difference_vs_pytorch']:.1e} |")
        if bf16:
            line += f" {cell(r[OPTIONAL])} | {r[OPTIONAL]['max_logit_difference_vs_pytorch']:.1e} |"
        lines.append(line)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()
    shapes = sorted(d for d in os.listdir(args.run_dir) if os.path.exists(os.path.join(args.run_dir, d, "inputs.json")))
    result = {"tolerance": args.tolerance, "shapes": {}}
    for shape in shapes:
        summary = summarise_shape(os.path.join(args.run_dir, shape), args.tolerance)
        result["shapes"][shape] = summary
        print(table(shape, summary))
        print()
    engines = next(iter(result["shapes"].values()))["engines"]
    print(f"Times in ms, median (min-max) over {next(iter(result['shapes'].values()))['rounds']} rounds; "
          f"ratios > 1: this project is faster. PyTorch {engines['pytorch'].get('version')} with {engines['pytorch'].get('blas')}; "
          f"ONNX Runtime {engines['onnxruntime'].get('version')}; threads: project {engines['powerbert'].get('threads')}, "
          f"PyTorch {engines['pytorch'].get('threads')}, ONNX Runtime {engines['onnxruntime'].get('threads')}.")
    ok = all(s["logits_agree"] for s in result["shapes"].values())
    print(f"Logits agree within {args.tolerance:g}: {'yes' if ok else 'NO'}")
    tmp = os.path.join(args.run_dir, "summary.json.tmp")
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    os.replace(tmp, os.path.join(args.run_dir, "summary.json"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
