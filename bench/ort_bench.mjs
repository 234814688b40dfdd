#!/usr/bin/env node
// Benchmarks one model with ONNX Runtime (onnxruntime-node, CPU provider).
// The peer-side half of bench/compare.py; onnxi's half is `onnxi bench`.
//
//   node bench/ort_bench.mjs MODEL [--threads N] [--batch B] [--warmup W] [--runs R]
//                            [--input FILE.npy] [--output FILE.npy] [--seed S] [--json]
//
// Install the runtime first with bench/setup_ort.sh (it goes to bench/.cache/ort).
// With --json, prints exactly one JSON document on stdout:
//   {"runtime":"onnxruntime","version":...,"model":...,"threads":N,"batch":B,
//    "create_ms":..,"first_run_ms":..,"latency_ms":{"min","median","p90","p99","mean"},
//    "throughput_ips":B*1000/median,"peak_rss_mb":..,"runs":R}
// Without --json, prints the same numbers for a human.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ORT_PREFIX = process.env.ORT_PREFIX || path.join(HERE, '.cache', 'ort');

function die(msg) {
  process.stderr.write(`ort_bench: ${msg}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------- arguments
const USAGE = `usage: node bench/ort_bench.mjs MODEL [--threads N] [--batch B] [--warmup W] [--runs R]
                              [--input FILE.npy] [--output FILE.npy] [--seed S] [--json]`;

function parseArgs(argv) {
  const o = { model: null, threads: 1, batch: 1, warmup: 5, runs: 20, input: null, output: null, seed: 1, json: false };
  const ints = { '--threads': 'threads', '--batch': 'batch', '--warmup': 'warmup', '--runs': 'runs', '--seed': 'seed' };
  const strs = { '--input': 'input', '--output': 'output' };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let val = null;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { val = a.slice(eq + 1); a = a.slice(0, eq); }
    const next = () => {
      if (val !== null) return val;
      if (i + 1 >= argv.length) die(`${a} needs a value\n${USAGE}`);
      return argv[++i];
    };
    if (a === '-h' || a === '--help') { process.stdout.write(USAGE + '\n'); process.exit(0); }
    else if (a === '--json') o.json = true;
    else if (a in ints) {
      const s = next();
      if (!/^\d+$/.test(s)) die(`${a} needs a non-negative integer, got '${s}'`);
      o[ints[a]] = Number(s);
    } else if (a in strs) o[strs[a]] = next();
    else if (a.startsWith('-')) die(`unknown option ${a}\n${USAGE}`);
    else if (o.model === null) o.model = a;
    else die(`unexpected argument '${a}'\n${USAGE}`);
  }
  if (o.model === null) die(`missing MODEL\n${USAGE}`);
  if (o.threads < 1) die('--threads must be >= 1');
  if (o.batch < 1) die('--batch must be >= 1');
  if (o.runs < 1) die('--runs must be >= 1');
  return o;
}

// ---------------------------------------------------------------- .npy
// dtype descr <-> ORT tensor type <-> typed array.
const NPY_TYPES = [
  ['<f4', 'float32', Float32Array], ['<f8', 'float64', Float64Array],
  ['<i4', 'int32', Int32Array], ['<i8', 'int64', BigInt64Array],
  ['<u4', 'uint32', Uint32Array], ['<u8', 'uint64', BigUint64Array],
  ['<i2', 'int16', Int16Array], ['<u2', 'uint16', Uint16Array],
  ['|i1', 'int8', Int8Array], ['|u1', 'uint8', Uint8Array], ['|b1', 'bool', Uint8Array],
];

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') die(`${file}: not a .npy file`);
  const major = buf[6];
  let hlen, hstart;
  if (major === 1) { hlen = buf.readUInt16LE(8); hstart = 10; }
  else if (major === 2 || major === 3) { hlen = buf.readUInt32LE(8); hstart = 12; }
  else die(`${file}: unsupported .npy version ${major}`);
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', hstart, hstart + hlen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) die(`${file}: cannot parse .npy header ${JSON.stringify(header)}`);
  if (fortran[1] === 'True') die(`${file}: Fortran-order arrays are not supported (save C order)`);
  let d = descr[1];
  if (d === '=f4' || d === '=f8') d = '<' + d.slice(1); // native order on x86 is little-endian
  const t = NPY_TYPES.find((x) => x[0] === d);
  if (!t) die(`${file}: unsupported dtype '${descr[1]}' (need little-endian, e.g. '<f4')`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const off = hstart + hlen;
  const bytes = count * t[2].BYTES_PER_ELEMENT;
  if (buf.length - off < bytes) die(`${file}: truncated data (${buf.length - off} bytes, want ${bytes})`);
  // Copy into a fresh, aligned buffer.
  const data = new t[2](count);
  new Uint8Array(data.buffer).set(buf.subarray(off, off + bytes));
  return { type: t[1], data, dims };
}

function writeNpy(file, type, data, dims) {
  const t = NPY_TYPES.find((x) => x[1] === type);
  if (!t) die(`cannot write a tensor of type ${type} as .npy`);
  const shape = dims.length === 0 ? '()' : dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${t[0]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so magic(6)+version(2)+len(2)+header+'\n' is a multiple of 64.
  let total = 10 + header.length + 1;
  const pad = (64 - (total % 64)) % 64;
  header += ' '.repeat(pad) + '\n';
  if (header.length > 65535) die('npy header too long');
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

// ---------------------------------------------------------------- input
// Seeded pseudo-random float32 values: roughly N(0,1) (sum of 4 uniforms),
// like a normalised image. mulberry32 generator.
function randomTensor(dims, seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (next() + next() + next() + next() - 2) * 1.7320508;
  return data;
}

// ---------------------------------------------------------------- stats
function quantile(sorted, q) {
  // Linear interpolation between closest ranks (numpy's default).
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function peakRssMb() {
  try {
    const m = /VmHWM:\s+(\d+)\s*kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch { /* not Linux */ }
  return process.resourceUsage().maxRSS / 1024; // kB on Linux; fallback only
}

const r3 = (x) => Math.round(x * 1000) / 1000;
const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

// ---------------------------------------------------------------- main
async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(o.model)) die(`model not found: ${o.model}`);

  const req = createRequire(path.join(ORT_PREFIX, 'package.json'));
  let ort, version;
  try {
    ort = req('onnxruntime-node');
    version = req('onnxruntime-node/package.json').version;
  } catch (e) {
    die(`cannot load onnxruntime-node from ${ORT_PREFIX} (run bench/setup_ort.sh): ${e.message}`);
  }

  // Read the input before creating the session so file I/O is not in create_ms.
  let input = null;
  if (o.input) {
    input = readNpy(o.input);
    if (input.dims.length === 0 || input.dims[0] !== o.batch) {
      die(`${o.input}: shape [${input.dims}] does not have batch ${o.batch} (--batch)`);
    }
  }

  const opts = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: o.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  };
  let t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(o.model, opts);
  const createMs = msSince(t0);

  if (input === null) {
    input = { type: 'float32', dims: [o.batch, 3, 224, 224], data: null };
    input.data = randomTensor(input.dims, o.seed);
  }
  const inName = session.inputNames[0];
  const outName = session.outputNames[0];
  const feeds = { [inName]: new ort.Tensor(input.type, input.data, input.dims) };

  t0 = process.hrtime.bigint();
  const first = await session.run(feeds);
  const firstMs = msSince(t0);
  if (o.output) {
    const y = first[outName];
    writeNpy(o.output, y.type, y.data, y.dims);
  }

  for (let i = 0; i < o.warmup; i++) await session.run(feeds);
  const lat = new Array(o.runs);
  for (let i = 0; i < o.runs; i++) {
    t0 = process.hrtime.bigint();
    await session.run(feeds);
    lat[i] = msSince(t0);
  }
  const sorted = [...lat].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const result = {
    runtime: 'onnxruntime',
    version,
    model: o.model,
    threads: o.threads,
    batch: o.batch,
    create_ms: r3(createMs),
    first_run_ms: r3(firstMs),
    latency_ms: {
      min: r3(sorted[0]),
      median: r3(median),
      p90: r3(quantile(sorted, 0.9)),
      p99: r3(quantile(sorted, 0.99)),
      mean: r3(lat.reduce((a, b) => a + b, 0) / lat.length),
    },
    throughput_ips: r3((o.batch * 1000) / median),
    peak_rss_mb: r3(peakRssMb()),
    runs: o.runs,
  };
  if (o.json) {
    process.stdout.write(JSON.stringify(result) + '\n');
  } else {
    const L = result.latency_ms;
    process.stdout.write(
      `onnxruntime ${version}  ${o.model}\n` +
      `  input '${inName}' [${input.dims}]  threads ${o.threads}  batch ${o.batch}  warmup ${o.warmup}  runs ${o.runs}\n` +
      `  session creation  ${result.create_ms.toFixed(1)} ms\n` +
      `  first run         ${result.first_run_ms.toFixed(1)} ms\n` +
      `  latency (ms)      min ${L.min.toFixed(2)}  median ${L.median.toFixed(2)}  p90 ${L.p90.toFixed(2)}` +
      `  p99 ${L.p99.toFixed(2)}  mean ${L.mean.toFixed(2)}\n` +
      `  throughput        ${result.throughput_ips.toFixed(1)} images/s\n` +
      `  peak RSS          ${result.peak_rss_mb.toFixed(1)} MB\n`);
  }
}

main().catch((e) => die(e && e.stack ? e.stack : String(e)));
