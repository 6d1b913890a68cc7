// ort_runner.js - Times an ONNX model with ONNX Runtime (npm onnxruntime-node, CPU EP).
//
// The same protocol as kiln_runner.c, in its own process so that peak RSS is ORT's:
//   node ort_runner.js --model M.onnx --manifest manifest.json [--threads T] [--warmup W]
//        [--runs N] [--min-runs M] [--min-seconds F] [--max-seconds S] [--output-dir DIR]
//   node ort_runner.js --baseline     (peak RSS of Node with onnxruntime-node loaded)
// Inputs are the raw files the manifest names (next to it); outputs are written as
// DIR/output_K.bin. The session uses the CPU execution provider, intraOpNumThreads = T,
// interOpNumThreads = 1 and every graph optimization ('all'). One JSON line on stdout.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const TYPED_ARRAYS = {float32: Float32Array, int64: BigInt64Array};

function parseArguments(argv) {
  const options = {threads: 1, warmup: 3, runs: 20, minRuns: 5, minSeconds: 0, maxSeconds: 1e9};
  const names = {'--threads': 'threads', '--warmup': 'warmup', '--runs': 'runs',
                 '--min-runs': 'minRuns', '--min-seconds': 'minSeconds',
                 '--max-seconds': 'maxSeconds', '--model': 'model',
                 '--manifest': 'manifest', '--output-dir': 'outputDir'};
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--baseline') {
      options.baseline = true;
    } else if (names[argv[i]] && i + 1 < argv.length) {
      const value = argv[++i];
      const key = names[argv[i - 1]];
      options[key] = ['model', 'manifest', 'outputDir'].includes(key) ? value : Number(value);
    } else {
      throw new Error(`bad argument '${argv[i]}'`);
    }
  }
  return options;
}

// Peak resident memory of this process in KiB (getrusage's ru_maxrss).
function peakRssKiB() {
  return process.resourceUsage().maxRSS;
}

function readInput(folder, spec) {
  const bytes = fs.readFileSync(path.join(folder, spec.file));
  const Type = TYPED_ARRAYS[spec.dtype];
  if (!Type) throw new Error(`unsupported input dtype ${spec.dtype}`);
  // Copy into an aligned buffer of the right type (Buffer's offset may be unaligned).
  const array = new Type(bytes.length / Type.BYTES_PER_ELEMENT);
  new Uint8Array(array.buffer).set(bytes);
  return new ort.Tensor(spec.dtype, array, spec.shape);
}

function percentile(sorted, p) {
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.max(rank, 1) - 1];
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.baseline) {
    console.log(JSON.stringify({peak_rss_kib: peakRssKiB(), version: ort.env.versions.common}));
    return;
  }
  const manifest = JSON.parse(fs.readFileSync(options.manifest, 'utf8'));
  const folder = path.dirname(options.manifest);
  const loadStart = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(options.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
  const feeds = {};
  for (const spec of manifest.inputs) feeds[spec.name] = readInput(folder, spec);

  let results;
  for (let i = 0; i < options.warmup; ++i) results = await session.run(feeds);
  const times = [];
  const loopStart = process.hrtime.bigint();
  // As kiln_runner.c: past N runs until F seconds have passed, at most 10000.
  const capacity = options.minSeconds > 0 ? Math.max(options.runs, 10000) : options.runs;
  while (times.length < capacity) {
    const start = process.hrtime.bigint();
    results = await session.run(feeds);
    const end = process.hrtime.bigint();
    times.push(Number(end - start) / 1e6);
    const seconds = Number(end - loopStart) / 1e9;
    if (times.length >= options.minRuns && seconds > options.maxSeconds) break;
    if (times.length >= options.runs && seconds >= options.minSeconds) break;
  }
  times.sort((a, b) => a - b);

  if (options.outputDir) {
    session.outputNames.forEach((name, index) => {
      const data = results[name].data;
      fs.writeFileSync(path.join(options.outputDir, `output_${index}.bin`),
                       Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    });
  }
  console.log(JSON.stringify({
    load_ms: loadMs, threads: options.threads, warmup: options.warmup, runs: times.length,
    p50_ms: percentile(times, 0.5), p90_ms: percentile(times, 0.9), min_ms: times[0],
    peak_rss_kib: peakRssKiB(), version: ort.env.versions.common,
  }));
}

main().catch((error) => {
  console.error(`ort_runner: ${error.message}`);
  process.exit(1);
});
