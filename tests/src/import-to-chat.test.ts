import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callService } from '@keep/core';
import { GOLDEN_ANSWER_SCRIPT, TOOL_CALL_SCRIPT, buildScriptedGguf } from './models/index.js';
import { startLauncher, type RunningLauncher } from './helpers/dev-launcher.js';
import { runKeepctl } from './helpers/run-keepctl.js';

interface JobView { id: string; state: string; fileName: string; reasons: { code: string }[]; stages: { stage: string; status: string }[]; evidence: { promotion?: { ok: boolean } } }

const token = (dev: RunningLauncher, name: string): string => readFileSync(join(dev.stateDir, 'credentials', name), 'utf8').trim();
const http = (dev: RunningLauncher, service: string): string => `http://${(dev.endpoints[service] as string).replace(/^tcp:/, '')}`;

async function waitForJob(dev: RunningLauncher, fileName: string, state: string): Promise<JobView> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const reply = await callService(dev.endpoints['keep-quarantine'] as string, { path: '/v1/jobs', token: token(dev, 'token.quarantine-submit') });
    const job = (reply.body as { jobs: JobView[] }).jobs.find((j) => j.fileName === fileName);
    if (job?.state === state) return job;
    if (job && ['rejected', 'failed'].includes(job.state)) throw new Error(`${fileName} ended ${job.state}: ${JSON.stringify(job.reasons)}`);
    if (Date.now() > deadline) throw new Error(`${fileName} never reached ${state}: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const READ_FILE = { type: 'function', function: { name: 'read_file', description: 'Read a file from the workspace', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } };

async function chat(dev: RunningLauncher, model: string, stream: boolean, extra: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${http(dev, 'keep-inference')}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token(dev, 'token.inference-chat')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, temperature: 0, max_tokens: 32, messages: [{ role: 'user', content: 'What is the answer?' }], ...extra }),
  });
}

test('a scripted model goes inbox → scan → promotion → chat, and every step is in the audit chain', async () => {
  const dev = await startLauncher((stateDir) => {
    mkdirSync(join(stateDir, 'config', 'policy'), { recursive: true });
    writeFileSync(join(stateDir, 'config', 'policy', 'quarantine.yaml'), 'promotion:\n  mode: auto\n');
  });
  try {
    for (const [name, script] of [['golden.gguf', GOLDEN_ANSWER_SCRIPT], ['tools.gguf', TOOL_CALL_SCRIPT]] as const) {
      const partial = join(dev.stateDir, 'quarantine', 'inbox', '.partial', name);
      writeFileSync(partial, buildScriptedGguf({ script }));
      renameSync(partial, join(dev.stateDir, 'quarantine', 'inbox', name));
    }
    const golden = await waitForJob(dev, 'golden.gguf', 'promoted');
    await waitForJob(dev, 'tools.gguf', 'promoted');
    assert.equal(golden.evidence.promotion?.ok, true);

    const listed = await callService(dev.endpoints['keep-registry'] as string, { path: '/v1/models', token: token(dev, 'token.registry-read') });
    assert.deepEqual((listed.body as { models: { name: string }[] }).models.map((m) => m.name).sort(), ['golden', 'tools']);

    const plain = await chat(dev, 'golden', false);
    assert.equal(plain.status, 200);
    const answer = await plain.json() as { choices: { message: { content: string } }[] };
    assert.equal(answer.choices[0]?.message.content, GOLDEN_ANSWER_SCRIPT.join(''));

    const streamed = await chat(dev, 'golden', true);
    const text = (await streamed.text()).split('\n').filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
      .map((l) => (JSON.parse(l.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '').join('');
    assert.equal(text, GOLDEN_ANSWER_SCRIPT.join(''));

    const tools = await (await chat(dev, 'tools', false, { tools: [READ_FILE] })).json() as { choices: { finish_reason: string; message: { tool_calls?: { function: { name: string; arguments: string } }[] } }[] };
    assert.equal(tools.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(tools.choices[0]?.message.tool_calls?.[0]?.function.name, 'read_file');
    assert.deepEqual(JSON.parse(tools.choices[0]?.message.tool_calls?.[0]?.function.arguments ?? '{}'), { path: 'notes.txt' });
  } finally {
    await dev.stop('SIGINT');
  }
  const verify = runKeepctl(['audit', 'verify', '--json', '--state', dev.stateDir]);
  assert.equal(verify.status, 0, verify.stdout);
  const tail = runKeepctl(['audit', 'tail', '--json', '-n', '200', '--state', dev.stateDir]);
  const actions = new Set((tail.json as { events: { action: string }[] }).events.map((e) => e.action));
  for (const step of ['quarantine.job_received', 'quarantine.job_passed', 'quarantine.job_promoted', 'registry.promoted', 'inference.model_loaded', 'inference.completion']) {
    assert.ok(actions.has(step), `the chain holds ${step}`);
  }
  rmSync(dev.stateDir, { recursive: true, force: true });
});
