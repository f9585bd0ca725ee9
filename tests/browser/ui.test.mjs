// Browser tests of the tablet UI against the real mendd: sign-in, a late table becoming a case
// live, a manager's approval reaching the retained MQTT case topic, staff approving within their
// limit and refused beyond it, an edited approval in the audit log, the shift budget, alerts
// escalating from staff to a manager until acknowledged, the live link surviving a mendd
// restart, the read-only banner while the box cannot save, the learning view over the
// simulator's history, screenshots at tablet and phone size, and touch targets of at least
// 44x44 CSS px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Mendd, Mosquitto, freePort, launchChromium, makeTempDir, paths, recordExchanges, run, tail, waitFor } from './harness.mjs';

const kVenue = 'browser-venue';
const kManager = { name: 'Morgan', pin: '482913' };
const kStaff = { name: 'Sam', pin: '715264' };
const kAdmin = { name: 'Alex', pin: '640271' };
const kTablet = { width: 1280, height: 800 };
const kPhone = { width: 390, height: 844 };
// The live feed must bring a seated table and its case within this, without a reload.
const kLiveMs = 15000;
// The tablet tests' table_no_order. A case's plan is re-made as the wait grows: at 1.5x its
// severity rises (a comped drink joins the plan), at 2x it is as high as it gets. A decision is
// taken either well inside the first 1.5x (the staff test's free plan) or once the plan has
// settled (the sheet shows critical), never across a re-plan.
const kNoOrder = '6s';
const kScreenshots = [
  'setup-1280x800.png',
  'floor-1280x800.png',
  'case-sheet-1280x800.png',
  'floor-390x844.png',
  'case-sheet-390x844.png',
  'case-plan-1280x800.png',
  'audit-1280x800.png',
];
// Staff may approve nothing that costs money: a plan with a comped drink (a party of 6 makes
// table.no_order high, whose day-one plan offers one) needs a manager, one without does not.
const kPolicy = '[policy]\nstaff_limit = 0\n';
// The alert tests' own mendd: a short ladder, reminders every 2 s, nobody quiet.
const kAlertVenue = 'alert-venue';
const kEscalation = '[escalation]\nladder = ["staff@0s", "manager@3s"]\nrepeat = "2s"\nquiet = []\n';
// A bad review's plan there is a voucher, so the sheet has one to show.
const kVoucherRule =
  '[[rule]]\nkind = "review.negative"\naction = "voucher"\nvalue = 10\ntext = "Send {name} a voucher for {value} off their next visit."\n';
const kRepeatMs = 2000;
// The full-disk test's own mendd: it may write no file over 2 MiB (see Mendd's fileSizeKiB).
const kDiskVenue = 'disk-venue';
const kCloudVenue = 'cloud-venue';

let dir;
let broker;
let mendd;
let browser;
let seq = 0;
// The daemon whose log a failure shows.
let current;

before(async () => {
  dir = makeTempDir();
  mkdirSync(paths.screenshots, { recursive: true });
  // A stale screenshot from an earlier run must not pass for this run's.
  for (const name of kScreenshots) rmSync(join(paths.screenshots, name), { force: true });
  broker = new Mosquitto(dir);
  await broker.start();
  mendd = new Mendd(dir, broker.port, { venue: kVenue, detect: `table_no_order = "${kNoOrder}"`, extra: kPolicy });
  current = mendd;
  await mendd.writeConfig();
  // A new store with no account: mendd logs a one-time setup code for the first run.
  await mendd.start();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => {});
  await mendd?.stop();
  await broker?.stop();
  dir?.remove();
});

// Adds the daemon's and the broker's last log lines to a failure: the browser alone rarely
// says why the server did what it did.
async function guard(body) {
  try {
    await body();
  } catch (e) {
    e.message += `\n--- mendd.log (tail) ---\n${tail(current.log)}\n--- mosquitto.log (tail) ---\n${tail(dir.file('mosquitto.log'), 10)}`;
    throw e;
  }
}

async function publishSeated(table, party, { customer, venue = kVenue } = {}) {
  seq += 1;
  await broker.publish(
    `venue/${venue}/booking/guest.seated`,
    JSON.stringify({ id: `browser-seat-${seq}-${Date.now()}`, table, party, ...(customer ? { customer } : {}) }),
  );
}

// A call to the API from inside the page, with the page's session and CSRF token.
function pageApi(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const s = await (await fetch('/api/v1/session', { credentials: 'same-origin' })).json();
      const r = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    { method, path, body },
  );
}

// Every live `alert` the page's WebSocket receives, with when it arrived.
function recordAlerts(page) {
  const alerts = [];
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string' || !payload.includes('"alert"')) return;
      try {
        const msg = JSON.parse(payload);
        if (msg.type === 'alert') alerts.push({ received: Date.now(), seq: msg.seq, ...msg.data });
      } catch {
        // not JSON: not ours to judge here
      }
    });
  });
  return alerts;
}

function toast(page, caseId) {
  return page.locator(`[data-testid=toast][data-case-id="${caseId}"]`);
}

// A fresh browser profile (no cookies) with probes for what must never happen: a script error,
// a CSP violation, a page reload.
async function openPage(viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, hasTouch: true });
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  recordExchanges(page);
  const probe = { errors: [], navigations: 0 };
  page.on('pageerror', (e) => probe.errors.push(String(e)));
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) probe.navigations += 1;
  });
  return { context, page, probe };
}

async function signIn(page, who, daemon = mendd) {
  const res = await page.goto(daemon.base + '/');
  assert.equal(res.status(), 200, 'GET / serves the UI');
  const pin = page.locator('input[name=pin]');
  await pin.waitFor();
  assert.equal(await pin.getAttribute('inputmode'), 'numeric');
  assert.equal(await pin.getAttribute('autocomplete'), 'off');
  await page.locator('input[name=name]').fill(who.name);
  await pin.fill(who.pin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.topbar .who', { hasText: who.name }).waitFor();
}

async function assertClean(page, probe, navigationsBefore) {
  assert.deepEqual(probe.errors, [], 'no script errors');
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violations');
  if (navigationsBefore !== undefined) {
    assert.equal(probe.navigations, navigationsBefore, 'the page was not reloaded');
  }
}

async function smallTargets(page) {
  return page.evaluate(() => {
    const small = [];
    for (const el of document.querySelectorAll('button, input, select, textarea, a[href], [role=button]')) {
      const r = el.getBoundingClientRect();
      const st = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || st.visibility === 'hidden') continue;
      if (r.width < 44 || r.height < 44) {
        const label = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('name') || '').trim();
        small.push(`${el.tagName.toLowerCase()} "${label.slice(0, 40)}" ${r.width.toFixed(0)}x${r.height.toFixed(0)}`);
      }
    }
    return small;
  });
}

async function screenshot(page, name, { fullPage = false } = {}) {
  const path = join(paths.screenshots, name);
  await page.screenshot({ path, fullPage });
  return path;
}

function caseRow(page, table) {
  return page.locator('.case-row', { hasText: `Table ${table}` });
}

describe('first run', { concurrency: false }, () => {
  test('with no account yet, the setup code makes the first admin; wrong PINs lock the name out', { timeout: 60000 }, () =>
    guard(async () => {
      const code = await waitFor('the setup code in the log', () => /setup code (\S+) \(valid/.exec(readFileSync(mendd.log, 'utf8'))?.[1], 10000);
      const { context, page, probe } = await openPage(kTablet);
      try {
        await page.goto(mendd.base + '/');
        await page.getByRole('heading', { name: 'Set up Mend' }).waitFor();
        await page.locator('input[name=code]').fill(code);
        await page.locator('input[name=name]').fill(kAdmin.name);
        // The installer's guide (docs/install.md) shows this page; no PIN is typed yet.
        await screenshot(page, 'setup-1280x800.png');
        await page.locator('input[name=pin]').fill(kAdmin.pin);
        await page.locator('input[name=pin2]').fill(kAdmin.pin);
        await page.getByRole('button', { name: 'Create account and sign in' }).click();
        await page.locator('.topbar .who', { hasText: `${kAdmin.name} (admin)` }).waitFor();
        assert.deepEqual(await smallTargets(page), [], 'touch targets >= 44x44');

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.locator('input[name=pin]').waitFor();
        // A reload now shows sign-in, not setup: the box has an account.
        await page.reload();
        await page.getByRole('button', { name: 'Sign in' }).waitFor();

        // Wrong PINs: refused, then locked out with the time to try again.
        let locked = false;
        for (let i = 0; i < 8 && !locked; i++) {
          await page.locator('input[name=name]').fill(kAdmin.name);
          await page.locator('input[name=pin]').fill('190273');
          const [res] = await Promise.all([
            page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST'),
            page.getByRole('button', { name: 'Sign in' }).click(),
          ]);
          if (res.status() === 429) {
            locked = true;
          } else {
            assert.equal(res.status(), 401);
            await page.getByTestId('signin-error').filter({ hasText: 'do not match' }).waitFor();
          }
        }
        assert.ok(locked, 'repeated wrong PINs lock the name out');
        await page.getByTestId('signin-error').filter({ hasText: /Too many wrong PINs\. Try again at/ }).waitFor();
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));
});

describe('tablet UI against mendd', { concurrency: false }, () => {
  before(async () => {
    // mendctl adds people to the store directly; mendd is stopped meanwhile so that it reads
    // them at its next start.
    await mendd.stop();
    await mendd.addUser(kManager.name, 'manager', kManager.pin);
    await mendd.addUser(kStaff.name, 'staff', kStaff.pin);
    await mendd.start();
  });

  test('the UI is served under the CSP with no inline script; a wrong PIN is refused', { timeout: 60000 }, () =>
    guard(async () => {
      const res = await fetch(mendd.base + '/');
      assert.equal(res.status, 200);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'/, 'the UI is served with a CSP');
      const html = await res.text();
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline <script>');
      assert.doesNotMatch(html, /\sstyle=/i, 'no inline style attribute');
      const manifest = await fetch(mendd.base + '/manifest.webmanifest');
      assert.equal(manifest.status, 200);
      assert.equal((await manifest.json()).display, 'standalone');

      const { context, page, probe } = await openPage(kTablet);
      try {
        await page.goto(mendd.base + '/');
        await page.locator('input[name=name]').fill(kStaff.name);
        await page.locator('input[name=pin]').fill('190273');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByTestId('signin-error').waitFor();
        assert.match(await page.getByTestId('signin-error').innerText(), /do not match/);
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));

  test('a manager sees a late table become a case live, approves it, and MQTT shows it actioned', { timeout: 120000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kManager);
        await page.locator('#floor-title').waitFor();
        const navigations = probe.navigations;

        await publishSeated('T7', 4);
        // The tile arrives on the live feed (the REST safety net polls only every 30 s)...
        const tile = page.locator('[data-table="T7"]');
        await tile.waitFor({ timeout: kLiveMs });
        assert.match(await tile.innerText(), /Seated/);
        assert.match(await tile.innerText(), /Party of 4/);
        // ...its timer turns late after table_no_order (kNoOrder), with a word as well as a colour...
        await page.locator('[data-table="T7"][data-level="late"]').waitFor({ timeout: kLiveMs });
        assert.match(await tile.innerText(), /Late/);
        // ...and the case reaches the queue and the tile's badge.
        await caseRow(page, 'T7').waitFor({ timeout: kLiveMs });
        await page.locator('[data-table="T7"] [data-testid=case-badge]').waitFor({ timeout: kLiveMs });
        const caseId = await caseRow(page, 'T7').getAttribute('data-case-id');
        assert.ok(caseId, 'the queue row names its case');
        assert.match(await caseRow(page, 'T7').innerText(), /Waiting to order/);

        // Tablet landscape: floor and queue side by side, no tab bar.
        const floorBox = await page.locator('.pane-floor').boundingBox();
        const queueBox = await page.locator('.pane-queue').boundingBox();
        assert.ok(queueBox.x > floorBox.x + floorBox.width - 1, 'queue is beside the floor');
        assert.equal(await page.locator('.tabbar').isVisible(), false);
        assert.deepEqual(await smallTargets(page), [], 'floor and queue touch targets >= 44x44');
        await screenshot(page, 'floor-1280x800.png');

        // Tapping the tile opens the case.
        await tile.click();
        const sheet = page.getByRole('dialog');
        await sheet.waitFor();
        await sheet.locator('.timeline li').first().waitFor();
        assert.ok((await sheet.getByTestId('recommendation').innerText()).length > 0);
        for (const name of ['Approve', 'Edit', 'Reject', 'Acknowledge', 'Mark actioned', 'Resolve']) {
          assert.equal(await sheet.getByRole('button', { name, exact: true }).count(), 1, `a manager sees ${name}`);
        }
        assert.deepEqual(await smallTargets(page), [], 'case sheet touch targets >= 44x44');
        await screenshot(page, 'case-sheet-1280x800.png');

        // Approve with a reason: the API requires one, so the UI does too. The plan first
        // settles (critical), so the approval is of the plan the server still holds.
        await sheet.locator('.sheet-meta .sev-pill.sev-critical').waitFor({ timeout: kLiveMs });
        await sheet.getByRole('button', { name: 'Approve', exact: true }).click();
        const confirm = sheet.getByRole('button', { name: 'Confirm approval' });
        assert.equal(await confirm.isDisabled(), true, 'no approval without a reason');
        await sheet.locator('input[name=reason]').fill('Table waited too long; sending a server now');
        await confirm.click();
        await sheet.locator('[data-testid=case-status][data-status=actioned]').waitFor({ timeout: kLiveMs });
        assert.equal(await sheet.getByTestId('sheet-error').count(), 0);

        // The broker's retained copy of the case says the same.
        const topic = `venue/${kVenue}/mend/cases/${caseId}`;
        const retained = await waitFor('the retained case to say actioned', async () => {
          const payload = await broker.retained(topic, 3);
          const c = payload ? JSON.parse(payload) : null;
          return c && c.status === 'actioned' ? c : null;
        }, 20000, 250);
        assert.equal(retained.id, caseId);

        // Phone portrait: the sheet fills the screen; underneath, one pane and a tab bar.
        await page.setViewportSize(kPhone);
        await sheet.getByRole('button', { name: 'Close' }).waitFor();
        assert.deepEqual(await smallTargets(page), [], 'case sheet touch targets at phone size');
        await screenshot(page, 'case-sheet-390x844.png');
        await sheet.getByRole('button', { name: 'Close' }).click();
        await sheet.waitFor({ state: 'detached' });
        assert.equal(await page.locator('.tabbar').isVisible(), true);
        assert.equal(await page.locator('.pane-queue').isVisible(), false, 'one pane at a time on a phone');
        assert.deepEqual(await smallTargets(page), [], 'floor touch targets at phone size');
        await screenshot(page, 'floor-390x844.png');
        await page.getByRole('button', { name: /^Cases/ }).click();
        assert.equal(await page.locator('.pane-queue').isVisible(), true);
        assert.equal(await page.locator('.pane-floor').isVisible(), false);

        await assertClean(page, probe, navigations);
      } finally {
        await context.close();
      }
    }));

  test('staff approve a plan within their limit; beyond it the sheet says a manager is needed and the API answers 403', { timeout: 90000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kStaff);
        assert.equal(await page.getByRole('button', { name: 'Audit' }).count(), 0, 'staff see no audit view');
        const audit = await pageApi(page, 'GET', '/api/v1/audit?limit=5');
        assert.equal(audit.status, 403, 'and may not read the audit log');

        // A party of 2: a medium case whose plan gives nothing away, within the staff limit (0).
        await publishSeated('T9', 2);
        await caseRow(page, 'T9').waitFor({ timeout: kLiveMs });
        await caseRow(page, 'T9').click();
        const sheet = page.getByRole('dialog');
        await sheet.locator('[data-testid=case-status][data-status=open]').waitFor();
        for (const name of ['Approve', 'Edit', 'Reject', 'Acknowledge', 'Mark actioned', 'Resolve']) {
          assert.equal(await sheet.getByRole('button', { name, exact: true }).count(), 1, `staff see ${name}`);
        }
        assert.equal(await sheet.getByTestId('needs-higher').count(), 0);
        assert.match(await sheet.getByTestId('compensation').innerText(), /Compensation: \D*0\b/);
        await sheet.getByRole('button', { name: 'Acknowledge', exact: true }).click();
        await sheet.locator('[data-testid=case-status][data-status=acknowledged]').waitFor({ timeout: kLiveMs });
        await sheet.getByRole('button', { name: 'Approve', exact: true }).click();
        await sheet.locator('input[name=reason]').fill('Server is on the way with menus');
        await sheet.getByRole('button', { name: 'Confirm approval' }).click();
        await sheet.locator('[data-testid=case-status][data-status=actioned]').waitFor({ timeout: kLiveMs });
        assert.equal(await sheet.getByTestId('sheet-error').count(), 0);
        await sheet.getByRole('button', { name: 'Close' }).click();
        await sheet.waitFor({ state: 'detached' });

        // A party of 6 (Ana's): high, and its plan comps a drink, which is over the staff limit.
        await publishSeated('T10', 6, { customer: { id: 'cust-ana', name: 'Ana Lopez' } });
        await caseRow(page, 'T10').waitFor({ timeout: kLiveMs });
        const caseId = await caseRow(page, 'T10').getAttribute('data-case-id');
        await caseRow(page, 'T10').click();
        await sheet.locator('[data-testid=case-status][data-status=open]').waitFor();
        await sheet.getByTestId('needs-higher').waitFor();
        assert.equal(await sheet.getByTestId('needs-higher').innerText(), 'Needs a manager');
        for (const name of ['Approve', 'Edit']) {
          assert.equal(await sheet.getByRole('button', { name, exact: true }).count(), 0, `staff see no ${name} over their limit`);
        }
        for (const name of ['Reject', 'Acknowledge', 'Mark actioned', 'Resolve']) {
          assert.equal(await sheet.getByRole('button', { name, exact: true }).count(), 1, `staff still see ${name}`);
        }
        assert.match(await sheet.getByTestId('needs-approval').innerText(), /Needs a manager's approval/);
        assert.match(await sheet.getByTestId('guest').innerText(), /Ana Lopez · New guest/);

        // And the server refuses it, not only the sheet, for the version the sheet shows.
        const seen = await pageApi(page, 'GET', `/api/v1/cases/${encodeURIComponent(caseId)}`);
        const answer = await pageApi(page, 'POST', `/api/v1/cases/${encodeURIComponent(caseId)}/decide`, {
          decision: 'approve',
          reason: 'staff trying to comp a drink',
          version: seen.body.version,
        });
        assert.equal(answer.status, 403);
        assert.equal(answer.body?.error?.code, 'over_limit');
        assert.ok(answer.body?.error?.message, 'the refusal says why');
        await sheet.locator('[data-testid=case-status][data-status=open]').waitFor();
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));

  test('a browser test approves an edited recommendation as a manager and sees the audit entry', { timeout: 90000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kManager);
        const budget = page.getByTestId('budget');
        await budget.waitFor();
        const before = await budget.innerText();
        // What is left depends on the plan the first test approved; the drink comes off it.
        const left = /^Budget \D*(\d+)\D* of \D*300\D* left$/.exec(before);
        assert.ok(left, `the budget line: ${before}`);
        const leftAfter = new RegExp(`^Budget \\D*${Number(left[1]) - 6}\\D* of \\D*300\\D* left$`);

        await caseRow(page, 'T10').waitFor({ timeout: kLiveMs });
        const caseId = await caseRow(page, 'T10').getAttribute('data-case-id');
        await caseRow(page, 'T10').click();
        const sheet = page.getByRole('dialog');
        await sheet.getByTestId('guest').waitFor();
        // The plan is re-made as the wait grows (high, then critical at 1.5x table_no_order);
        // edit the last one, the one the server will still hold when the edit arrives.
        await sheet.locator('.sheet-meta .sev-pill.sev-critical').waitFor({ timeout: kLiveMs });
        // The plan: what to do, step by step, and what it costs.
        const steps = sheet.locator('.plan .plan-step');
        assert.ok((await steps.count()) >= 2, 'the plan lists its actions');
        await sheet.locator('.plan-step[data-action=comp_item]').waitFor();
        assert.match(await sheet.locator('.plan-step[data-action=comp_item] .plan-value').innerText(), /6/);
        assert.match(await sheet.getByTestId('compensation').innerText(), /Compensation: \D*6\b/);
        assert.match(await sheet.getByTestId('needs-approval').innerText(), /Needs a manager's approval/);
        assert.match(await sheet.getByTestId('why').innerText(), /T10/);
        assert.match(await sheet.getByTestId('guest').innerText(), /Ana Lopez · New guest/);
        assert.equal(await sheet.getByTestId('needs-higher').count(), 0, 'a manager may approve it');
        assert.deepEqual(await smallTargets(page), [], 'case sheet touch targets >= 44x44');
        await screenshot(page, 'case-plan-1280x800.png');

        await sheet.getByRole('button', { name: 'Edit', exact: true }).click();
        const text = sheet.locator('textarea[name=recommendation]');
        const original = await text.inputValue();
        assert.match(original, /drink on the house/, 'the edit starts from the plan');
        const edited = 'Take the order for table T10 now and bring Ana a glass of cava on the house.';
        await text.fill(edited);
        await sheet.locator('input[name=reason]').fill('Cava suits the occasion better');
        const seen = await sheet.getAttribute('data-version');
        const [editRequest] = await Promise.all([
          page.waitForRequest((r) => r.url().endsWith(`/cases/${caseId}/decide`) && r.method() === 'POST'),
          sheet.getByRole('button', { name: 'Approve edited' }).click(),
        ]);
        assert.equal(editRequest.headers()['if-match'], `"${seen}"`, 'the edit names the case version on the sheet');
        await sheet.locator('[data-testid=case-status][data-status=actioned]').waitFor({ timeout: kLiveMs });
        assert.equal(await sheet.getByTestId('sheet-error').count(), 0);
        assert.equal(await sheet.getByTestId('recommendation').innerText(), edited);
        // The drink was spent from the shift's budget, and the header says so without a reload.
        await waitFor('the budget to show the drink spent', async () => leftAfter.test(await budget.innerText()), kLiveMs);

        // Resolved with a follow-up message for the next day, drafted for Ana.
        await sheet.getByRole('button', { name: 'Resolve', exact: true }).click();
        await sheet.locator('select[name=root_cause]').selectOption('people');
        await sheet.locator('input[name=note]').fill('Drinks order forgotten at the pass');
        await sheet.getByLabel('Follow up with the guest').check();
        assert.equal(await sheet.locator('input[name=follow_up_hours]').inputValue(), '24');
        const message = sheet.locator('textarea[name=follow_up_message]');
        assert.match(await message.inputValue(), /^Dear Ana Lopez, thank you for /);
        await message.fill('Dear Ana Lopez, thank you for coming in last night. We hope to see you again soon.');
        const [resolveRequest] = await Promise.all([
          page.waitForRequest((r) => r.url().endsWith(`/cases/${caseId}/resolve`) && r.method() === 'POST'),
          sheet.getByRole('button', { name: 'Resolve case' }).click(),
        ]);
        assert.deepEqual(resolveRequest.postDataJSON().follow_up, {
          after_hours: 24,
          message: 'Dear Ana Lopez, thank you for coming in last night. We hope to see you again soon.',
        });
        await sheet.locator('[data-testid=case-status][data-status=follow_up]').waitFor({ timeout: kLiveMs });
        await sheet.getByTestId('follow-up').waitFor();
        assert.match(await sheet.getByTestId('follow-up').innerText(), /We hope to see you again soon/);
        // Sent now, from the sheet: this box has no cloud link to the venue's messaging, and the
        // case says so rather than pretending the guest was reached.
        await sheet.getByRole('button', { name: 'Send follow-up' }).click();
        assert.match(await sheet.locator('textarea[name=follow_up_message]').inputValue(), /We hope to see you again soon/);
        await sheet.locator('input[name=reason]').fill('Ana asked to hear from us');
        await sheet.getByRole('button', { name: 'Send to the guest' }).click();
        await sheet.locator('[data-testid=case-status][data-status=resolved]').waitFor({ timeout: kLiveMs });
        const sent = sheet.locator('[data-testid=guest-message][data-status=failed]');
        await sent.waitFor();
        assert.match(await sent.innerText(), /^Follow-up: not delivered .*the cloud link is off/);
        await sheet.getByRole('button', { name: 'Close' }).click();
        await sheet.waitFor({ state: 'detached' });
        const t7 = await caseRow(page, 'T7').getAttribute('data-case-id');

        // The audit view has the edit, with the text before and after.
        await page.getByRole('button', { name: 'Audit' }).click();
        const entry = page.locator(`.audit-row[data-action="case.edit"]`, { hasText: caseId }).first();
        await entry.waitFor({ timeout: kLiveMs });
        const change = await entry.getByTestId('audit-change').innerText();
        assert.ok(change.includes(original), `the audit entry shows the text before: ${change}`);
        assert.ok(change.includes(edited), 'and after');
        assert.match(change, /→/);
        assert.match(await entry.innerText(), /\(user:\d+, manager\)/, 'who: the actor id and role');
        assert.match(await entry.innerText(), /Morgan/, 'and their name');
        assert.match(await entry.innerText(), /Cava suits the occasion better/, 'and the reason');
        assert.equal(await page.locator('.pane-floor').isVisible(), false, 'the audit view replaces the floor');
        const rows = await page.locator('.audit-row').count();
        assert.ok(rows >= 2 && rows <= 50, `${rows} entries, at most 50`);
        assert.deepEqual(await smallTargets(page), [], 'audit touch targets >= 44x44');
        await screenshot(page, 'audit-1280x800.png');

        // Refresh brings what happened since: T7 resolved elsewhere.
        const t7seen = await pageApi(page, 'GET', `/api/v1/cases/${encodeURIComponent(t7)}`);
        const resolved = await pageApi(page, 'POST', `/api/v1/cases/${encodeURIComponent(t7)}/resolve`, {
          root_cause: 'process',
          note: 'Sections rebalanced',
          version: t7seen.body.version,
        });
        assert.equal(resolved.status, 200);
        const t7entry = page.locator(`.audit-row[data-action="case.resolve"]`, { hasText: t7 });
        assert.equal(await t7entry.count(), 0);
        await page.getByRole('button', { name: 'Refresh' }).click();
        await t7entry.waitFor({ timeout: 5000 });
        await page.getByRole('button', { name: 'Audit' }).click();
        await page.locator('.pane-floor').waitFor();

        // The budget line shows at phone size too.
        await page.setViewportSize(kPhone);
        assert.equal(await budget.isVisible(), true, 'the budget is visible on a phone');
        assert.deepEqual(await smallTargets(page), [], 'header touch targets at phone size');
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));

  test('a plan that changed while the manager edited it is refused; the sheet shows the case as it is now and the second attempt works', { timeout: 90000 }, (t) =>
    guard(async () => {
      const manager = await openPage(kTablet);
      const staff = await openPage(kPhone);
      try {
        await signIn(manager.page, kManager);
        await publishSeated('T12', 2);
        await caseRow(manager.page, 'T12').waitFor({ timeout: kLiveMs });
        const caseId = await caseRow(manager.page, 'T12').getAttribute('data-case-id');
        const etag = await manager.page.evaluate(
          async (id) => (await fetch('/api/v1/cases/' + encodeURIComponent(id))).headers.get('ETag'),
          caseId,
        );
        if (etag === null) {
          // web/openapi.json requires the ETag, so the contract check fails while it is absent.
          t.skip('mendd sends no case versions yet (the server side is not merged)');
          return;
        }
        await caseRow(manager.page, 'T12').click();
        const sheet = manager.page.getByRole('dialog');
        // Critical is as far as the wait raises it: from here only people change the case.
        await sheet.locator('.sheet-meta .sev-pill.sev-critical').waitFor({ timeout: kLiveMs });
        await sheet.getByRole('button', { name: 'Edit', exact: true }).click();
        const seen = await sheet.getAttribute('data-version');
        const text = sheet.locator('textarea[name=recommendation]');
        const edited = 'Take the order at T12 now and bring bread for the table.';
        await text.fill(edited);
        await sheet.locator('input[name=reason]').fill('Bread is quicker than a drink');

        // Meanwhile someone on the floor acknowledges the case: a change the manager has not seen.
        await signIn(staff.page, kStaff);
        const ack = await pageApi(staff.page, 'POST', `/api/v1/cases/${encodeURIComponent(caseId)}/acknowledge`, {});
        assert.equal(ack.status, 200);
        assert.ok(ack.body.version > Number(seen), `the acknowledgement made a new version (${ack.body.version} after ${seen})`);

        const [refused] = await Promise.all([
          manager.page.waitForResponse((r) => r.url().endsWith(`/cases/${caseId}/decide`)),
          sheet.getByRole('button', { name: 'Approve edited' }).click(),
        ]);
        assert.equal(refused.status(), 409);
        assert.equal((await refused.json()).error.code, 'stale');
        const note = sheet.getByTestId('stale-note');
        await note.waitFor();
        assert.equal(
          await note.innerText(),
          'The recommendation changed while you were looking at it: check it and decide again.',
        );
        // The sheet shows the case as it is now, and the edit starts again from its plan.
        await sheet.locator('[data-testid=case-status][data-status=acknowledged]').waitFor();
        assert.equal(await sheet.getAttribute('data-version'), String(ack.body.version));
        const now = await pageApi(manager.page, 'GET', `/api/v1/cases/${encodeURIComponent(caseId)}`);
        assert.equal(await text.inputValue(), now.body.recommendation.text);
        assert.equal(await sheet.locator('input[name=reason]').inputValue(), 'Bread is quicker than a drink');

        await text.fill(edited);
        const [second] = await Promise.all([
          manager.page.waitForRequest((r) => r.url().endsWith(`/cases/${caseId}/decide`) && r.method() === 'POST'),
          sheet.getByRole('button', { name: 'Approve edited' }).click(),
        ]);
        assert.equal(second.headers()['if-match'], `"${ack.body.version}"`);
        await sheet.locator('[data-testid=case-status][data-status=actioned]').waitFor({ timeout: kLiveMs });
        assert.equal(await sheet.getByTestId('recommendation').innerText(), edited);
        assert.equal(await note.count(), 0, 'the note goes once the decision is taken');
        await assertClean(manager.page, manager.probe);
        await assertClean(staff.page, staff.probe);
      } finally {
        await manager.context.close();
        await staff.context.close();
      }
    }));

  test('when mendd restarts, the tablet says the live link is lost and recovers without a reload', { timeout: 120000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kManager);
        await page.locator('[data-table="T7"]').waitFor({ timeout: kLiveMs });
        const navigations = probe.navigations;
        const banner = page.getByTestId('live-lost');
        assert.equal(await banner.count(), 0, 'no banner while the link is up');

        await mendd.stop();
        await banner.waitFor({ timeout: 10000 });
        assert.equal(await page.locator('.live-banner').getAttribute('role'), 'status');
        assert.match(await banner.innerText(), /Live link lost — reconnecting…/);

        await mendd.start();
        // Backoff tops out at 15 s; a reconnect must come well within 30 s.
        await banner.waitFor({ state: 'detached', timeout: 30000 });
        await page.locator('[data-table="T7"]').waitFor();
        await page.locator('[data-table="T9"]').waitFor();

        // The new link carries news again.
        await publishSeated('T11', 3);
        await page.locator('[data-table="T11"]').waitFor({ timeout: kLiveMs });

        // A tablet that loses its Wi-Fi says so at once, and recovers when it is back.
        await context.setOffline(true);
        await banner.waitFor({ timeout: 5000 });
        await context.setOffline(false);
        await banner.waitFor({ state: 'detached', timeout: 30000 });
        await assertClean(page, probe, navigations);
      } finally {
        await context.close();
      }
    }));

  test('a manager edits a recommendation before approving it; staff resolve the case with a root cause', { timeout: 90000 }, () =>
    guard(async () => {
      const manager = await openPage(kTablet);
      const staff = await openPage(kPhone);
      try {
        await signIn(manager.page, kManager);
        await caseRow(manager.page, 'T11').waitFor({ timeout: kLiveMs });
        await caseRow(manager.page, 'T11').click();
        const sheet = manager.page.getByRole('dialog');
        await sheet.locator('.sheet-meta .sev-pill.sev-critical').waitFor({ timeout: kLiveMs });
        await sheet.getByRole('button', { name: 'Edit', exact: true }).click();
        const text = sheet.locator('textarea[name=recommendation]');
        assert.match(await text.inputValue(), /T11/, 'the edit starts from the recommendation');
        await text.fill('Offer table T11 a drink on the house and take the order now.');
        await sheet.locator('input[name=reason]').fill('Regulars: a drink will mend it');
        await sheet.getByRole('button', { name: 'Approve edited' }).click();
        await sheet.locator('[data-testid=case-status][data-status=actioned]').waitFor({ timeout: kLiveMs });
        assert.match(await sheet.getByTestId('recommendation').innerText(), /drink on the house/);

        // A staff member on a phone closes the case out.
        await signIn(staff.page, kStaff);
        await staff.page.getByRole('button', { name: /^Cases/ }).click();
        await caseRow(staff.page, 'T11').click();
        const ssheet = staff.page.getByRole('dialog');
        await ssheet.locator('[data-testid=case-status][data-status=actioned]').waitFor();
        await ssheet.getByRole('button', { name: 'Resolve', exact: true }).click();
        const resolve = ssheet.getByRole('button', { name: 'Resolve case' });
        assert.equal(await resolve.isDisabled(), true, 'a root cause is required');
        await ssheet.locator('select[name=root_cause]').selectOption('people');
        await ssheet.locator('input[name=note]').fill('Section was short one server');
        await resolve.click();
        await ssheet.locator('[data-testid=case-status][data-status=resolved]').waitFor({ timeout: kLiveMs });
        await ssheet.getByRole('button', { name: 'Close' }).click();
        // A resolved case leaves both queues.
        await caseRow(staff.page, 'T11').waitFor({ state: 'detached', timeout: kLiveMs });
        await caseRow(manager.page, 'T11').waitFor({ state: 'detached', timeout: kLiveMs });
        await assertClean(manager.page, manager.probe);
        await assertClean(staff.page, staff.probe);
      } finally {
        await manager.context.close();
        await staff.context.close();
      }
    }));

  test('the screenshots were saved as PNGs', () => {
    for (const name of kScreenshots) {
      const path = join(paths.screenshots, name);
      assert.ok(statSync(path).size > 1000, `${path} is not empty`);
      const sig = readFileSync(path).subarray(0, 8);
      assert.deepEqual([...sig], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${path} is a PNG`);
    }
  });
});

describe('alerts', { concurrency: false }, () => {
  let alertDir;
  let alertMendd;

  before(async () => {
    alertDir = makeTempDir();
    alertMendd = new Mendd(alertDir, broker.port, {
      venue: kAlertVenue,
      detect: 'table_no_order = "3s"',
      extra: kEscalation + '\n' + kVoucherRule,
    });
    await alertMendd.writeConfig();
    // The first start makes the store; people are added while it is stopped.
    await alertMendd.start();
    await alertMendd.stop();
    await alertMendd.addUser(kManager.name, 'manager', kManager.pin);
    await alertMendd.addUser(kStaff.name, 'staff', kStaff.pin);
    await alertMendd.start();
    current = alertMendd;
  });

  after(async () => {
    current = mendd;
    await alertMendd?.stop();
    alertDir?.remove();
  });

  test('a new case alerts the staff tablet within seconds; unacknowledged it escalates to the manager; acknowledging from the toast stops it', { timeout: 90000 }, () =>
    guard(async () => {
      const staff = await openPage(kTablet);
      const manager = await openPage(kTablet);
      try {
        // The manager's browser has granted notifications; a stand-in records what is shown.
        await manager.context.addInitScript(() => {
          window.__notes = [];
          class FakeNotification {
            static permission = 'granted';
            static requestPermission() {
              return Promise.resolve('granted');
            }
            constructor(title, options = {}) {
              window.__notes.push({ title, tag: options.tag, body: options.body });
            }
            close() {}
          }
          window.Notification = FakeNotification;
        });
        const staffAlerts = recordAlerts(staff.page);
        const managerAlerts = recordAlerts(manager.page);
        await signIn(staff.page, kStaff, alertMendd);
        await signIn(manager.page, kManager, alertMendd);
        const staffAsked = await staff.page.evaluate(() => ('Notification' in window ? Notification.permission : 'unsupported'));
        if (staffAsked === 'default') {
          // Permission is asked for from a button, never on load; once given, the button goes.
          const enable = staff.page.getByRole('button', { name: 'Enable alerts' });
          await enable.waitFor();
          await staff.context.grantPermissions(['notifications'], { origin: alertMendd.base });
          await enable.click();
          await enable.waitFor({ state: 'detached', timeout: 5000 });
        }
        assert.equal(await manager.page.getByRole('button', { name: 'Enable alerts' }).count(), 0, 'no button once granted');
        // Browsers play sound only after the person has used the page: tap the header once.
        for (const p of [staff.page, manager.page]) await p.locator('.topbar .who').click();

        const published = Date.now();
        await publishSeated('T21', 2, { venue: kAlertVenue });
        // The case opens after table_no_order (3 s); its alert must be on the staff tablet within seconds.
        const staffToast = staff.page.locator('[data-testid=toast]', { hasText: 'T21' });
        await staffToast.waitFor({ timeout: 10000 });
        const caseId = await staffToast.getAttribute('data-case-id');
        assert.ok(caseId);
        const opened = staffAlerts.find((a) => a.case === caseId);
        assert.ok(opened, 'the alert came over the live feed');
        assert.equal(opened.role, 'staff');
        assert.ok(opened.received - published < 10000, `the alert arrived ${opened.received - published} ms after the seating`);
        assert.match(await staffToast.innerText(), /Waiting to order/);
        assert.equal(await staffToast.getByRole('button', { name: 'Open case' }).count(), 1);
        assert.equal(await staffToast.getByRole('button', { name: 'Acknowledge' }).count(), 1);
        // The chime (public/sounds/alert.wav) played: the page had been used, so the browser let it.
        await waitFor('the chime to be played', () =>
          staff.page.getByTestId('alert-sound').evaluate((el) => Number(el.getAttribute('data-played') ?? 0) > 0), 5000);
        const wav = await fetch(alertMendd.base + '/sounds/alert.wav');
        assert.equal(wav.status, 200);
        assert.match(wav.headers.get('content-type') ?? '', /^audio\/(wav|x-wav|wave)/);
        assert.deepEqual(await smallTargets(staff.page), [], 'toast touch targets >= 44x44');

        // The manager hears of it too (staff alerts are theirs as well), then, unacknowledged
        // after 3 s, the escalation meant for them.
        const managerToast = toast(manager.page, caseId);
        await managerToast.waitFor({ timeout: 5000 });
        await manager.page.locator(`[data-testid=toast][data-case-id="${caseId}"][data-role=manager]`).waitFor({ timeout: 10000 });
        const escalated = managerAlerts.find((a) => a.case === caseId && a.role === 'manager');
        assert.ok(escalated && escalated.stage >= 1, 'the escalated alert names the manager');
        assert.match(await managerToast.getByTestId('toast-stage').innerText(), /Not acknowledged yet|still not acknowledged/);
        const notes = await manager.page.evaluate(() => window.__notes);
        assert.ok(notes.some((n) => n.tag === `mend-case-${caseId}`), 'a browser notification was shown');
        // The staff tablet does not show the manager's alert as its own.
        assert.equal(await staff.page.locator(`[data-testid=toast][data-case-id="${caseId}"][data-role=manager]`).count(), 0);

        // Acknowledge from the toast: the toasts go, on both tablets.
        const [ack] = await Promise.all([
          manager.page.waitForResponse((r) => r.url().endsWith(`/cases/${caseId}/acknowledge`)),
          managerToast.getByRole('button', { name: 'Acknowledge' }).click(),
        ]);
        assert.equal(ack.status(), 200);
        const ackedAt = Date.now();
        await managerToast.waitFor({ state: 'detached', timeout: 5000 });
        await toast(staff.page, caseId).waitFor({ state: 'detached', timeout: kLiveMs });

        // No further alert for the case: another table's case opens (after table_no_order, 3 s,
        // longer than the 2 s repeat), and its alert reaching the manager shows that a repeat
        // of the acknowledged case, had there been one, would have come by then.
        await publishSeated('T22', 2, { venue: kAlertVenue });
        const later = await waitFor('the next case\'s alert on the manager\'s tablet', () =>
          managerAlerts.find((a) => a.case !== caseId && a.received > ackedAt + kRepeatMs + 300), kLiveMs);
        const late = managerAlerts.filter((a) => a.case === caseId && a.received > ackedAt + 300);
        assert.deepEqual(late, [], 'acknowledging stopped the alerts');
        assert.equal(await toast(manager.page, caseId).count(), 0);
        // The other case is acknowledged too, so its reminders do not follow into the next test.
        assert.equal((await pageApi(manager.page, 'POST', `/api/v1/cases/${encodeURIComponent(later.case)}/acknowledge`, {})).status, 200);
        await assertClean(staff.page, staff.probe);
        await assertClean(manager.page, manager.probe);
      } finally {
        await staff.context.close();
        await manager.context.close();
      }
    }));

  test('an approved plan issues a voucher; the till redeems it and the guest rates the recovery, live on the sheet', { timeout: 60000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kManager, alertMendd);
        seq += 1;
        await broker.publish(
          `venue/${kAlertVenue}/feedback/review.received`,
          JSON.stringify({ id: `browser-review-${seq}-${Date.now()}`, review: 'g-5521', source: 'google', rating: 1, customer: { id: 'cust-jo', name: 'Jo Smith' } }),
        );
        const row = page.locator('.case-row', { hasText: 'review g-5521' });
        await row.waitFor({ timeout: kLiveMs });
        const caseId = await row.getAttribute('data-case-id');
        await row.click();
        const sheet = page.getByRole('dialog');
        await sheet.locator('.plan-step[data-action=voucher]').waitFor();
        assert.match(await sheet.getByTestId('compensation').innerText(), /Compensation: \D*10\b/);
        // The guest book has not seen Jo (the review's own customer name is not used for the guest).
        assert.match(await sheet.getByTestId('guest').innerText(), /New guest/);
        assert.equal(await sheet.getByTestId('vouchers').count(), 0, 'no voucher before approval');
        await sheet.getByRole('button', { name: 'Approve', exact: true }).click();
        await sheet.locator('input[name=reason]').fill('A voucher to win Jo back');
        await sheet.getByRole('button', { name: 'Confirm approval' }).click();
        await sheet.locator('[data-testid=case-status][data-status=actioned]').waitFor({ timeout: kLiveMs });
        const voucher = sheet.locator('[data-testid=vouchers] li').first();
        await voucher.waitFor({ timeout: kLiveMs });
        const voucherId = await voucher.getAttribute('data-voucher');
        assert.ok(voucherId, 'the voucher has an id for the till');
        assert.equal(await voucher.getAttribute('data-redeemed'), 'no');
        assert.match(await voucher.innerText(), /Not used yet/);

        seq += 1;
        await broker.publish(
          `venue/${kAlertVenue}/till/voucher.redeemed`,
          JSON.stringify({ id: `browser-till-${seq}-${Date.now()}`, check: 'C-4411', voucher: voucherId, amount: 10 }),
        );
        await sheet.locator(`[data-testid=vouchers] li[data-voucher="${voucherId}"][data-redeemed=yes]`).waitFor({ timeout: kLiveMs });
        assert.match(await voucher.innerText(), /Used .* on check C-4411/);

        seq += 1;
        await broker.publish(
          `venue/${kAlertVenue}/feedback/survey.answered`,
          JSON.stringify({ id: `browser-survey-${seq}-${Date.now()}`, score: 4, case: caseId, text: 'Thanks for the voucher' }),
        );
        await sheet.getByTestId('satisfaction').waitFor({ timeout: kLiveMs });
        assert.match(await sheet.getByTestId('satisfaction').innerText(), /4 of 5/);
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));
});

// A screenshot that must be a real PNG with something in it.
async function savedPng(page, name, options) {
  const path = await screenshot(page, name, options);
  assert.ok(statSync(path).size > 1000, `${path} is not empty`);
  assert.deepEqual([...readFileSync(path).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${path} is a PNG`);
}

// A second mendd of its own for one describe block (its own venue and config) on the shared
// broker, with the manager's account; the block's tests talk to it (`current`).
async function startOwnMendd(dir, options) {
  const own = new Mendd(dir, broker.port, options);
  await own.writeConfig();
  await own.start();
  await own.stop();
  await own.addUser(kManager.name, 'manager', kManager.pin);
  await own.start();
  current = own;
  return own;
}

describe('a full disk', { concurrency: false }, () => {
  let diskDir;
  let diskMendd;

  before(async () => {
    diskDir = makeTempDir();
    diskMendd = await startOwnMendd(diskDir, { venue: kDiskVenue, fileSizeKiB: 2048 });
  });

  after(async () => {
    current = mendd;
    await diskMendd?.stop();
    diskDir?.remove();
  });

  test('when the box cannot save, the tablet says it is read-only and refuses a decision; once it can, the banner goes', { timeout: 90000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kManager, diskMendd);
        await page.locator('#floor-title').waitFor();
        const navigations = probe.navigations;
        assert.equal(await page.getByTestId('read-only').count(), 0, 'no banner while the box can save');

        // 600 seatings with 4 kB of notes: more than mendd may write.
        const notes = 'n'.repeat(4000);
        const lines = [];
        for (let i = 0; i < 600; i += 1) {
          lines.push(JSON.stringify({ id: `disk-${i}`, ts: Date.now(), table: `T${i % 40}`, notes }));
        }
        await broker.publishLines(`venue/${kDiskVenue}/booking/guest.seated`, lines);

        const banner = page.getByTestId('read-only');
        await banner.waitFor({ timeout: 30000 });
        assert.match(await banner.innerText(), /Read-only: Mend cannot save right now/);
        await screenshot(page, 'read-only-1280x800.png');

        // The banner leads to the manager's case, which says what to do; a decision on it is
        // refused, saying why, and nothing changes.
        await banner.getByRole('button', { name: 'What to do' }).click();
        const sheet = page.locator('[role=dialog]');
        await sheet.waitFor();
        assert.match(await sheet.innerText(), /cannot save anything/);
        await sheet.getByRole('button', { name: 'Acknowledge' }).click();
        const refusal = page.getByTestId('sheet-error');
        await refusal.waitFor();
        assert.match(await refusal.innerText(), /cannot save anything right now/);

        // Space comes back: mendd finds out by itself, closes its case and the banner goes.
        await diskMendd.liftFileSizeLimit();
        await waitFor('the read-only banner to go', async () => (await banner.count()) === 0, 60000);
        // The broker link comes back just after: ready again, with nothing left behind.
        await waitFor('mendd to be ready again', async () => (await fetch(diskMendd.base + '/readyz')).status === 200, 30000);
        await assertClean(page, probe, navigations);
      } finally {
        await context.close();
      }
    }));
});

describe('the cloud link', { concurrency: false }, () => {
  let cloudDir;
  let cloudMendd;

  before(async () => {
    cloudDir = makeTempDir();
    // A cloud broker that is not there: nothing listens on the port.
    const pem = cloudDir.file('placeholder.pem');
    writeFileSync(pem, 'not a certificate\n');
    const extra = `[cloud]
enabled = true
url = "ssl://127.0.0.1:${await freePort()}"
ca_file = "${pem}"
cert_file = "${pem}"
key_file = "${pem}"
group = "browser-group"
events = true
reconnect_max = "2s"
`;
    // No case opens during the test: after the sign-in, what the outbox gains is the raw events.
    cloudMendd = await startOwnMendd(cloudDir, { venue: kCloudVenue, detect: 'table_no_order = "10m"', extra });
  });

  after(async () => {
    current = mendd;
    await cloudMendd?.stop();
    cloudDir?.remove();
  });

  test('a manager sees that the cloud is not connected and how much waits on the box', { timeout: 90000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kManager, cloudMendd);
        await page.locator('#floor-title').waitFor();
        const navigations = probe.navigations;
        const status = page.getByTestId('cloud-status');
        await status.waitFor({ timeout: 30000 });
        assert.match(await status.innerText(), /Cloud: not connected/);

        // What waits already (the sign-in's audit entries go to the cloud too), then three raw
        // events more: the tablet counts them.
        const before = (await (await fetch(cloudMendd.base + '/readyz')).json()).cloud.unsent;
        const lines = [];
        for (let i = 0; i < 3; i += 1) lines.push(JSON.stringify({ id: `cloud-${i}`, ts: Date.now(), table: `T${i}` }));
        await broker.publishLines(`venue/${kCloudVenue}/booking/guest.seated`, lines);
        const want = `${before + 3} waiting · oldest`;
        await waitFor(`the tablet to say "${want}"`, async () => (await status.innerText()).includes(want), 40000);
        await assertClean(page, probe, navigations);
      } finally {
        await context.close();
      }
    }));
});

describe('digital employees and a case staff open themselves', { concurrency: false }, () => {
  const kEmployeesVenue = 'employees-venue';
  let empDir;
  let empMendd;

  before(async () => {
    empDir = makeTempDir();
    empMendd = await startOwnMendd(empDir, { venue: kEmployeesVenue });
    await empMendd.stop();
    await empMendd.addUser(kStaff.name, 'staff', kStaff.pin);
    await empMendd.start();
  });

  after(async () => {
    current = mendd;
    await empMendd?.stop();
    empDir?.remove();
  });

  test('staff open a case for a complaint at the table; it gets a plan and waits in the queue', { timeout: 60000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kPhone);
      try {
        await signIn(page, kStaff, empMendd);
        await page.getByRole('button', { name: /^Cases/ }).click();
        await page.getByRole('button', { name: 'New case' }).click();
        const form = page.getByRole('dialog', { name: 'New case' });
        // Nothing says who it is about: mendd's words come back.
        await form.locator('textarea[name=what]').fill('The soup was cold and nobody came back.');
        await form.getByRole('button', { name: 'Open case' }).click();
        await form.getByRole('alert').filter({ hasText: 'say who it is about' }).waitFor();
        await form.locator('input[name=table]').fill('T7');
        await form.locator('select[name=severity]').selectOption('high');
        await savedPng(page, 'report-case-390x844.png');
        await form.getByRole('button', { name: 'Open case' }).click();
        await form.waitFor({ state: 'detached' });

        const row = caseRow(page, 'T7');
        await row.waitFor();
        assert.match(await row.innerText(), /Complaint/);
        await row.click();
        const sheet = page.getByRole('dialog');
        assert.match(await sheet.getByTestId('why').innerText(), /soup was cold/);
        assert.match(await sheet.getByTestId('case-employee').innerText(), /Reported, for Floor/);
        await sheet.locator('.plan .plan-step').first().waitFor();
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));

  test('a manager sees each employee with its record and switches one off; the audit log says who', { timeout: 60000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kManager, empMendd);
        await page.getByRole('button', { name: 'Employees' }).click();
        const floor = page.locator('[data-employee=floor]');
        await floor.waitFor();
        assert.equal(await page.locator('.employee').count(), 9, 'the starting set, the caretaker, win-back and the concierge');
        // The complaint staff opened in the test before counts as Floor's.
        assert.equal(await floor.getByTestId('raised').innerText(), '1');
        assert.match(await floor.getByTestId('record').innerText(), /no surveys yet/);
        assert.equal(await page.locator('[data-employee=caretaker]').getByRole('button', { name: 'Switch off' }).count(), 0);
        await savedPng(page, 'employees-1280x800.png');

        const host = page.locator('[data-employee=host]');
        assert.equal(await host.getByTestId('employee-state').textContent(), 'On');
        await host.getByRole('button', { name: 'Switch off' }).click();
        await host.getByTestId('employee-state').filter({ hasText: 'Off' }).waitFor();
        await host.getByRole('button', { name: 'Switch on' }).waitFor();

        await page.getByRole('button', { name: 'Audit' }).click();
        const entry = page.locator('.audit-row[data-action="employee.change"]').first();
        await entry.waitFor();
        assert.match(await entry.innerText(), /Morgan/);
        assert.match(await entry.innerText(), /host/);

        await page.setViewportSize(kPhone);
        await page.getByRole('button', { name: 'Employees' }).click();
        await host.waitFor();
        await savedPng(page, 'employees-390x844.png');
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));

  test("a manager tunes Floor's limit for a main course; a bad value is refused with why; the audit log says from what to what", { timeout: 60000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kManager, empMendd);
        await page.getByRole('button', { name: 'Employees' }).click();
        const floor = page.locator('[data-employee=floor]');
        const main = floor.locator('tr[data-limit="course.main"]');
        assert.equal(await main.getByTestId('limit-value').innerText(), '25m');
        await floor.getByRole('button', { name: 'Tune limits' }).click();
        const form = floor.getByRole('form', { name: "Tune Floor's limits" });
        await form.locator('input[name="course.main"]').fill('0s');
        await form.getByRole('button', { name: 'Save limits' }).click();
        await page.getByRole('alert').filter({ hasText: 'limits.course.main: must be more than 0s' }).waitFor();
        await form.locator('input[name="course.main"]').fill('20m');
        await form.locator('input[name=reason]').fill('second person on the pass');
        await savedPng(page, 'employee-limits-1280x800.png');
        await form.getByRole('button', { name: 'Save limits' }).click();
        await form.waitFor({ state: 'detached' });
        assert.equal(await main.getByTestId('limit-value').innerText(), '20m');
        assert.match(await main.innerText(), /the config says 25m/);

        await page.getByRole('button', { name: 'Audit' }).click();
        const entry = page.locator('.audit-row[data-action="employee.change"]').first();
        await entry.getByTestId('audit-changes').filter({ hasText: 'limit course.main: 25m → 20m' }).waitFor();
        assert.match(await entry.innerText(), /second person on the pass/);
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));
});

describe('the learning view', { concurrency: false }, () => {
  const kLearningVenue = 'learning-venue';
  let learnDir;
  let learnMendd;

  before(async () => {
    learnDir = makeTempDir();
    // Sixty days of the simulator's story (venue_history.hpp), written before mendd opens the
    // store: slow mains on Friday and Saturday evenings resolved as process, among others.
    const m = new Mendd(learnDir, broker.port, { venue: kLearningVenue });
    mkdirSync(learnDir.file('state'), { recursive: true });
    await run(paths.simHistory, ['--store', m.db, '--days', '60', '--venue', kLearningVenue], 30000);
    learnMendd = await startOwnMendd(learnDir, { venue: kLearningVenue });
  });

  after(async () => {
    current = mendd;
    await learnMendd?.stop();
    learnDir?.remove();
  });

  // The API's own numbers for a view, read with the page's session.
  function insights(page, query) {
    return page.evaluate(async (q) => (await fetch('/api/v1/insights?' + q)).json(), query);
  }

  test('a manager sees 30 days in charts and tables, filters by kind, accepts a suggestion and prints the week', { timeout: 90000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kManager, learnMendd);
        await page.getByRole('button', { name: 'Learning' }).click();
        const learning = page.getByTestId('learning');
        await learning.waitFor();
        const month = await insights(page, 'period=30d');
        assert.ok(month.current.cases > 50, `30 days of history, not ${month.current.cases} cases`);
        assert.equal(await page.getByTestId('measure-cases').innerText(), String(month.current.cases));

        // Each chart is drawn, with its numbers in a table beside it.
        for (const id of ['chart-kind', 'chart-hour', 'chart-weekday', 'chart-area', 'chart-cause']) {
          const chart = page.getByTestId(id);
          assert.equal(await chart.locator('canvas').count(), 1, `${id} has its canvas`);
          assert.ok((await chart.locator('tbody tr').count()) > 0, `${id} has its table`);
        }
        const evening = page.getByTestId('chart-hour').locator('tbody tr', { hasText: /^19/ });
        assert.match(await evening.innerText(), new RegExp(`^19\\s+${month.current.by_hour[19]}\\b`));
        await page.getByTestId('repeats').waitFor();
        await savedPng(page, 'learning-1280x800.png', { fullPage: true });

        // One kind: the numbers are that kind's alone.
        await page.locator('select[name=kind]').selectOption('course.slow');
        const mains = await insights(page, 'period=30d&kind=course.slow');
        await waitFor('the slow courses alone', async () => (await page.getByTestId('measure-cases').innerText()) === String(mains.current.cases), 10000);
        assert.ok(mains.current.cases < month.current.cases);

        // The weekend's slow mains: accepted, it becomes the manager's task and is audited.
        const suggestion = page.locator('.suggestion', { hasText: /slow mains .* were on Friday or Saturday between 19:00 and 20:00/ });
        await suggestion.waitFor();
        assert.match(await suggestion.innerText(), /resolved as process\. Consider a second person on the pass/);
        await suggestion.getByRole('button', { name: 'Accept' }).click();
        await suggestion.getByTestId('suggestion-decision').filter({ hasText: /Accepted by Morgan: task 1 for the manager · open/ }).waitFor();
        const task = page.getByTestId('tasks').locator('.task').first();
        await task.getByRole('button', { name: 'Mark done' }).click();
        await task.getByRole('button', { name: 'Mark done' }).waitFor({ state: 'detached' });

        await page.getByRole('button', { name: 'Audit' }).click();
        const entry = page.locator('.audit-row[data-action="suggestion.accept"]').first();
        await entry.waitFor();
        assert.match(await entry.innerText(), /Morgan/);
        await page.locator('.audit-row[data-action="task.done"]').first().waitFor();

        // The weekly report, ready to print.
        await page.getByRole('button', { name: 'Learning' }).click();
        await page.getByRole('button', { name: 'Weekly report' }).click();
        const report = page.getByTestId('weekly-report');
        await report.locator('h2', { hasText: /The week of \d{4}-\d{2}-\d{2}/ }).waitFor();
        assert.equal(await report.getByTestId('report-employees').locator('tbody tr').count(), 9);
        await savedPng(page, 'weekly-report-1280x800.png', { fullPage: true });

        await page.setViewportSize(kPhone);
        await page.getByRole('button', { name: 'Back' }).click();
        await learning.waitFor();
        await savedPng(page, 'learning-390x844.png');
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));
});

describe('guest recognition', { concurrency: false }, () => {
  const kGuestVenue = 'guest-venue';
  let guestDir;
  let guestMendd;

  before(async () => {
    guestDir = makeTempDir();
    // One earlier visit makes a regular here; a table waits an hour for its order, so only the
    // earlier visit (two days ago) has a case.
    guestMendd = await startOwnMendd(guestDir, {
      venue: kGuestVenue,
      detect: 'table_no_order = "1h"',
      extra: '[guests]\nregular_visits = 1',
    });
    await guestMendd.stop();
    await guestMendd.addUser(kStaff.name, 'staff', kStaff.pin);
    await guestMendd.start();
  });

  after(async () => {
    current = mendd;
    await guestMendd?.stop();
    guestDir?.remove();
  });

  async function booking(type, body) {
    seq += 1;
    await broker.publish(`venue/${kGuestVenue}/booking/${type}`, JSON.stringify({ id: `guest-${seq}-${Date.now()}`, ...body }));
  }

  test('the floor shows a regular with their allergy, occasion and last visit; staff note them; a manager keeps the allergy with consent', { timeout: 90000 }, () =>
    guard(async () => {
      const ada = { id: 'cust-ada', name: 'Ada Lovelace' };
      const twoDaysAgo = Date.now() - 2 * 24 * 3600 * 1000;
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kStaff, guestMendd);
        // Her last visit, two days ago: nobody took the order.
        await booking('guest.seated', { ts: twoDaysAgo, table: 'T1', party: 2, customer: ada });
        await page.locator('.tile[data-table="T1"] [data-testid=case-badge]').waitFor();
        // Tonight: a booking with a note, and she is seated at T2.
        await booking('booking.created', {
          booking: 'B-ada',
          at: new Date().toISOString(),
          party: 2,
          customer: ada,
          notes: 'Birthday dinner; severe nut allergy, window seat please',
        });
        await booking('guest.seated', { table: 'T2', booking: 'B-ada', party: 2 });

        const strip = page.locator('[data-guest-table="T2"]');
        await strip.waitFor();
        assert.match(await strip.innerText(), /Ada Lovelace/);
        assert.equal(await strip.getByTestId('tier-badge').innerText(), 'Regular');
        assert.match(await strip.getByTestId('allergy-warning').innerText(), /severe nut allergy/);
        assert.equal(await strip.getByTestId('occasion').innerText(), 'Birthday');
        assert.match(await strip.getByTestId('last-visit-issue').innerText(), /waiting to order/);
        await savedPng(page, 'floor-guest-1280x800.png');

        await strip.click();
        const sheet = page.getByRole('dialog', { name: 'Ada Lovelace' });
        await sheet.getByTestId('dietary').filter({ hasText: 'severe nut allergy (for this booking only)' }).waitFor();
        assert.equal(await sheet.getByRole('button', { name: 'Edit profile' }).count(), 0, 'staff do not edit profiles');
        await sheet.locator('textarea[name=note]').fill('Prefers the window; ask about the birthday cake');
        await sheet.getByRole('button', { name: 'Save note' }).click();
        const note = sheet.getByTestId('guest-note').first();
        await note.waitFor();
        assert.match(await note.innerText(), /ask about the birthday cake — Sam/);
        await savedPng(page, 'guest-profile-1280x800.png');
        await page.setViewportSize(kPhone);
        await savedPng(page, 'guest-profile-390x844.png');
        await assertClean(page, probe);
      } finally {
        await context.close();
      }

      const manager = await openPage(kTablet);
      try {
        await signIn(manager.page, kManager, guestMendd);
        await manager.page.locator('[data-guest-table="T2"]').click();
        const sheet = manager.page.getByRole('dialog', { name: 'Ada Lovelace' });
        await sheet.getByRole('button', { name: 'Edit profile' }).click();
        const form = sheet.getByRole('form', { name: 'Edit profile' });
        await form.locator('textarea[name=preferences]').fill('window seat');
        await form.locator('input[name=health_consent]').check();
        await form.locator('textarea[name=dietary]').fill('severe nut allergy');
        await form.getByRole('button', { name: 'Save profile' }).click();
        await form.waitFor({ state: 'detached' });
        await sheet.getByTestId('dietary').filter({ hasText: 'severe nut allergy (kept with their consent)' }).waitFor();
        assert.equal(await sheet.getByTestId('preferences').innerText(), 'window seat');
        await sheet.getByRole('button', { name: 'Close' }).click();

        await manager.page.getByRole('button', { name: 'Audit' }).click();
        const entry = manager.page.locator('.audit-row[data-action="guest.edit"]').first();
        await entry.waitFor();
        assert.match(await entry.innerText(), /Morgan/);
        assert.doesNotMatch(await manager.page.locator('.audit-row').allInnerTexts().then((t) => t.join('\n')), /nut allergy|birthday cake/);
        await assertClean(manager.page, manager.probe);
      } finally {
        await manager.context.close();
      }
    }));

  test('staff find a guest by part of their email and open the profile', { timeout: 60000 }, () =>
    guard(async () => {
      await booking('booking.created', {
        booking: 'B-grace',
        at: new Date(Date.now() + 3600 * 1000).toISOString(),
        party: 4,
        customer: { id: 'cust-grace', name: 'Grace Hopper', email: 'Grace@Example.org' },
      });
      const { context, page, probe } = await openPage(kPhone);
      try {
        await signIn(page, kStaff, guestMendd);
        await page.getByRole('button', { name: 'Guests' }).click();
        await page.locator('input[name=guest-search]').fill('grace@example');
        const found = page.getByRole('list', { name: 'Guests found' });
        await found.locator('[data-guest="cust-grace"]').waitFor();
        assert.equal(await found.locator('li').count(), 1, 'only Grace matches');
        await savedPng(page, 'guests-390x844.png');
        await found.locator('[data-guest="cust-grace"]').click();
        const sheet = page.getByRole('dialog', { name: 'Grace Hopper' });
        await sheet.getByText('0 visits', { exact: false }).waitFor();
        // The profile says what is kept about guests: docs/privacy.md, as a page on the tablet.
        await sheet.getByTestId('privacy-link').click();
        const privacy = page.getByTestId('privacy');
        await privacy.getByRole('heading', { name: 'What Mend keeps about guests' }).waitFor();
        assert.equal(await sheet.count(), 0, 'the profile closed for the page');
        assert.match(await privacy.innerText(), /Dietary needs and allergies are health data\./);
        assert.match(await privacy.getByRole('table').first().innerText(), /staff notes, with author and time/);
        assert.doesNotMatch(await privacy.innerText(), /\*\*|\]\(/, 'no Markdown left showing');
        assert.deepEqual(await smallTargets(page), [], 'touch targets >= 44x44');
        await savedPng(page, 'privacy-390x844.png');
        await privacy.getByRole('button', { name: 'Back' }).click();
        await page.locator('input[name=guest-search]').fill('nobody-like-this');
        await page.getByText('Nobody matches.').waitFor();
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));
});

describe('win-back', { concurrency: false }, () => {
  const kWinVenue = 'winback-venue';
  let winDir;
  let winMendd;

  before(async () => {
    winDir = makeTempDir();
    // A year of the simulator's returning guests (guest_habits.hpp), some of them regulars who
    // stopped coming, written before mendd opens the store; its first housekeeping finds them.
    const m = new Mendd(winDir, broker.port, { venue: kWinVenue });
    mkdirSync(winDir.file('state'), { recursive: true });
    await run(paths.simHistory, ['--store', m.db, '--days', '7', '--venue', kWinVenue, '--guests', '80'], 30000);
    winMendd = await startOwnMendd(winDir, { venue: kWinVenue });
  });

  after(async () => {
    current = mendd;
    await winMendd?.stop();
    winDir?.remove();
  });

  test('a manager edits the drafted note to a regular who stopped coming and approves it', { timeout: 90000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kManager, winMendd);
        const lapsed = page.locator('.case-row', { hasText: 'Regular stopped coming' });
        await lapsed.first().waitFor({ timeout: kLiveMs });
        const caseId = await lapsed.first().getAttribute('data-case-id');
        await lapsed.first().click();
        const sheet = page.getByRole('dialog');
        assert.match(await sheet.getByTestId('why').innerText(), /Came every .* last visit .* ago/);
        assert.match(await sheet.getByTestId('recommendation').innerText(), /Dear \w+, we have missed you/);
        assert.match(await sheet.getByTestId('needs-approval').innerText(), /Needs a manager's approval/);
        await screenshot(page, 'winback-draft-1280x800.png');
        await sheet.getByRole('button', { name: 'Edit', exact: true }).click();
        const text = sheet.locator('textarea[name=recommendation]');
        assert.match(await text.inputValue(), /we have missed you/, 'the edit starts from the draft');
        await text.fill('We have missed you! Your usual table is waiting, and the first round is on us.');
        await sheet.locator('input[name=reason]').fill('Warmer, and a drink');
        await sheet.getByRole('button', { name: 'Approve edited' }).click();
        await sheet.locator('[data-testid=case-status][data-status=actioned]').waitFor({ timeout: kLiveMs });
        assert.match(await sheet.getByTestId('recommendation').innerText(), /first round is on us/);
        await screenshot(page, 'winback-approved-1280x800.png');
        await sheet.getByRole('button', { name: 'Close' }).click();

        // The audit log says the manager edited the case's plan.
        await page.getByRole('button', { name: 'Audit' }).click();
        await page.locator('.audit-row[data-action="case.edit"]', { hasText: caseId }).first().waitFor();
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));
});

describe('the daily briefing', { concurrency: false }, () => {
  const kBriefVenue = 'briefing-venue';
  let briefDir;
  let briefMendd;

  before(async () => {
    briefDir = makeTempDir();
    // One shift a day, starting two hours ago in local time (mendd runs in this process's time
    // zone): bookings in the next hour are in the current shift whenever the test runs, and
    // the next shift's briefing is not due. One earlier visit makes a regular, as in guest
    // recognition.
    const start = new Date(Date.now() - 2 * 3600 * 1000);
    const hhmm = [start.getHours(), start.getMinutes()].map((n) => String(n).padStart(2, '0')).join(':');
    briefMendd = await startOwnMendd(briefDir, {
      venue: kBriefVenue,
      detect: 'table_no_order = "1h"',
      extra: `[policy]\nshift_starts = ["${hhmm}"]\n\n[guests]\nregular_visits = 1`,
    });
    await briefMendd.stop();
    await briefMendd.addUser(kStaff.name, 'staff', kStaff.pin);
    await briefMendd.start();
  });

  after(async () => {
    current = mendd;
    await briefMendd?.stop();
    briefDir?.remove();
  });

  async function booking(type, body) {
    seq += 1;
    await broker.publish(`venue/${kBriefVenue}/booking/${type}`, JSON.stringify({ id: `brief-${seq}-${Date.now()}`, ...body }));
  }

  const inMinutes = (m) => new Date(Date.now() + m * 60 * 1000).toISOString();

  test("the briefing lists today's regulars", { timeout: 90000 }, () =>
    guard(async () => {
      const ada = { id: 'cust-ada', name: 'Ada Lovelace' };
      const alan = { id: 'cust-alan', name: 'Alan Turing' };
      const grace = { id: 'cust-grace', name: 'Grace Hopper' };
      const neville = { id: 'cust-neville', name: 'Neville Newman' };
      // Ada's one earlier visit, two days ago: nobody took the order.
      await booking('guest.seated', { ts: Date.now() - 2 * 24 * 3600 * 1000, table: 'T1', party: 2, customer: ada });
      // Later in this shift: Ada, a regular, for their anniversary; Alan, new, whose coeliac
      // disease a manager keeps with his consent; Grace, new, with an allergy given for this
      // booking; Neville, new, with nothing known about him.
      await booking('booking.created', { booking: 'B-ada', at: inMinutes(30), party: 2, customer: ada, notes: 'Anniversary dinner' });
      await booking('booking.created', { booking: 'B-alan', at: inMinutes(40), party: 3, customer: alan });
      await booking('booking.created', { booking: 'B-grace', at: inMinutes(45), party: 4, customer: grace, notes: 'Shellfish allergy' });
      await booking('booking.created', { booking: 'B-neville', at: inMinutes(60), party: 2, customer: neville });

      const manager = await openPage(kTablet);
      try {
        await signIn(manager.page, kManager, briefMendd);
        // The earlier visit's case is Ada's last visit's issue.
        await manager.page.locator('.tile[data-table="T1"] [data-testid=case-badge]').waitFor({ timeout: kLiveMs });
        await waitFor('Alan in the guest book', async () => (await pageApi(manager.page, 'GET', '/api/v1/guests/cust-alan')).status === 200, 10000);
        const edit = await pageApi(manager.page, 'PATCH', '/api/v1/guests/cust-alan', { health_consent: true, dietary: ['Coeliac'] });
        assert.equal(edit.status, 200, JSON.stringify(edit.body));
        await assertClean(manager.page, manager.probe);
      } finally {
        await manager.context.close();
      }

      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kStaff, briefMendd);
        // Every booking is in before the view reads the briefing: Neville's (the last one
        // published) has made him a guest.
        await waitFor(
          'the bookings in the briefing',
          async () => {
            const b = await pageApi(page, 'GET', '/api/v1/briefing?shift=current');
            const found = await pageApi(page, 'GET', '/api/v1/guests?q=cust-neville');
            return b.status === 200 && b.body.entries.length === 3 && found.body?.guests?.length === 1;
          },
          10000,
        );

        await page.getByRole('button', { name: 'Briefing', exact: true }).click();
        const briefing = page.getByTestId('briefing');
        await briefing.waitFor();
        await briefing.getByRole('button', { name: 'This shift' }).click();
        await page.locator('[data-testid=briefing][data-shift=current]').waitFor();
        assert.match(await briefing.locator('h2').innerText(), /^This shift: /);
        const summary = await briefing.getByTestId('briefing-summary').innerText();
        assert.match(summary, /^3 bookings to know for the shift from \d\d:\d\d/);
        assert.match(summary, /Ada Lovelace \(regular/);

        // Earliest first; Neville, of whom nothing is known, is not there.
        const entries = briefing.getByTestId('briefing-entry');
        assert.deepEqual(await entries.evaluateAll((els) => els.map((e) => e.dataset.booking)), ['B-ada', 'B-alan', 'B-grace']);
        assert.equal(await briefing.locator('[data-customer="cust-neville"]').count(), 0);
        assert.doesNotMatch(await briefing.innerText(), /Neville/);

        const adaCard = entries.filter({ hasText: 'Ada Lovelace' });
        assert.equal(await adaCard.getByTestId('tier-badge').innerText(), 'Regular');
        assert.equal(await adaCard.locator('.why-chip[data-why=regular]').innerText(), 'Regular');
        assert.equal(await adaCard.getByTestId('briefing-occasions').innerText(), 'Anniversary');
        assert.match(await adaCard.getByTestId('briefing-last-visit').innerText(), /waiting to order/);

        const alanCard = entries.filter({ hasText: 'Alan Turing' });
        assert.equal(await alanCard.getByTestId('tier-badge').innerText(), 'New guest');
        assert.equal(await alanCard.getByTestId('briefing-dietary').innerText(), 'Coeliac (kept with their consent)');
        const graceCard = entries.filter({ hasText: 'Grace Hopper' });
        assert.equal(await graceCard.locator('.why-chip[data-why=dietary]').count(), 1);
        assert.equal(await graceCard.getByTestId('briefing-dietary').innerText(), 'Shellfish allergy (for this booking only)');
        assert.deepEqual(await smallTargets(page), [], 'touch targets >= 44x44');
        await savedPng(page, 'briefing-1280x800.png', { fullPage: true });

        // A name opens the guest's profile.
        await adaCard.getByRole('button', { name: /Ada Lovelace/ }).click();
        const sheet = page.getByRole('dialog', { name: 'Ada Lovelace' });
        await sheet.getByText('1 visit', { exact: false }).waitFor();
        await sheet.getByRole('button', { name: 'Close' }).click();
        await sheet.waitFor({ state: 'detached' });

        // On paper: the briefing alone, without the tablet's bars and buttons.
        await page.emulateMedia({ media: 'print' });
        assert.equal(await page.locator('.topbar').isVisible(), false);
        assert.equal(await briefing.getByRole('button', { name: 'Print' }).isVisible(), false);
        assert.equal(await entries.first().isVisible(), true);
        await savedPng(page, 'briefing-print-1280x800.png', { fullPage: true });
        await page.emulateMedia({ media: null });

        // The next shift has no bookings yet: the view says there is nothing to know.
        await briefing.getByRole('button', { name: 'Next shift' }).click();
        await page.locator('[data-testid=briefing][data-shift=next]').waitFor();
        await briefing.getByTestId('briefing-empty').waitFor();
        assert.equal(await entries.count(), 0);

        await briefing.getByRole('button', { name: 'This shift' }).click();
        await entries.first().waitFor();
        await page.setViewportSize(kPhone);
        await savedPng(page, 'briefing-390x844.png');
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));
});

describe('the contribution ledger', { concurrency: false }, () => {
  const kLedgerVenue = 'ledger-venue';
  let ledgerDir;
  let ledgerMendd;

  before(async () => {
    ledgerDir = makeTempDir();
    ledgerMendd = await startOwnMendd(ledgerDir, { venue: kLedgerVenue, detect: 'table_no_order = "1s"' });
    await ledgerMendd.stop();
    await ledgerMendd.addUser(kStaff.name, 'staff', kStaff.pin);
    await ledgerMendd.start();
  });

  after(async () => {
    current = mendd;
    await ledgerMendd?.stop();
    ledgerDir?.remove();
  });

  // An action on a case, saying the version the person saw (as the case sheet does).
  async function onCase(page, id, verb, body) {
    const c = await pageApi(page, 'GET', `/api/v1/cases/${encodeURIComponent(id)}`);
    assert.equal(c.status, 200, JSON.stringify(c.body));
    const r = await pageApi(page, 'POST', `/api/v1/cases/${encodeURIComponent(id)}/${verb}`, { ...body, version: c.body.version });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  test('a manager countersigns an entry; staff see it count in their record', { timeout: 90000 }, () =>
    guard(async () => {
      await publishSeated('T5', 2, { venue: kLedgerVenue });
      const staff = await openPage(kTablet);
      const manager = await openPage(kTablet);
      try {
        await signIn(staff.page, kStaff, ledgerMendd);
        await signIn(manager.page, kManager, ledgerMendd);
        let caseId = null;
        await waitFor(
          'the case for T5',
          async () => {
            const r = await pageApi(staff.page, 'GET', '/api/v1/cases?status=open');
            caseId = r.body?.cases?.find((c) => c.subject?.table === 'T5')?.id ?? null;
            return caseId !== null;
          },
          kLiveMs,
        );
        // Sam resolves it with its root cause and a follow-up; the manager sends the follow-up.
        await onCase(staff.page, caseId, 'resolve', {
          root_cause: 'people',
          note: 'Nobody had the section',
          follow_up: { after_hours: 1, message: 'Sorry about the wait last night' },
        });
        await onCase(manager.page, caseId, 'follow-up', { decision: 'send', reason: 'Kind words' });

        // Sam's record: earned, not counted until a manager countersigns.
        await staff.page.getByRole('button', { name: 'Record', exact: true }).click();
        const mine = staff.page.getByTestId('ledger-record');
        const entry = mine.locator(`[data-testid=ledger-entry][data-rule=case_closed]`);
        await entry.waitFor();
        assert.equal(await entry.getAttribute('data-status'), 'awaiting_countersign');
        assert.match(await mine.getByTestId('ledger-points').innerText(), /^0 points counted, 1 point awaiting/);
        assert.match(await entry.innerText(), new RegExp(`Closed case ${caseId} .*root cause people`));

        // The manager's view: the team's entries awaiting a countersignature; Morgan signs Sam's.
        await manager.page.getByRole('button', { name: 'Record', exact: true }).click();
        const team = manager.page.getByTestId('ledger-team');
        const awaiting = team.getByTestId('awaiting').locator('[data-testid=ledger-entry]');
        await awaiting.first().waitFor();
        assert.equal(await awaiting.count(), 1);
        assert.match(await awaiting.first().innerText(), /Sam/);
        assert.deepEqual(await smallTargets(manager.page), [], 'touch targets >= 44x44');
        await savedPng(manager.page, 'ledger-team-1280x800.png', { fullPage: true });
        await awaiting.first().getByRole('button', { name: 'Countersign' }).click();
        await team.getByTestId('awaiting-empty').waitFor();
        const samRow = team.getByTestId('ledger-people').locator('tr', { hasText: 'Sam' });
        assert.match(await samRow.innerText(), /^Sam\s+1\s+0/);
        await assertClean(manager.page, manager.probe);

        // Sam sees it count (the view reads the ledger again when opened).
        await staff.page.getByRole('button', { name: 'Record', exact: true }).click();
        await staff.page.getByRole('button', { name: 'Record', exact: true }).click();
        await waitFor('the entry to count', async () => (await entry.getAttribute('data-status')) === 'counts', 10000);
        assert.match(await mine.getByTestId('ledger-points').innerText(), /^1 point counted$/);
        assert.equal(await entry.getByTestId('ledger-status').innerText(), 'COUNTS');
        await savedPng(staff.page, 'ledger-record-1280x800.png', { fullPage: true });
        await staff.page.setViewportSize(kPhone);
        assert.deepEqual(await smallTargets(staff.page), [], 'touch targets >= 44x44 on a phone');
        await savedPng(staff.page, 'ledger-record-390x844.png');
        await assertClean(staff.page, staff.probe);

        // The audit log says who countersigned what.
        const audit = await pageApi(manager.page, 'GET', '/api/v1/audit?limit=20');
        assert.ok(audit.body.entries.some((a) => a.action === 'ledger.countersign'), JSON.stringify(audit.body.entries.map((a) => a.action)));
      } finally {
        await staff.context.close();
        await manager.context.close();
      }
    }));
});

describe('at-risk tables', { concurrency: false }, () => {
  const kRiskVenue = 'risk-venue';
  let riskDir;
  let riskMendd;

  before(async () => {
    riskDir = makeTempDir();
    // Four weeks of the simulator's causal evenings (a busy kitchen slows courses), played
    // through the recovery service into the store, and the night's training on them: mendd
    // opens it with a promoted model.
    const m = new Mendd(riskDir, broker.port, { venue: kRiskVenue });
    mkdirSync(riskDir.file('state'), { recursive: true });
    await run(paths.simMonth, ['--store', m.db, '--days', '28', '--venue', kRiskVenue], 120000);
    riskMendd = await startOwnMendd(riskDir, { venue: kRiskVenue });
  });

  after(async () => {
    current = mendd;
    await riskMendd?.stop();
    riskDir?.remove();
  });

  test('a busy kitchen flags tables on the floor before any case; the manager sees the model and its weights', { timeout: 90000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kManager, riskMendd);
        const model = await pageApi(page, 'GET', '/api/v1/risk/model');
        assert.equal(model.status, 200);
        assert.equal(model.body.status, 'on', JSON.stringify(model.body));

        // Eight tables seated, each with a starter and a main fired: sixteen courses in flight.
        const till = (type, body) =>
          broker.publish(`venue/${kRiskVenue}/till/${type}`, JSON.stringify({ id: `risk-${type}-${body.check ?? body.table}-${Date.now()}`, ts: Date.now(), ...body }));
        for (let t = 1; t <= 8; t += 1) {
          await broker.publish(
            `venue/${kRiskVenue}/booking/guest.seated`,
            JSON.stringify({ id: `risk-seat-${t}-${Date.now()}`, ts: Date.now(), table: `T${t}`, party: 4 }),
          );
          await till('order.opened', { table: `T${t}`, check: `RC${t}`, covers: 4 });
          await till('items.fired', { table: `T${t}`, check: `RC${t}`, course: 'starter', items: [{ name: 'soup', qty: 4 }] });
          await till('items.fired', { table: `T${t}`, check: `RC${t}`, course: 'main', items: [{ name: 'pie', qty: 4 }] });
        }
        const flagged = page.locator('[data-testid="risk-bar"][data-flagged="true"]');
        await flagged.first().waitFor({ timeout: 20000 });
        const flag = page.locator('.flag-row').first();
        await flag.waitFor();
        assert.match(await flag.innerText(), /the kitchen at 16 courses/);
        assert.match(await flag.innerText(), /Check the course with the pass|Take the table's order|Check on the table/);
        assert.equal(await page.locator('.case-row').count(), 0, 'a flag is not a case');
        const floor = await pageApi(page, 'GET', '/api/v1/floor');
        const risky = floor.body.tables.filter((t) => t.risk?.flagged);
        assert.ok(risky.length > 0 && risky.every((t) => t.risk.score >= model.body.model.threshold), JSON.stringify(risky));
        assert.deepEqual(await smallTargets(page), [], 'floor and queue touch targets >= 44x44');
        await savedPng(page, 'risk-floor-1280x800.png');

        // The manager's page: the model's metrics on visits it never saw, and its weights.
        await page.getByRole('button', { name: 'Learning' }).click();
        const panel = page.getByTestId('risk-model');
        await panel.waitFor();
        assert.equal(await panel.getAttribute('data-status'), 'on');
        assert.equal(await page.getByTestId('risk-auc').innerText(), model.body.model.validation.auc.toFixed(2));
        assert.equal(await page.getByTestId('risk-weights').locator('tbody tr').count(), model.body.model.features.length);
        // A course fired into a crowded kitchen raises the risk (the load's square: a kitchen
        // slows faster the fuller it is).
        const crowded = page.getByTestId('risk-weights').locator('tr', { hasText: 'fired crowding' });
        assert.match(await crowded.innerText(), /\+\d+\.\d\d/, 'a crowded kitchen raises the risk');
        await panel.scrollIntoViewIfNeeded();
        await savedPng(page, 'risk-model-1280x800.png', { fullPage: true });
        await assertClean(page, probe);
      } finally {
        await context.close();
      }
    }));
});
