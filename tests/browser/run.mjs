// Real-browser tests of the TaskForge web interface, in Debian's chromium through
// playwright-core (ADR 0019). Started by tests/tests/e2e_browser.rs against a real server:
//
//   node tests/browser/run.mjs BASE_URL SCREENSHOT_DIR
//
// Every page visited is scanned by axe-core (zero serious or critical violations), watched
// for dialogs and page errors (an XSS payload that ran would raise one), and must not scroll
// sideways at 375 px. The run stops at the first failure with a message naming the step.
// The board is also watched updating live when another member adds a task.
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error('usage: node run.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const PASSWORD = 'correct horse battery';
const XSS_NAME = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">{{ 7*7 }}';
const XSS_TITLE = '"><svg onload="window.__xss=3"><script>alert(4)</script>';
const XSS_DESC = 'javascript:window.__xss=5';

let step = 'start';
const fail = (message) => { throw new Error(`${step}: ${message}`); };
const expect = (condition, message) => { if (!condition) fail(message); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // Without these, Chromium tries the network for updates, sync and QUIC probes and can hang
  // on a closed network; playwright gives each launch a fresh profile directory.
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const problems = [];
async function newPage(context) {
  const page = await context.newPage();
  page.on('dialog', async (d) => { problems.push(`dialog opened: ${d.message()}`); await d.dismiss(); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A CSP report of a blocked inline handler is a console error: the defence working, but
    // it also means a payload reached the DOM as markup, which must not happen.
    // Pages answered with an expected error status (a refused form, a conflict) are logged
    // as failed loads; a 404 or 500 is not expected anywhere.
    const expected = /status of (401|403|409|422)\b/.test(m.text());
    if (m.type() === 'error' && !expected) problems.push(`console error: ${m.text()}`);
  });
  return page;
}

async function checkPage(page, name) {
  expect(problems.length === 0, `${name}: ${problems.join('; ')}`);
  const xss = await page.evaluate(() => window.__xss);
  expect(xss === undefined, `${name}: an injected script ran (window.__xss=${xss})`);
  expect(await page.locator('h1').count() === 1, `${name}: exactly one h1`);
  expect(await page.locator('main').count() === 1, `${name}: a main landmark`);
  // axe-core is evaluated through the DevTools protocol: the page CSP (rightly) forbids
  // adding it as a script.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.length === 0, `${name}: axe: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('; ')}`);
}

async function shoot(page, name) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    if (width === 375) {
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(wide <= 375, `${name}: scrolls sideways at 375 px (${wide} px wide)`);
    }
    await page.screenshot({ path: `${shots}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function submit(page, buttonName) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: buttonName }).click()]);
}

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await newPage(context);

  step = 'anonymous start page';
  await page.goto(`${base}/`);
  expect(new URL(page.url()).pathname === '/login', `went to ${page.url()}`);
  await checkPage(page, 'login');
  await shoot(page, 'login');

  step = 'register';
  await page.getByRole('link', { name: 'Register' }).click();
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
  await checkPage(page, 'register');
  await submit(page, 'Create account');
  expect(page.url().includes('/login?registered=1'), `went to ${page.url()}: ${await page.locator('.field-error').allTextContents()} ${await page.locator('h1').textContent()} ${await page.locator('main').textContent()}`);

  step = 'log in';
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill(PASSWORD);
  await submit(page, 'Log in');
  expect(new URL(page.url()).pathname === '/projects', `went to ${page.url()}`);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'taskforge_session');
  expect(session && session.httpOnly && session.sameSite === 'Lax', `session cookie ${JSON.stringify(session)}`);
  await checkPage(page, 'projects');

  step = 'create project (XSS name)';
  await page.getByLabel('Name').fill(XSS_NAME);
  await submit(page, 'Create project');
  expect(await page.locator('h1').textContent() === XSS_NAME, 'the name is shown as text');
  const projectUrl = page.url();
  await checkPage(page, 'project');

  step = 'create tasks';
  for (const title of [XSS_TITLE, 'Write the plan', 'Ship it']) {
    await page.locator('#title').fill(title);
    if (title === XSS_TITLE) {
      await page.locator('#description').fill(XSS_DESC);
      await page.locator('#labels').fill('web, <b>bold</b>'.replace('<b>bold</b>', 'ui'));
    }
    await submit(page, 'Create task');
  }
  expect(await page.getByRole('link', { name: XSS_TITLE }).count() === 1, 'the XSS title is a plain link text');
  await checkPage(page, 'project with tasks');
  await shoot(page, 'project-list');

  step = 'filter';
  await page.getByLabel('Search').fill('plan');
  await submit(page, 'Filter');
  expect(await page.locator('tbody tr').count() === 1, 'one task matches "plan"');
  await page.goto(projectUrl);

  step = 'edit';
  await page.getByRole('link', { name: 'Write the plan' }).click();
  const taskUrl = page.url();
  await checkPage(page, 'task');
  await page.locator('#title').fill('Write the plan, v2');
  // With htmx the edit form swaps the page's <main> in place (no navigation to wait for).
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('h1', { hasText: 'Write the plan, v2' }).waitFor({ timeout: 10000 });

  step = 'conflict';
  const other = await newPage(context);
  await other.goto(taskUrl);
  await page.locator('#title').fill('Edited first');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('h1', { hasText: 'Edited first' }).waitFor({ timeout: 10000 });
  await other.locator('#title').fill('Edited second, on a stale form');
  await other.getByRole('button', { name: 'Save' }).click();
  await other.locator('#conflict').waitFor({ timeout: 10000 });
  expect(await other.locator('#title').inputValue() === 'Edited first', 'the form shows the current values');
  await checkPage(other, 'conflict');
  await shoot(other, 'task-conflict');
  await other.close();
  await page.reload();
  expect(await page.locator('h1').textContent() === 'Edited first', 'nothing was overwritten');

  step = 'subtask';
  await page.getByLabel('New subtask').fill('A subtask');
  await submit(page, 'Add subtask');
  expect(await page.getByRole('link', { name: 'A subtask' }).count() === 1, 'the subtask is listed');
  await shoot(page, 'task');

  step = 'board move by keyboard';
  await page.goto(`${projectUrl}?view=board`);
  await checkPage(page, 'board');
  const card = page.locator('li', { has: page.getByRole('link', { name: 'Ship it' }) });
  const select = card.locator('select');
  await select.focus();
  // Keyboard only: choose "Done" in the select, Tab to its button, Enter.
  await page.keyboard.press('End');
  expect(await select.inputValue() === 'done', `the select says ${await select.inputValue()}`);
  await page.keyboard.press('Tab');
  // htmx swaps the board in place: a marker set now survives only if the page is not reloaded.
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.keyboard.press('Enter');
  const done = page.locator('section', { has: page.locator('#col-done') });
  await done.getByRole('link', { name: 'Ship it' }).waitFor({ timeout: 10000 });
  expect(await page.evaluate(() => window.__sameDocument) === true, 'the move reloaded the whole page');
  await shoot(page, 'project-board');

  step = 'add member';
  const bobContext = await browser.newContext();
  const bob = await newPage(bobContext);
  await bob.goto(`${base}/register`);
  await bob.getByLabel('Username').fill('bob');
  await bob.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
  await submit(bob, 'Create account');
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'Members' }).click();
  await page.getByLabel('Username').fill('bob');
  await submit(page, 'Add member');
  expect(await page.getByText('bob', { exact: true }).count() >= 1 || (await page.content()).includes('bob'), 'bob is a member');
  await checkPage(page, 'members');

  step = 'live board';
  // Another member's change appears on an open board without a reload (the board's event
  // stream over the session, crates/web/src/routes/live.rs).
  await page.goto(`${projectUrl}?view=board`);
  await page.evaluate(() => { window.__sameDocument = true; });
  await bob.goto(`${base}/login`);
  await bob.getByLabel('Username').fill('bob');
  await bob.getByLabel('Password').fill(PASSWORD);
  await submit(bob, 'Log in');
  await bob.goto(projectUrl);
  const bobCsrf = await bob.locator('input[name=csrf_token]').first().inputValue();
  const made = await bob.request.post(`${projectUrl}/tasks`, {
    form: { csrf_token: bobCsrf, title: 'Made by bob' }, maxRedirects: 0,
  });
  const madeAt = made.headers().location || '';
  expect(made.status() === 303 && madeAt.includes('#task-'), `bob's task answered ${made.status()} ${madeAt}`);
  await page.getByRole('link', { name: 'Made by bob' }).waitFor({ timeout: 5000 });
  expect(await page.evaluate(() => window.__sameDocument) === true, 'the board was reloaded, not updated');
  await checkPage(page, 'live board');

  step = 'export';
  await page.goto(projectUrl);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'CSV' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv.includes('Edited first') && csv.includes('Ship it'), `the CSV holds the tasks: ${csv.slice(0, 200)}`);
  for (const [name, check] of [['XML', (t) => t.startsWith('<?xml') && t.includes('Ship it')],
    ['JSON', (t) => JSON.parse(t).length >= 4]]) {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name }).click(),
    ]);
    const text = readFileSync(await file.path(), 'utf8');
    expect(check(text), `the ${name} export: ${text.slice(0, 200)}`);
  }

  step = 'CSRF refused';
  const taskId = taskUrl.split('/').pop();
  const forged = await page.request.post(`${base}/tasks/${taskId}`, {
    form: { version: '1', title: 'Forged' }, maxRedirects: 0,
  });
  expect(forged.status() === 403, `a post without the token answered ${forged.status()}`);
  const token = await page.locator('input[name=csrf_token]').first().inputValue();
  const crossSite = await page.request.post(`${base}/tasks/${taskId}`, {
    form: { csrf_token: token, version: '99', title: 'Forged' },
    headers: { Origin: 'https://evil.example' }, maxRedirects: 0,
  });
  expect(crossSite.status() === 403, `a cross-site post answered ${crossSite.status()}`);
  await page.goto(taskUrl);
  expect(await page.locator('h1').textContent() === 'Edited first', 'the refused posts changed nothing');

  step = 'delete';
  await submit(page, 'Delete this task and its subtasks');
  expect(await page.getByRole('link', { name: 'Edited first' }).count() === 0, 'the task is gone');

  step = 'page';
  const csrf = await page.locator('input[name=csrf_token]').first().inputValue();
  for (let i = 0; i < 50; i += 1) {
    const created = await page.request.post(`${projectUrl}/tasks`, {
      form: { csrf_token: csrf, title: `Filler ${String(i).padStart(2, '0')}` }, maxRedirects: 0,
    });
    expect(created.status() === 303, `creating filler ${i} answered ${created.status()}`);
  }
  await page.goto(projectUrl);
  expect(await page.locator('tbody tr').count() === 50, 'page 1 holds 50 tasks');
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Next page' }).click()]);
  expect(await page.locator('tbody tr').count() >= 1, 'page 2 holds the rest');
  expect(new URL(page.url()).searchParams.get('cursor'), 'page 2 is addressed by a cursor');
  await checkPage(page, 'page 2');

  step = 'reports';
  await page.getByRole('link', { name: 'Reports' }).click();
  expect(await page.locator('svg title').count() === 4, 'four charts with a title');
  await checkPage(page, 'reports');
  await shoot(page, 'reports');

  step = 'log out';
  await submit(page, 'Log out');
  expect(page.url().includes('/login'), `went to ${page.url()}`);
  await page.goto(projectUrl);
  expect(new URL(page.url()).pathname === '/login', 'the session is over');

  step = 'no problems';
  expect(problems.length === 0, problems.join('; '));
  console.log('browser tests: all steps passed');
} catch (e) {
  console.error(e.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
