// ONNX Runtime peer of benchmarks/run_peers.sh: times batch-1 forwards of the ONNX file that
// torch_peer.py exported, on the CPU execution provider with a fixed number of intra-op threads.
//
//   node ort_peer.mjs --model model.onnx --inputs inputs.json [--repeats 10 --warmup 2 --threads 2] --out result.json
import fs from 'node:fs';
import ort from 'onnxruntime-node';

function parseArgs(argv) {
  const args = { repeats: 10, warmup: 2, threads: 2 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in args) && !['model', 'inputs', 'out'].includes(key)) throw new Error(`unknown option ${argv[i]}`);
    args[key] = ['repeats', 'warmup', 'threads'].includes(key) ? Number(argv[i + 1]) : argv[i + 1];
  }
  for (const key of ['model', 'inputs', 'out'])
    if (!args[key]) throw new Error(`--${key} is required`);
  return args;
}

function int64Tensor(values) {
  return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), [1, values.length]);
}

function feeds(item) {
  return {
    input_ids: int64Tensor(item.ids),
    attention_mask: int64Tensor(item.ids.map(() => 1)),
    token_type_ids: int64Tensor(item.type_ids),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const start = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const loadMs = Number(process.hrtime.bigint() - start) / 1e6;
  const inputs = JSON.parse(fs.readFileSync(args.inputs, 'utf8')).inputs;
  const prepared = inputs.map(feeds);
  const times = inputs.map(() => []);
  const logits = inputs.map(() => null);
  // Lengths alternate inside each repeat, so a burst of load on the machine hits them all.
  for (let r = 0; r < args.warmup + args.repeats; ++r) {
    for (let i = 0; i < inputs.length; ++i) {
      const t = process.hrtime.bigint();
      const out = await session.run(prepared[i]);
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      if (r >= args.warmup) times[i].push(ms);
      logits[i] = Array.from(out.logits.data);
    }
  }
  const packageJson = JSON.parse(fs.readFileSync(new URL('./node_modules/onnxruntime-node/package.json', import.meta.url), 'utf8'));
  const result = {
    engine: 'onnxruntime',
    version: packageJson.version,
    threads: args.threads,
    load_ms: loadMs,
    results: inputs.map((item, i) => ({ length: item.ids.length, ms: times[i], logits: logits[i] })),
  };
  fs.writeFileSync(args.out + '.tmp', JSON.stringify(result) + '\n');
  fs.renameSync(args.out + '.tmp', args.out);
}

main().catch((e) => {
  console.error(`ort_peer: ${e.message}`);
  process.exit(1);
});
