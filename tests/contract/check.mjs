// Checks the HTTP exchanges that the whole-binary tests recorded against web/openapi.json.
//
//   node tests/contract/check.mjs EXCHANGES.jsonl [EXEMPT.json]
//   (MEND_OPENAPI=FILE checks against that document instead of web/openapi.json)
//
// Each line of EXCHANGES.jsonl is one response a test received from the real mendd:
//   {"method":"POST","target":"/api/v1/setup","status":201,"headers":{...lower-case...},
//    "body":"...","from":"mendd_tablet_tests"}
// or one live message (WebSocket frame) it read: {"live":"{...}","from":"..."}.
//
// The document's own JSON Schemas are compiled with Ajv (a maintained validator, not a
// hand-written one). A response fails when its operation is not in the document and it
// succeeded, when its status is not declared, when its Content-Type is not a declared media
// type, when a declared required header is missing or does not match its schema, when its body
// does not match the schema, or when an error's code is not among the documented examples.
// Coverage: every operation needs a success and, where errors are documented, an error; and
// every documented status must have been seen, unless EXEMPT.json names it with the reason no
// whole-binary test can bring it about. An exemption for a status that was seen fails too, so
// the list cannot go stale. EXEMPT.json's `pending` names failures of a documented change whose
// server side is still being built: they are listed, not counted, and a pending entry that no
// longer matches any failure fails, so it is dropped as soon as the server catches up.
// EXEMPT.json's `when_run` names statuses only one test brings about, where that test may be
// skipped on a machine (it needs root): such a status must be seen whenever that test recorded
// anything, and is listed as not run otherwise.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
// ajv is a devDependency of the UI (web/ui/package-lock.json), installed by scripts/build-ui.
const requireFromUi = createRequire(join(repoRoot, 'web/ui/package.json'));
const Ajv = requireFromUi('ajv').default;
const addFormats = requireFromUi('ajv-formats').default;

const kMethods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export function loadDocument(path = join(repoRoot, 'web/openapi.json')) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

// JSON pointer into the document ("#/components/responses/NotFound").
function deref(doc, node) {
  let n = node;
  for (let hops = 0; n && typeof n === 'object' && typeof n.$ref === 'string'; hops += 1) {
    if (hops > 16 || !n.$ref.startsWith('#/')) throw new Error(`cannot follow $ref ${n.$ref}`);
    n = n.$ref
      .slice(2)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((at, key) => at?.[key], doc);
    if (n === undefined) throw new Error(`dangling $ref ${node.$ref}`);
  }
  return n;
}

function escapePointer(s) {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

// OpenAPI 3.0 writes an exclusive bound as `minimum: 0, exclusiveMinimum: true` (draft 4);
// Ajv speaks draft 7, where the bound itself is the value. A copy is rewritten; the rest stays.
function toDraft7(node) {
  if (Array.isArray(node)) return node.map(toDraft7);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) out[k] = toDraft7(v);
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']]) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] && typeof out[bound] === 'number') {
        out[flag] = out[bound];
        delete out[bound];
      } else {
        delete out[flag];
      }
    }
  }
  return out;
}

export class Contract {
  constructor(doc) {
    this.doc = doc;
    // OpenAPI 3.0 schemas are a dialect of draft 4/7 JSON Schema: Ajv knows `nullable`, and
    // `example` is an annotation. Everything else is checked as written.
    this.ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi.json', components: toDraft7(doc.components), paths: toDraft7(doc.paths) });
    this.validators = new Map();
    this.operations = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      const pattern = new RegExp(
        '^' + path.split('/').map((seg) => (/^\{.+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/') + '$',
      );
      for (const method of kMethods) {
        if (!item[method]) continue;
        this.operations.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, pattern, op: item[method] });
      }
    }
  }

  // The compiled validator of a schema at a JSON pointer in the document.
  validator(pointer) {
    let v = this.validators.get(pointer);
    if (!v) {
      v = this.ajv.compile({ $ref: `openapi.json#${pointer}` });
      this.validators.set(pointer, v);
    }
    return v;
  }

  // The documented operation for a request, or a reason there is none.
  match(method, path) {
    const byPath = this.operations.filter((o) => o.pattern.test(path));
    // A literal path wins over a template (/api/v1/users/{id} vs a literal sibling).
    const m = method === 'HEAD' ? 'GET' : method;
    const exact = byPath.filter((o) => o.method === m);
    exact.sort((a, b) => (a.path.includes('{') ? 1 : 0) - (b.path.includes('{') ? 1 : 0));
    return { operation: exact[0], pathKnown: byPath.length > 0 };
  }

  // Problems with one response; [] when it conforms.
  checkResponse(operation, ex) {
    const problems = [];
    const responses = operation.op.responses ?? {};
    const code = String(ex.status);
    const declaredKey = code in responses ? code : `${code[0]}XX` in responses ? `${code[0]}XX` : 'default' in responses ? 'default' : null;
    if (declaredKey === null) {
      return [`status ${code} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    }
    const response = deref(this.doc, responses[declaredKey]);
    const responsePointer = responses[declaredKey].$ref
      ? responses[declaredKey].$ref.slice(1)
      : `/paths/${escapePointer(operation.path)}/${operation.method.toLowerCase()}/responses/${declaredKey}`;
    const headers = ex.headers ?? {};

    for (const [name, h] of Object.entries(response.headers ?? {})) {
      const header = deref(this.doc, h);
      const value = headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) problems.push(`header ${name} is required and missing`);
        continue;
      }
      if (header.schema) {
        const hp = h.$ref ? `${h.$ref.slice(1)}/schema` : `${responsePointer}/headers/${escapePointer(name)}/schema`;
        const v = this.validator(hp);
        const typed = header.schema.type === 'integer' || header.schema.type === 'number' ? Number(value) : value;
        if (!v(typed)) problems.push(`header ${name} "${value}": ${this.ajv.errorsText(v.errors)}`);
      }
    }

    const content = response.content ?? {};
    const mediaTypes = Object.keys(content);
    if (ex.method === 'HEAD' || ex.status === 101 || ex.status === 204 || ex.status === 304) return problems;
    if (mediaTypes.length === 0) {
      if (ex.body && ex.body.length > 0) problems.push(`a body where the document declares none: ${ex.body.slice(0, 120)}`);
      return problems;
    }
    const contentType = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const media = mediaTypes.find((t) => t.toLowerCase() === contentType);
    if (!media) {
      problems.push(`Content-Type "${headers['content-type'] ?? ''}" is not documented (documented: ${mediaTypes.join(', ')})`);
      return problems;
    }
    const mt = content[media];
    if (!mt.schema || !/json/.test(media)) return problems;
    let body;
    try {
      body = JSON.parse(ex.body);
    } catch {
      problems.push(`body is not JSON: ${String(ex.body).slice(0, 120)}`);
      return problems;
    }
    const v = this.validator(`${responsePointer}/content/${escapePointer(media)}/schema`);
    if (!v(body)) {
      problems.push(`body does not match the schema: ${this.ajv.errorsText(v.errors, { separator: '; ' })}`);
    }
    // An error's code must be one the document names for this status (its examples).
    const codes = Object.values(mt.examples ?? {})
      .map((e) => deref(this.doc, e)?.value?.error?.code)
      .filter((c) => typeof c === 'string');
    const got = body?.error?.code;
    if (codes.length > 0 && typeof got === 'string' && !codes.includes(got)) {
      problems.push(`error code "${got}" is not documented for ${code} (documented: ${codes.join(', ')})`);
    }
    return problems;
  }

  checkLive(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return ['a live message that is not JSON'];
    }
    const v = this.validator('/components/schemas/LiveMessage');
    return v(msg) ? [] : [`live ${msg?.type ?? '?'} message does not match LiveMessage: ${this.ajv.errorsText(v.errors, { separator: '; ' })}`];
  }
}

function pathOf(target) {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

function shorten(ex) {
  const body = ex.body && ex.body.length > 300 ? ex.body.slice(0, 300) + '...' : ex.body;
  return `${ex.method} ${ex.target} -> ${ex.status} (from ${ex.from ?? '?'}) ${body ?? ''}`;
}

// Returns { failures: [...], pending: [...], report: {...} }. `pending` maps a pattern to the
// reason a failure that matches it is known and awaited (the server side of a documented change
// not merged yet): such failures are listed, not counted; a pattern that matches none fails.
export function check(doc, exchanges, exempt, pending = {}, whenRun = {}) {
  const contract = new Contract(doc);
  const failures = [];
  const seen = new Map(contract.operations.map((o) => [o.key, new Set()]));
  let liveMessages = 0;
  let refusals = 0;
  const reported = new Set();
  const fail = (key, text) => {
    if (reported.has(key)) return;
    reported.add(key);
    failures.push(text);
  };

  for (const ex of exchanges) {
    if (ex.live !== undefined) {
      liveMessages += 1;
      for (const p of contract.checkLive(ex.live)) fail(`live ${p}`, `${p} (from ${ex.from ?? '?'}): ${ex.live.slice(0, 300)}`);
      continue;
    }
    const path = pathOf(ex.target);
    // The UI's files are not part of the API.
    if (!/^\/(api\/|livez$|readyz$|metrics$)/.test(path)) continue;
    const { operation } = contract.match(ex.method, path);
    if (!operation) {
      // The router refusing a path or method the API does not have is right; answering one is
      // an operation the document does not have.
      if (ex.status >= 200 && ex.status < 400) {
        fail(`undocumented ${ex.method} ${path}`, `${ex.method} ${path} answered ${ex.status} but the document has no such operation: ${shorten(ex)}`);
      } else {
        refusals += 1;
      }
      continue;
    }
    seen.get(operation.key).add(String(ex.status));
    for (const p of contract.checkResponse(operation, ex)) {
      fail(`${operation.key} ${ex.status} ${p}`, `${operation.key}: ${p}\n    ${shorten(ex)}`);
    }
  }

  // Coverage.
  const exemptions = new Map(Object.entries(exempt ?? {}));
  const ran = new Set(exchanges.map((ex) => ex.from));
  const notRun = [];
  for (const [key, { test, why }] of Object.entries(whenRun ?? {})) {
    if (exemptions.has(key)) failures.push(`${key} is both exempted and in when_run`);
    else if (!ran.has(test)) {
      exemptions.set(key, why);
      notRun.push(`${key}: ${test} did not run (${why})`);
    }
  }
  for (const o of contract.operations) {
    const got = seen.get(o.key);
    const documented = Object.keys(o.op.responses ?? {});
    const success = [...got].some((s) => s.startsWith('2') || s === '101');
    if (!success) failures.push(`${o.key}: no test received a success`);
    const errors = documented.filter((s) => /^[45]/.test(s));
    if (errors.length > 0 && ![...got].some((s) => /^[45]/.test(s))) {
      failures.push(`${o.key}: no test received any of its documented errors (${errors.join(', ')})`);
    }
    for (const s of documented) {
      const key = `${o.key} ${s}`;
      if (got.has(s)) {
        if (exemptions.has(key)) failures.push(`${key} is exempted in tests/contract/unexercised.json but a test received it: drop the exemption`);
      } else if (!exemptions.has(key)) {
        failures.push(`${key}: documented, but no test received it (exercise it, or exempt it with the reason)`);
      }
    }
  }
  for (const key of [...exemptions.keys(), ...Object.keys(whenRun ?? {})]) {
    const [method, path, status] = key.split(' ');
    const o = contract.operations.find((x) => x.key === `${method} ${path}`);
    if (!o || !(status in (o.op.responses ?? {}))) failures.push(`exemption "${key}" names no documented status`);
  }
  const awaited = [];
  const patterns = Object.keys(pending).map((p) => ({ p, re: new RegExp(p), used: false }));
  const counted = failures.filter((f) => {
    const hit = patterns.find((x) => x.re.test(f));
    if (!hit) return true;
    hit.used = true;
    awaited.push(`${f}\n    (awaited: ${pending[hit.p]})`);
    return false;
  });
  for (const x of patterns) {
    if (!x.used) counted.push(`pending "${x.p}" in tests/contract/unexercised.json matches no failure: drop it`);
  }
  const statuses = [...seen.values()].reduce((n, s) => n + s.size, 0);
  return {
    failures: counted,
    pending: awaited,
    notRun,
    report: { exchanges: exchanges.length, liveMessages, refusals, operations: contract.operations.length, statuses },
  };
}

function readExchanges(path) {
  const out = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line));
    } catch (e) {
      throw new Error(`${path}:${i + 1}: not JSON (${e.message})`);
    }
  });
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [exchangesPath, exemptPath = join(here, 'unexercised.json')] = process.argv.slice(2);
  if (!exchangesPath) {
    console.error('usage: node tests/contract/check.mjs EXCHANGES.jsonl [EXEMPT.json]');
    process.exit(2);
  }
  let exchanges;
  try {
    exchanges = readExchanges(exchangesPath);
  } catch (e) {
    console.error(`contract: cannot read the recorded exchanges: ${e.message}`);
    process.exit(1);
  }
  const { exempt, pending, when_run: whenRun } = JSON.parse(readFileSync(exemptPath, 'utf8'));
  // MEND_OPENAPI: check against another copy of the document (to see what a change would break).
  const { failures, pending: awaited, notRun, report } = check(
    loadDocument(process.env.MEND_OPENAPI || undefined),
    exchanges,
    exempt,
    pending,
    whenRun,
  );
  console.log(
    `contract: ${report.exchanges} recorded (${report.liveMessages} live messages, ${report.refusals} refusals of paths the API does not have), ` +
      `${report.operations} operations, ${report.statuses} (operation, status) pairs seen`,
  );
  for (const f of awaited) console.log(`PENDING ${f}`);
  for (const f of notRun) console.log(`NOT RUN ${f}`);
  for (const f of failures) console.log(`FAIL ${f}`);
  console.log(`${failures.length === 0 ? 1 : 0} passed, ${failures.length === 0 ? 0 : 1} failed`);
  process.exit(failures.length === 0 ? 0 : 1);
}
