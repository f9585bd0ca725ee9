// Browser tests of the tablet UI against the real mendd: sign-in, a late table becoming a case
// live, a manager's approval reaching the retained MQTT case topic, a staff user refused a
// manager's action, the live link surviving a mendd restart, screenshots at tablet and phone
// size, and touch targets of at least 44x44 CSS px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Mendd, Mosquitto, launchChromium, makeTempDir, paths, tail, waitFor } from './harness.mjs';

const kVenue = 'browser-venue';
const kManager = { name: 'Morgan', pin: '482913' };
const kStaff = { name: 'Sam', pin: '715264' };
const kAdmin = { name: 'Alex', pin: '640271' };
const kTablet = { width: 1280, height: 800 };
const kPhone = { width: 390, height: 844 };
// The live feed must bring a seated table and its case within this, without a reload.
const kLiveMs = 15000;
const kScreenshots = ['floor-1280x800.png', 'case-sheet-1280x800.png', 'floor-390x844.png', 'case-sheet-390x844.png'];

let dir;
let broker;
let mendd;
let browser;
let seq = 0;

before(async () => {
  dir = makeTempDir();
  mkdirSync(paths.screenshots, { recursive: true });
  // A stale screenshot from an earlier run must not pass for this run's.
  for (const name of kScreenshots) rmSync(join(paths.screenshots, name), { force: true });
  broker = new Mosquitto(dir);
  await broker.start();
  mendd = new Mendd(dir, broker.port, { venue: kVenue, detect: 'table_no_order = "3s"' });
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
    e.message += `\n--- mendd.log (tail) ---\n${tail(mendd.log)}\n--- mosquitto.log (tail) ---\n${tail(dir.file('mosquitto.log'), 10)}`;
    throw e;
  }
}

async function publishSeated(table, party) {
  seq += 1;
  await broker.publish(
    `venue/${kVenue}/booking/guest.seated`,
    JSON.stringify({ id: `browser-seat-${seq}-${Date.now()}`, table, party }),
  );
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
  const probe = { errors: [], navigations: 0 };
  page.on('pageerror', (e) => probe.errors.push(String(e)));
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) probe.navigations += 1;
  });
  return { context, page, probe };
}

async function signIn(page, who) {
  const res = await page.goto(mendd.base + '/');
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

async function screenshot(page, name) {
  const path = join(paths.screenshots, name);
  await page.screenshot({ path, fullPage: false });
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
        // ...its timer turns late after table_no_order (3 s), with a word as well as a colour...
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

        // Approve with a reason: the API requires one, so the UI does too.
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

  test('a staff user is offered no decision, and the API refuses one with 403', { timeout: 90000 }, () =>
    guard(async () => {
      const { context, page, probe } = await openPage(kTablet);
      try {
        await signIn(page, kStaff);
        await publishSeated('T9', 2);
        await caseRow(page, 'T9').waitFor({ timeout: kLiveMs });
        const caseId = await caseRow(page, 'T9').getAttribute('data-case-id');
        await caseRow(page, 'T9').click();
        const sheet = page.getByRole('dialog');
        await sheet.locator('[data-testid=case-status][data-status=open]').waitFor();
        for (const name of ['Approve', 'Edit', 'Reject']) {
          assert.equal(await sheet.getByRole('button', { name, exact: true }).count(), 0, `staff see no ${name}`);
        }
        for (const name of ['Acknowledge', 'Mark actioned', 'Resolve']) {
          assert.equal(await sheet.getByRole('button', { name, exact: true }).count(), 1, `staff see ${name}`);
        }
        // What staff may do works from the sheet.
        await sheet.getByRole('button', { name: 'Acknowledge', exact: true }).click();
        await sheet.locator('[data-testid=case-status][data-status=acknowledged]').waitFor({ timeout: kLiveMs });

        // And what they may not is refused by the server, not only hidden.
        const answer = await page.evaluate(async (id) => {
          const s = await (await fetch('/api/v1/session', { credentials: 'same-origin' })).json();
          const r = await fetch(`/api/v1/cases/${encodeURIComponent(id)}/decide`, {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
            body: JSON.stringify({ decision: 'approve', reason: 'staff trying a manager action' }),
          });
          return { status: r.status, body: await r.json().catch(() => null) };
        }, caseId);
        assert.equal(answer.status, 403);
        assert.equal(answer.body?.error?.code, 'forbidden');
        await assertClean(page, probe);
      } finally {
        await context.close();
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
