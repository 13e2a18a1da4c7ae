import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Response } from 'playwright-core';
import { REASON_TABLES } from '@keep/quarantine';
import { GOLDEN_ANSWER_SCRIPT, TOOL_CALL_SCRIPT, buildScriptedGguf } from './models/index.js';
import { pickle } from './corpus/models/pickle-bytes.js';
import { startLauncher } from './helpers/dev-launcher.js';
import { CHROMIUM, launchChromium } from './helpers/chromium.js';
import { REPO_ROOT } from './helpers/run-keepctl.js';

const ARTIFACTS = join(REPO_ROOT, 'artifacts', 'ui');
const ADMIN_PASS = 'a quiet harbour at dawn';
const USER_PASS = 'seven tall lighthouses';
/** A model that asks to write a file, which the shipped tool policy lets run only once a person approves. */
const WRITE_FILE_SCRIPT = ['<tool_call>', '\n{"name": "write_file", "arguments": {"path": "answer.txt", "content": "42"}}\n', '</tool_call>'];
const MEANING: Record<string, string> = Object.fromEntries(REASON_TABLES.flatMap((t) => Object.entries(t.reasons)));

/** Every response the browser saw, headers and body, for the token and CSP checks at the end. */
function recordResponses(page: Page, base: string): { seen: Promise<{ url: string; type: string; headers: Record<string, string>; body: string }>[]; requests: string[] } {
  const seen: Promise<{ url: string; type: string; headers: Record<string, string>; body: string }>[] = [];
  const requests: string[] = [];
  page.on('request', (request) => void requests.push(request.url()));
  page.on('response', (response: Response) => {
    if (!response.url().startsWith(base)) return;
    seen.push((async () => {
      const body = await response.text().catch(() => '');
      return { url: response.url(), type: response.request().resourceType(), headers: await response.allHeaders(), body };
    })());
  });
  return { seen, requests };
}

const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

test('the web UI in Chromium: setup, people, model import to chat, files, rejection reasons, audit verify, backoff, sign-out', { skip: !existsSync(CHROMIUM) && `${CHROMIUM} is not installed (scripts/install-test-deps.sh)` }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  rmSync(join(ARTIFACTS, 'failure.png'), { force: true });
  const dev = await startLauncher((stateDir) => {
    mkdirSync(join(stateDir, 'config', 'policy'), { recursive: true });
    // The behaviour stage has its own tests; here it would only add seconds to each of three scans.
    writeFileSync(join(stateDir, 'config', 'policy', 'quarantine.yaml'), 'promotion:\n  mode: auto\nbehaviour:\n  enabled: false\n');
    // A first wait long enough that the retry below surely falls inside it on a loaded machine.
    writeFileSync(join(stateDir, 'config', 'ui.yaml'), 'backoffBaseMs: 4000\n');
  });
  const browser = await launchChromium();
  const started = Date.now();
  let page: Page | undefined;
  try {
    const code = /setup code: ([0-9A-Z]{5}(?:-[0-9A-Z]{5}){3})/.exec(dev.output())?.[1];
    assert.ok(code, 'the launcher printed a setup code');
    const base = `http://${(dev.endpoints['keep-ui'] as string).replace(/^tcp:/, '')}`;
    page = await browser.context.newPage();
    const { seen, requests } = recordResponses(page, base);

    // First-run setup creates the admin.
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Welcome to Keep' }).waitFor();
    await shot(page, 'setup');
    await page.getByLabel('Setup code').fill(code.toLowerCase());
    await page.getByLabel('Admin name').fill('owner');
    await page.getByLabel('Passphrase').fill(ADMIN_PASS);
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.getByText('No model is ready to chat yet').waitFor();
    await shot(page, 'chat-empty');

    // An admin adds a user.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Name', { exact: true }).fill('ada');
    await page.locator('#new-passphrase').fill(USER_PASS);
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.getByRole('cell', { name: 'ada', exact: true }).waitFor();
    await shot(page, 'settings');

    // A scripted model through upload, live scan and automatic promotion; a pickle rejected with its reason.
    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByText('No model has been promoted yet').waitFor();
    await page.getByLabel('Import a model file').setInputFiles({ name: 'golden.gguf', mimeType: 'application/octet-stream', buffer: Buffer.from(buildScriptedGguf({ script: GOLDEN_ANSWER_SCRIPT })) });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const live = page.getByTestId('live-job');
    await live.getByTestId('job-state').getByText('promoted').waitFor({ timeout: 30_000 });
    assert.match(await live.getByRole('list', { name: 'Scan stages' }).innerText(), /static: passed/);
    await page.getByTestId('models').getByRole('cell', { name: 'golden', exact: true }).waitFor();
    for (const [file, script] of [['reader.gguf', TOOL_CALL_SCRIPT], ['writer.gguf', WRITE_FILE_SCRIPT]] as const) {
      await page.getByLabel('Import a model file').setInputFiles({ name: file, mimeType: 'application/octet-stream', buffer: Buffer.from(buildScriptedGguf({ script })) });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await live.getByText(file).waitFor();
      await live.getByTestId('job-state').getByText('promoted').waitFor({ timeout: 60_000 });
    }
    await page.getByLabel('Import a model file').setInputFiles({ name: 'evil.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(pickle(2, 'os-system')) });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await live.getByTestId('job-state').getByText('rejected').waitFor({ timeout: 60_000 });
    const reasons = await live.getByTestId('reasons').innerText();
    assert.match(reasons, /pickle\.detected/);
    assert.ok(reasons.includes(MEANING['pickle.detected'] as string), `the plain-words meaning is shown: ${reasons}`);
    await shot(page, 'models');

    // A streamed chat answer, after timing how soon a fresh chat page takes a question.
    await page.goto('about:blank');
    await page.goto(`${base}/#/chat`);
    await page.locator('body[data-chat-ready]').waitFor();
    const readyMs = Number(await page.locator('body').getAttribute('data-chat-ready'));
    console.log(`chat page interactive after ${readyMs} ms (navigation start to models and history loaded)`);
    await page.getByLabel('Model').selectOption('golden');
    await page.getByRole('textbox', { name: 'Message' }).fill('What is the answer?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const answer = page.locator('li[data-role="assistant"] .bubble').last();
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor({ timeout: 120_000 });
    assert.equal(await answer.innerText(), GOLDEN_ANSWER_SCRIPT.join(''));
    await page.getByRole('button', { name: 'What is the answer?', exact: true }).waitFor();
    await shot(page, 'chat');

    // A file into the workspace.
    await page.getByRole('link', { name: 'Files' }).click();
    await page.getByText('Your workspace is empty').waitFor();
    await page.getByLabel('Add a file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('The answer is in the notes.\n') });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('cell', { name: 'notes.txt', exact: true }).waitFor();
    assert.equal(readFileSync(join(dev.stateDir, 'vault', 'workspaces', 'owner', 'notes.txt'), 'utf8'), 'The answer is in the notes.\n');
    await shot(page, 'files');

    // A tool call reads that file: the firewall's decision shows inline, then the file's text.
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('button', { name: 'New chat', exact: true }).click();
    await page.getByLabel('Model').selectOption('reader');
    await page.getByRole('textbox', { name: 'Message' }).fill('What do my notes say?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const firstCall = page.getByTestId('tool-call').first();
    await firstCall.getByTestId('tool-decision').getByText('allowed').waitFor({ timeout: 60_000 });
    assert.match(await firstCall.innerText(), /read_file[\s\S]*notes\.txt/);
    assert.equal(await firstCall.getByTestId('tool-result').textContent(), 'The answer is in the notes.\n');
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor({ timeout: 60_000 });

    // A write waits for approval bound to its exact arguments, and runs once granted; stop ends the turn.
    await page.getByRole('button', { name: 'New chat', exact: true }).click();
    await page.getByLabel('Model').selectOption('writer');
    await page.getByRole('textbox', { name: 'Message' }).fill('Save the answer to a file');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const writeCall = page.getByTestId('tool-call').first();
    await writeCall.getByRole('button', { name: 'Approve', exact: true }).waitFor({ timeout: 60_000 });
    assert.deepEqual(JSON.parse(await writeCall.getByTestId('approval-args').textContent() ?? ''), { path: 'answer.txt', content: '42' });
    assert.equal(existsSync(join(dev.stateDir, 'vault', 'workspaces', 'owner', 'answer.txt')), false, 'nothing runs before the grant');
    await shot(page, 'chat-approval');
    await writeCall.getByRole('button', { name: 'Approve', exact: true }).click();
    await writeCall.getByTestId('tool-decision').getByText('allowed').waitFor({ timeout: 30_000 });
    await writeCall.getByTestId('tool-result').waitFor({ state: 'attached' });
    assert.equal(readFileSync(join(dev.stateDir, 'vault', 'workspaces', 'owner', 'answer.txt'), 'utf8'), '42');
    // The scripted model asks again; this time the person stops the turn instead of answering.
    await page.getByTestId('tool-call').nth(1).getByRole('button', { name: 'Approve', exact: true }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor();
    await page.getByText('stopped', { exact: true }).waitFor();
    assert.equal(readdirSync(join(dev.stateDir, 'vault', 'chats', 'owner')).filter((f) => f.endsWith('.json')).length, 3, 'three conversations kept');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete all history', exact: true }).click();
    await page.getByText('Your conversations are kept here').waitFor();
    assert.deepEqual(readdirSync(join(dev.stateDir, 'vault', 'chats', 'owner')).filter((f) => f.endsWith('.json')), [], 'history deleted');

    // The dashboard verifies the audit chain.
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    assert.match(await page.getByTestId('verify-result').innerText(), /^Intact: all \d+ events check out\.$/);
    await page.getByRole('cell', { name: 'ui.signin' }).first().waitFor().catch(() => undefined);
    await page.getByLabel('Search').fill('ui.user_add');
    await page.getByRole('cell', { name: /ui\.user_add/ }).waitFor();
    await page.getByLabel('Search').fill('');
    await page.getByRole('cell', { name: 'ui.audit_verify', exact: true }).first().waitFor();
    await shot(page, 'security');

    // The airlock: off by default; an admin switches it on (the models page then offers a pull) and off again.
    if (existsSync(join(REPO_ROOT, 'services/airlock/dist/main.js'))) {
      const airlock = page.getByTestId('airlock');
      await airlock.getByText('Nothing leaves the box.').waitFor();
      page.once('dialog', (dialog) => void dialog.accept());
      await airlock.getByRole('button', { name: 'Turn the airlock on', exact: true }).click();
      await airlock.getByRole('button', { name: 'Turn the airlock off', exact: true }).waitFor();
      await page.getByRole('link', { name: 'Models' }).click();
      await page.getByLabel('Pull through the airlock (https URL)').waitFor();
      await page.getByRole('link', { name: 'Security' }).click();
      await page.getByTestId('airlock').getByRole('button', { name: 'Turn the airlock off', exact: true }).click();
      await page.getByTestId('airlock').getByText('Nothing leaves the box.').waitFor();
    }

    // Sign out; a wrong passphrase backs off with a wait shown; the right one then works.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Keep' }).waitFor();
    await page.getByLabel('Name').fill('ada');
    await page.getByLabel('Passphrase').fill('not her passphrase at all');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('Wrong name or passphrase').waitFor();
    const wait = Number(/Wait (\d+) s/.exec(await page.getByTestId('retry-after').innerText())?.[1]);
    assert.ok(wait >= 1 && wait <= 4, `Retry-After ${wait} s is within the first 4 s wait`);
    await page.getByLabel('Passphrase').fill(USER_PASS);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('Too many failed attempts').waitFor();
    await shot(page, 'sign-in-backoff');
    await page.waitForTimeout(wait * 1000 + 100);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('ada (user)').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Import', exact: true }).count(), 0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Keep' }).waitFor();

    // What the browser saw: the CSP on every response, no request elsewhere, no service token anywhere.
    const responses = await Promise.all(seen);
    assert.ok(responses.length > 20);
    for (const r of responses) assert.match(r.headers['content-security-policy'] ?? '', /default-src 'none'; ?script-src 'self'/, r.url);
    assert.ok(responses.some((r) => r.type === 'document'));
    assert.deepEqual(requests.filter((url) => !url.startsWith(`${base}/`)), [], 'no request to any other host');
    const credentials = join(dev.stateDir, 'credentials');
    const secrets = readdirSync(credentials).filter((f) => !f.endsWith('.sha256')).map((f) => readFileSync(join(credentials, f), 'utf8').trim());
    assert.ok(secrets.filter((s) => s.startsWith('keep_')).length >= 10);
    for (const r of responses) {
      const text = `${JSON.stringify(r.headers)}\n${r.body}`;
      for (const secret of secrets) assert.ok(!text.includes(secret) && !text.includes(secret.slice(5, 30)), `a credential leaked in ${r.url}`);
    }
    const cookies = await browser.context.cookies(base);
    for (const cookie of cookies) assert.deepEqual([cookie.httpOnly, cookie.sameSite], [true, 'Strict'], cookie.name);
    const uiErrors = dev.output().split('\n').filter((l) => l.includes('"service":"keep-ui"') && l.includes('"level":"error"'));
    assert.deepEqual(uiErrors, [], 'keep-ui logged no error along the way');
    console.log(`browser flow: ${responses.length} responses checked, ${Math.round((Date.now() - started) / 1000)} s`);
  } catch (error) {
    // What the page showed when a step failed, for the CI log and artifacts/ui/failure.png.
    if (page) {
      await shot(page, 'failure').catch(() => undefined);
      console.log(`page at failure (${page.url()}):\n${await page.locator('body').innerText().catch(() => '')}`);
    }
    console.log(dev.output().split('\n').filter((l) => /"level":"(warn|error)"|keep-dev/.test(l)).slice(-30).join('\n'));
    throw error;
  } finally {
    await browser.close();
    await dev.stop('SIGINT');
  }
  rmSync(dev.stateDir, { recursive: true, force: true });
});
