// Builds the optional native backend (native/, a Node-API addon in C) with node-gyp.
// Run by `npm install` (the package's install script) and by `npm run build:native`.
// Never fails the installation: without a compiler, Python or Node's headers the library
// runs on its WebAssembly backend, and this prints one line saying so. The outcome is
// recorded in native/build/status.json (read by the tests and `recurrent info`).
//
//   RECURRENT_NATIVE=0 npm install      skip the native build
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native');
const statusFile = join(dir, 'build', 'status.json');

function record(ok, reason) {
  mkdirSync(join(dir, 'build'), { recursive: true });
  writeFileSync(statusFile, `${JSON.stringify({ ok, reason, node: process.version, date: new Date().toISOString() }, null, 2)}\n`);
}

function notice(reason) {
  record(false, reason);
  console.warn(`recurrent: native backend not built (${reason}); using the WebAssembly backend.`);
  process.exit(0);
}

if (process.env.RECURRENT_NATIVE === '0') notice('RECURRENT_NATIVE=0');

// node-gyp: the one npm ships (npm sets npm_config_node_gyp in scripts), else a local or global one.
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch { /* not installed locally */ }
  const npmDir = dirname(dirname(process.execPath));
  candidates.push(join(npmDir, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => c && existsSync(c)) ?? null;
}

const gyp = findNodeGyp();
if (!gyp) notice('node-gyp not found');
const quiet = !process.argv.includes('--verbose');
// Build against this Node's own headers when they are installed beside it (no download).
const prefix = dirname(dirname(process.execPath));
const nodedir = process.env.npm_config_nodedir
  ?? (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
const args = [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : []), ...(quiet ? ['--silent'] : [])];
const r = spawnSync(process.execPath, args, {
  cwd: dir,
  stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  encoding: 'utf8',
  env: process.env,
});
if (r.status !== 0) {
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const line = out.split('\n').find((l) => /error|not found|ERR!/.test(l))?.trim() ?? `exit code ${r.status}`;
  if (!quiet) console.error(out);
  notice(`node-gyp failed: ${line.slice(0, 200)}`);
}
record(true, '');
console.log('recurrent: native backend built (native/build/Release/recurrent_native.node)');
