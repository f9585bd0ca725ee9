// The contract checker itself (check.mjs) on made-up exchanges: it must refuse what the
// document does not say, so that a green contract_check means something.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, loadDocument } from './check.mjs';

const doc = loadDocument();
const json = { 'content-type': 'application/json' };
const session = { user: { id: 1, name: 'Alex', role: 'admin' }, csrf_token: 'x'.repeat(32) };

function failuresFor(exchanges) {
  // Coverage is left out here: only what these exchanges say about themselves.
  return check(doc, exchanges, {}).failures.filter((f) => !/no test received|documented, but no test/.test(f));
}

test('a conforming answer passes', () => {
  const f = failuresFor([
    { method: 'GET', target: '/api/v1/setup', status: 200, headers: json, body: '{"needed":false}' },
  ]);
  assert.deepEqual(f, []);
});

test('a status the document does not declare fails', () => {
  const f = failuresFor([
    { method: 'POST', target: '/api/v1/setup', status: 200, headers: json, body: JSON.stringify(session) },
  ]);
  assert.equal(f.length, 1);
  assert.match(f[0], /POST \/api\/v1\/setup: status 200 is not documented/);
});

test('an answer from a route the document does not have fails; a refusal does not', () => {
  const f = failuresFor([
    { method: 'GET', target: '/api/v1/secrets', status: 200, headers: json, body: '{}' },
    { method: 'GET', target: '/api/v1/nothing', status: 404, headers: json, body: '{"error":{"code":"not_found","message":"no"}}' },
  ]);
  assert.equal(f.length, 1);
  assert.match(f[0], /GET \/api\/v1\/secrets answered 200 but the document has no such operation/);
});

test('a body, an error code, a content type or a header the document does not allow fails', () => {
  const f = failuresFor([
    { method: 'GET', target: '/api/v1/setup', status: 200, headers: json, body: '{"needed":"yes"}' },
    { method: 'GET', target: '/api/v1/cases/c-1', status: 404, headers: json, body: '{"error":{"code":"gone","message":"no"}}' },
    { method: 'GET', target: '/api/v1/setup', status: 200, headers: { 'content-type': 'text/html' }, body: '<p>' },
    { method: 'GET', target: '/api/v1/cases/c-1', status: 200, headers: json, body: '{}' },
  ]);
  assert.ok(f.some((x) => /GET \/api\/v1\/setup: body does not match the schema/.test(x)), f.join('\n'));
  assert.ok(f.some((x) => /error code "gone" is not documented for 404/.test(x)), f.join('\n'));
  assert.ok(f.some((x) => /Content-Type "text\/html" is not documented/.test(x)), f.join('\n'));
  assert.ok(f.some((x) => /header ETag is required and missing/.test(x)), f.join('\n'));
});

test('a live message that is not a LiveMessage fails', () => {
  const f = failuresFor([{ live: '{"type":"weather","data":{}}' }]);
  assert.equal(f.length, 1);
  assert.match(f[0], /live weather message does not match LiveMessage/);
});

test('every documented status must be seen or exempted, and an exemption must not be stale', () => {
  const seen = { method: 'GET', target: '/livez', status: 200, headers: json, body: '{"status":"ok"}' };
  const { failures } = check(doc, [seen], { 'GET /livez 200': 'made up' });
  assert.ok(failures.some((x) => /GET \/livez 200 is exempted .* but a test received it/.test(x)), failures.join('\n'));
  assert.ok(failures.some((x) => /GET \/readyz: no test received a success/.test(x)));
  assert.ok(failures.some((x) => /POST \/api\/v1\/setup 403: documented, but no test received it/.test(x)));
});

test('a status only one test brings about must be seen when that test ran, and not otherwise', () => {
  const whenRun = { 'GET /livez 200': { test: 'Suite.Root', why: 'made up' } };
  const skipped = check(doc, [], {}, {}, whenRun);
  assert.ok(!skipped.failures.some((x) => /GET \/livez 200/.test(x)), skipped.failures.join('\n'));
  assert.equal(skipped.notRun.length, 1);
  const other = { method: 'GET', target: '/readyz', status: 200, headers: json, body: '{"status":"ok"}', from: 'Suite.Root' };
  const ran = check(doc, [other], {}, {}, whenRun);
  assert.ok(ran.failures.some((x) => /GET \/livez 200: documented, but no test received it/.test(x)), ran.failures.join('\n'));
  assert.equal(ran.notRun.length, 0);
});
