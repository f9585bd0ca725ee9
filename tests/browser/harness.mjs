// What the browser tests run against: a real Mosquitto and the real mendd on free loopback
// ports in a temporary directory, users made with the real mendctl, and Debian's Chromium
// driven by playwright-core. Every wait is bounded; every process started here is stopped by
// its owner, and killed on exit if a test run dies first.
import { spawn, execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { appendFileSync, mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync, openSync, closeSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

// playwright-core is a devDependency of the UI, not of the repository root.
const requireFromUi = createRequire(join(repoRoot, 'web/ui/package.json'));
export const { chromium } = requireFromUi('playwright-core');

export const paths = {
  mendd: resolve(repoRoot, process.env.MEND_MENDD ?? 'build/release/firmware-host/mendd'),
  mendctl: resolve(repoRoot, process.env.MEND_MENDCTL ?? 'build/release/firmware-host/mendctl'),
  simHistory: resolve(repoRoot, process.env.MEND_SIM_HISTORY ?? 'build/release/scripts/sim/venue-sim-history'),
  simMonth: resolve(repoRoot, process.env.MEND_SIM_MONTH ?? 'build/release/scripts/sim/venue-sim-month'),
  screenshots: resolve(repoRoot, process.env.MEND_SCREENSHOTS ?? 'build/browser-screenshots'),
  chromium: process.env.MEND_CHROMIUM ?? '/usr/bin/chromium',
  uiDist: join(repoRoot, 'web/ui/dist'),
  mosquitto: process.env.MEND_MOSQUITTO ?? '/usr/sbin/mosquitto',
};

const live = new Set();
// Last resort when the runner dies before the after() hooks: never leave a broker or a daemon
// running. 'exit' handlers must be synchronous, so SIGKILL.
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `check` (sync or async) until it returns a truthy value or `timeoutMs` passes.
export async function waitFor(what, check, timeoutMs, everyMs = 100) {
  const end = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= end) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` + (lastError ? `: ${lastError.message}` : ''));
    }
    await sleep(everyMs);
  }
}

// When MEND_CONTRACT_LOG names a file, every API response a page receives and every live
// message its WebSocket reads are appended there as JSON lines, for tests/contract/check.mjs to
// validate against web/openapi.json (the C++ harness writes the same lines).
function appendRecord(line) {
  const file = process.env.MEND_CONTRACT_LOG;
  if (!file) return;
  appendFileSync(file, JSON.stringify({ ...line, from: 'browser_tests' }) + '\n');
}

export function recordExchanges(page) {
  if (!process.env.MEND_CONTRACT_LOG) return;
  page.on('response', async (res) => {
    const url = new URL(res.url());
    if (!/^\/(api\/|livez$|readyz$|metrics$)/.test(url.pathname)) return;
    try {
      const [headers, body] = await Promise.all([res.allHeaders(), res.status() === 204 ? '' : res.text()]);
      appendRecord({ method: res.request().method(), target: url.pathname + url.search, status: res.status(), headers, body });
    } catch {
      // The page or its context closed before the body was read: nothing to check.
    }
  });
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string') appendRecord({ live: payload });
    });
  });
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

export function makeTempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'mend-browser-'));
  return {
    path: dir,
    file: (name) => join(dir, name),
    remove() {
      if (!process.env.MEND_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function tail(path, lines = 40) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${path})`;
  }
}

// A child process with stdout and stderr in a log file.
class Proc {
  constructor(argv, logPath) {
    this.logPath = logPath;
    const fd = openSync(logPath, 'a');
    this.child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.exited = new Promise((res) => {
      this.child.on('exit', (code, signal) => {
        live.delete(this.child);
        this.status = code ?? 128;
        this.signal = signal;
        res();
      });
      this.child.on('error', (e) => {
        live.delete(this.child);
        this.status = 127;
        this.spawnError = e;
        res();
      });
    });
    live.add(this.child);
  }

  get running() {
    return this.status === undefined;
  }

  // SIGTERM, then SIGKILL if it has not gone within `graceMs`.
  async stop(graceMs = 10000) {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function portOpen(port) {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

export class Mosquitto {
  constructor(dir) {
    this.dir = dir;
  }

  async start() {
    this.port = await freePort();
    const conf = this.dir.file('mosquitto.conf');
    writeFileSync(
      conf,
      [
        `listener ${this.port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence false',
        // Only matters when run as root (CI): stay root rather than switch to a user that
        // may not exist.
        'user root',
        'log_type error',
        'log_type warning',
        '',
      ].join('\n'),
    );
    this.proc = new Proc([paths.mosquitto, '-c', conf], this.dir.file('mosquitto.log'));
    await waitFor(`mosquitto on port ${this.port}`, async () => {
      if (!this.proc.running) throw new Error('mosquitto exited:\n' + tail(this.proc.logPath));
      return portOpen(this.port);
    }, 10000, 50);
  }

  async stop() {
    await this.proc?.stop(5000);
  }

  publish(topic, payload) {
    return run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(this.port), '-q', '1', '-t', topic, '-m', payload], 10000);
  }

  // One QoS 1 message per line, in order, over one connection.
  publishLines(topic, lines) {
    return run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(this.port), '-q', '1', '-t', topic, '-l'], 60000, {
      input: lines.join('\n') + '\n',
    });
  }

  // The retained payload on one topic (mosquitto_sub prints "topic payload" with -v); null
  // when nothing arrives within `waitS` seconds.
  async retained(topic, waitS = 5) {
    const r = await run(
      'mosquitto_sub',
      ['-h', '127.0.0.1', '-p', String(this.port), '-C', '1', '-W', String(waitS), '-v', '-t', topic],
      (waitS + 5) * 1000,
      { allowFailure: true },
    );
    const line = r.stdout.split('\n').find((l) => l.startsWith(topic + ' '));
    return line === undefined ? null : line.slice(topic.length + 1);
  }
}

// Runs a command to completion; rejects on a non-zero exit unless allowFailure.
export function run(cmd, args, timeoutMs, { input, allowFailure = false } = {}) {
  return new Promise((res, rej) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const result = { code: err ? (err.code ?? 1) : 0, stdout, stderr };
      if (err && !allowFailure) {
        rej(new Error(`${cmd} ${args.join(' ')} failed (${err.code ?? err.signal}): ${stderr || stdout}`));
      } else {
        res(result);
      }
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

export class Mendd {
  // `extra`: more TOML sections appended to the config ([policy], [escalation], ...).
  // `fileSizeKiB`: mendd may write no file larger than this (a soft RLIMIT_FSIZE, SIGXFSZ
  // ignored), so its writes fail as on a full disk, without root; liftFileSizeLimit() is the
  // space coming back.
  constructor(dir, brokerPort, { venue = 'browser-venue', detect = 'table_no_order = "3s"', extra = '', fileSizeKiB } = {}) {
    this.fileSizeKiB = fileSizeKiB;
    this.dir = dir;
    this.venue = venue;
    this.brokerPort = brokerPort;
    this.detect = detect;
    this.extra = extra;
    this.config = dir.file('mend.toml');
    this.db = dir.file('state/mend.db');
    this.log = dir.file('mendd.log');
  }

  async writeConfig() {
    this.httpPort ??= await freePort();
    mkdirSync(this.dir.file('state'), { recursive: true });
    writeFileSync(
      this.config,
      `[venue]
id = "${this.venue}"

[mqtt]
host = "127.0.0.1"
port = ${this.brokerPort}
client_id = "mendd-${this.venue}"
reconnect_min = "100ms"
reconnect_max = "1s"

[store]
path = "${this.db}"
commit_interval = "50ms"

[http]
listen = "127.0.0.1"
port = ${this.httpPort}
ui_dir = "${paths.uiDist}"

[log]
level = "info"

[detect]
${this.detect}
${this.extra ? '\n' + this.extra.trim() + '\n' : ''}`,
    );
  }

  get base() {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  // Starts mendd and waits for /readyz (broker connected, store writable).
  async start(timeoutMs = 20000) {
    if (!existsSync(this.config)) await this.writeConfig();
    const argv = this.fileSizeKiB
      ? ['bash', '-c', `trap '' XFSZ; ulimit -S -f ${this.fileSizeKiB}; exec "$0" --config "$1"`, paths.mendd, this.config]
      : [paths.mendd, '--config', this.config];
    this.proc = new Proc(argv, this.log);
    await waitFor('mendd to be ready', async () => {
      if (!this.proc.running) throw new Error(`mendd exited (${this.proc.status}):\n` + tail(this.log));
      const r = await fetch(this.base + '/readyz', { signal: AbortSignal.timeout(2000) });
      return r.status === 200;
    }, timeoutMs, 50);
  }

  async stop() {
    await this.proc?.stop(20000);
  }

  async liftFileSizeLimit() {
    await run('prlimit', ['--pid', String(this.proc.child.pid), '--fsize=unlimited:'], 10000);
  }

  // mendctl user add, the PIN from a file readable only by us (never on the command line).
  async addUser(name, role, pin) {
    const pinFile = this.dir.file(`pin-${name}`);
    writeFileSync(pinFile, pin + '\n', { mode: 0o600 });
    try {
      await run(paths.mendctl, ['user', 'add', '--name', name, '--role', role, '--pin-file', pinFile, '--config', this.config], 20000);
    } finally {
      rmSync(pinFile, { force: true });
    }
  }
}

export async function launchChromium() {
  return chromium.launch({
    executablePath: paths.chromium,
    // The browser must stay offline: no component updates, no sync, no QUIC probing.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
    timeout: 30000,
  });
}
