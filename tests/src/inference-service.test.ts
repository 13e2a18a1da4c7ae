/**
 * keep-inference end to end: a real child process on a loopback port, real
 * node-llama-cpp on scripted GGUFs, catalog rows in a real store, and the
 * official `openai` client as one of the callers.
 */
import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { readAuditRows, type AuditRowView } from '@keep/core';
import { buildScriptedGguf, CANARY_SCRIPT, GOLDEN_ANSWER_SCRIPT, TOOL_CALL_SCRIPT } from './models/index.js';
import { addCatalogModel, createInferenceState, startInference, withStore, type InferenceState, type RunningInference } from './inference-fixture.js';

/** A script long enough (1000 tokens) that a generation is still running when its client leaves. */
const LONG_SCRIPT = Array.from({ length: 1000 }, (_, i) => ` w${i}`);
const READ_FILE = { type: 'function' as const, function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } };

interface Problem { code: string; status: number }

describe('keep-inference serves registry models through the OpenAI API', { concurrency: false }, () => {
  let state: InferenceState;
  let service: RunningInference;
  const shas: Record<string, string> = {};

  before(async () => {
    state = createInferenceState({ threads: 1, contextSize: 2048, promptTokensCap: 1024, maxTokensCap: 1500, recheckIntervalMs: 200, queueLimit: 2 });
    shas['golden'] = addCatalogModel(state.stateDir, 'golden', { bytes: buildScriptedGguf({ script: GOLDEN_ANSWER_SCRIPT }) }).sha256;
    shas['tools'] = addCatalogModel(state.stateDir, 'tools', { bytes: buildScriptedGguf({ script: TOOL_CALL_SCRIPT }) }).sha256;
    shas['canary'] = addCatalogModel(state.stateDir, 'canary', { bytes: buildScriptedGguf({ script: CANARY_SCRIPT }) }).sha256;
    shas['long'] = addCatalogModel(state.stateDir, 'long', { bytes: buildScriptedGguf({ script: LONG_SCRIPT, embeddingLength: 1024 }) }).sha256;
    const tampered = addCatalogModel(state.stateDir, 'tampered', { bytes: buildScriptedGguf({ script: GOLDEN_ANSWER_SCRIPT, seed: 99 }) });
    shas['tampered'] = tampered.sha256;
    // Someone with write access to the store swaps the file after promotion.
    const swap = join(state.stateDir, 'models', 'swap');
    writeFileSync(swap, buildScriptedGguf({ script: CANARY_SCRIPT, seed: 99 }));
    renameSync(swap, tampered.file);
    service = await startInference(state);
  });
  after(async () => {
    assert.equal(await service.stop(), 0, service.output());
    rmSync(state.stateDir, { recursive: true, force: true });
  });

  const post = (body: unknown, init: { raw?: string; token?: string; signal?: AbortSignal } = {}): Promise<Response> => fetch(`${service.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${init.token ?? state.token}`, 'content-type': 'application/json' },
    body: init.raw ?? JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const ask = (model: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ model, messages: [{ role: 'user', content: 'Please answer.' }], temperature: 0, ...extra });
  const audit = (): AuditRowView[] => withStore(state.stateDir, (store) => readAuditRows(store, { limit: 1000 })).filter((row) => row.service === 'inference');
  const problem = async (response: Response): Promise<Problem> => {
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    return (await response.json()) as Problem;
  };
  const sseData = (text: string): string[] => text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));

  it('the golden-answer model answers its script, non-streaming, with usage, and one audit row without the text', async () => {
    const response = await post(ask('golden'));
    assert.equal(response.status, 200);
    const body = await response.json() as { object: string; model: string; choices: { message: { role: string; content: string }; finish_reason: string }[]; usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } };
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.model, 'golden');
    assert.deepEqual(body.choices.map((c) => [c.message.role, c.message.content, c.finish_reason]), [['assistant', GOLDEN_ANSWER_SCRIPT.join(''), 'stop']]);
    assert.ok(body.usage.prompt_tokens > 0);
    assert.equal(body.usage.completion_tokens, GOLDEN_ANSWER_SCRIPT.length + 1, 'the script and the end-of-turn token');
    const rows = audit();
    const loaded = rows.find((r) => r.action === 'inference.model_loaded');
    assert.equal(loaded?.target, `sha256:${shas['golden']}`);
    const completion = rows.filter((r) => r.action === 'inference.completion').at(-1);
    assert.equal(completion?.target, `sha256:${shas['golden']}`);
    assert.equal(completion?.decision, 'allow');
    assert.deepEqual(pick(completion?.details, ['promptTokens', 'completionTokens', 'finishReason']), { promptTokens: body.usage.prompt_tokens, completionTokens: body.usage.completion_tokens, finishReason: 'stop' });
    assert.ok(!JSON.stringify(rows).includes('answer is'), 'no output text in the audit chain');
  });

  it('the golden-answer model streams its script as chat.completion.chunk events ending in [DONE]', async () => {
    const response = await post(ask('sha256:' + shas['golden'], { stream: true, stream_options: { include_usage: true } }));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = sseData(await response.text());
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { object: string; choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: { completion_tokens: number } });
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
    const deltas = chunks.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? '')).filter((t) => t !== '');
    assert.deepEqual(deltas, [...GOLDEN_ANSWER_SCRIPT], 'one chunk per token');
    assert.deepEqual(chunks.flatMap((c) => c.choices.map((choice) => choice.finish_reason)).filter((f) => f !== null), ['stop']);
    assert.equal(chunks.at(-1)?.usage?.completion_tokens, GOLDEN_ANSWER_SCRIPT.length + 1);
  });

  it("the tool-call model's Hermes call comes back as tool_calls with finish_reason tool_calls, streamed or not", async () => {
    const response = await post(ask('tools', { tools: [READ_FILE] }));
    const body = await response.json() as { choices: { message: { content: string | null; tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[] }; finish_reason: string }[] };
    const choice = body.choices[0];
    assert.equal(choice?.finish_reason, 'tool_calls');
    assert.equal(choice?.message.content, null);
    assert.equal(choice?.message.tool_calls?.length, 1);
    assert.match(choice?.message.tool_calls?.[0]?.id ?? '', /^call_/);
    assert.deepEqual(choice?.message.tool_calls?.map((c) => [c.type, c.function.name, JSON.parse(c.function.arguments)]), [['function', 'read_file', { path: 'notes.txt' }]]);

    // Without the tool declared, the same text is the model's words, not a call.
    const plain = await (await post(ask('tools'))).json() as typeof body;
    assert.equal(plain.choices[0]?.finish_reason, 'stop');
    assert.equal(plain.choices[0]?.message.content, TOOL_CALL_SCRIPT.join(''));

    const streamed = sseData(await (await post(ask('tools', { tools: [READ_FILE], stream: true }))).text());
    const chunks = streamed.slice(0, -1).map((e) => JSON.parse(e) as { choices: { delta: { content?: string; tool_calls?: unknown[] }; finish_reason: string | null }[] });
    assert.deepEqual(chunks.flatMap((c) => c.choices.map((x) => x.delta.content ?? '')).join(''), '', 'no part of the call leaks as content');
    assert.equal(chunks.flatMap((c) => c.choices.flatMap((x) => x.delta.tool_calls ?? [])).length, 1);
    assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'tool_calls');
  });

  it('the official openai client lists the models, streams a completion and gets tool calls in its own types', async () => {
    const client = new OpenAI({ baseURL: `${service.baseUrl}/v1`, apiKey: state.token, maxRetries: 0 });
    const models = await client.models.list();
    assert.deepEqual(models.data.map((m) => m.id).sort(), ['canary', 'golden', 'long', 'tampered', 'tools']);
    const stream = await client.chat.completions.create({ model: 'golden', messages: [{ role: 'user', content: 'Hi' }], temperature: 0, stream: true });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(text, GOLDEN_ANSWER_SCRIPT.join(''));
    assert.equal(finish, 'stop');
    const completion = await client.chat.completions.create({ model: 'tools', messages: [{ role: 'user', content: 'Read my notes' }], tools: [READ_FILE], temperature: 0 });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
    assert.ok(call?.type === 'function');
    assert.equal(call.function.name, 'read_file');
    assert.deepEqual(JSON.parse(call.function.arguments), { path: 'notes.txt' });
    // The call's result goes back as a tool message, and the conversation continues.
    const followUp = await client.chat.completions.create({
      model: 'golden', temperature: 0, tools: [READ_FILE],
      messages: [{ role: 'user', content: 'Read my notes' }, completion.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'The notes.' }],
    });
    assert.equal(followUp.choices[0]?.message.content, GOLDEN_ANSWER_SCRIPT.join(''));
  });

  it('a model not in the catalog, a contained model and a file whose bytes no longer match are refused and audited', async () => {
    const unknown = await post(ask('not-promoted'));
    assert.equal(unknown.status, 404);
    const unknownProblem = await problem(unknown) as Problem & { error?: { code: string } };
    assert.equal(unknownProblem.code, 'inference.unknown_model');
    assert.equal(unknownProblem.error?.code, 'inference.unknown_model', 'the member OpenAI clients read');
    assert.equal((await problem(await post(ask(`sha256:${'0'.repeat(64)}`)))).code, 'inference.unknown_model');

    withStore(state.stateDir, (store) => store.prepare("UPDATE registry_models SET state = 'contained', contained_reason = 'test' WHERE name = 'canary'").run());
    const contained = await post(ask('canary'));
    assert.equal(contained.status, 409);
    assert.equal((await problem(contained)).code, 'inference.model_contained');

    const tampered = await post(ask('tampered'));
    assert.equal(tampered.status, 409);
    assert.equal((await problem(tampered)).code, 'inference.integrity_failed');
    const rows = audit();
    const integrity = rows.find((r) => r.action === 'inference.integrity_failed');
    assert.equal(integrity?.target, `sha256:${shas['tampered']}`);
    assert.equal(integrity?.decision, 'deny');
    assert.deepEqual(rows.filter((r) => r.action === 'inference.model_refused').map((r) => r.reason), ['inference.unknown_model', 'inference.unknown_model', 'inference.model_contained']);
    const models = await (await fetch(`${service.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${state.token}` } })).json() as { data: { id: string }[] };
    assert.ok(!models.data.some((m) => m.id === 'canary'), 'a contained model is not listed');
  });

  it('a loaded model the registry contains is unloaded by the periodic re-check', async () => {
    assert.equal((await post(ask('tools'))).status, 200);
    withStore(state.stateDir, (store) => store.prepare("UPDATE registry_models SET state = 'contained' WHERE name = 'tools'").run());
    const deadline = Date.now() + 5000;
    let unloaded: AuditRowView | undefined;
    while (!unloaded && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      unloaded = audit().find((r) => r.action === 'inference.model_unloaded' && r.target === `sha256:${shas['tools']}` && r.reason === 'registry.contained');
    }
    assert.ok(unloaded, 'model_unloaded with reason registry.contained');
    assert.equal((await problem(await post(ask('tools')))).code, 'inference.model_contained');
  });

  it('bad JSON, unknown fields, a missing token, an oversized prompt and too many tokens get problem+json codes', async () => {
    const cases: [Response, number, string][] = [
      [await post(null, { raw: '{"model": "golden", "messages": [' }), 400, 'http.invalid_body'],
      [await post(ask('golden', { logit_bias: {} })), 400, 'http.invalid_body'],
      [await post(ask('golden', { messages: [{ role: 'wizard', content: 'x' }] })), 400, 'http.invalid_body'],
      [await post(ask('golden'), { token: 'keep_wrong' }), 403, 'http.forbidden'],
      [await post(ask('golden', { max_tokens: 5000 })), 400, 'inference.max_tokens_too_large'],
      [await post(ask('golden', { messages: [{ role: 'user', content: 'word '.repeat(2000) }] })), 413, 'inference.prompt_too_long'],
      [await post(ask('golden', { max_tokens: 1500, messages: [{ role: 'user', content: 'word '.repeat(150) }] })), 413, 'inference.prompt_too_long'],
    ];
    for (const [response, status, code] of cases) {
      const body = await problem(response);
      assert.deepEqual([response.status, body.code], [status, code]);
    }
  });

  it('a client that disconnects mid-stream stops the generation and frees the context for the next request', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const response = await post(ask('long', { stream: true, max_tokens: 1000 }), { signal: controller.signal });
    const reader = response.body!.getReader();
    let seen = '';
    while ((seen.match(/"content":" w\d+"/g) ?? []).length < 3) seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const next = await post(ask('long', { max_tokens: 3 }));
    assert.equal(next.status, 200);
    const body = await next.json() as { choices: { message: { content: string }; finish_reason: string }[] };
    assert.deepEqual([body.choices[0]?.message.content, body.choices[0]?.finish_reason], ['w0 w1 w2', 'length'], 'the first piece loses its leading space, as SentencePiece detokenizes');
    const cancelled = audit().filter((r) => r.action === 'inference.completion' && r.reason === 'inference.cancelled');
    assert.equal(cancelled.length, 1);
    const tookMs = Date.now() - started;
    const fullMs = (cancelled[0]?.details as { durationMs: number }).durationMs;
    assert.ok(tookMs < 15_000, `the next request was served promptly (${tookMs} ms)`);
    assert.ok(fullMs < tookMs, 'the cancelled generation ended before the next one');
  });

  it('a full queue answers 503 inference.busy with Retry-After', async () => {
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const running = controllers.map((c) => post(ask('long', { max_tokens: 1000 }), { signal: c.signal }).catch(() => null));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const busy = await post(ask('long', { max_tokens: 1 }));
    assert.equal(busy.status, 503);
    assert.equal((await problem(busy)).code, 'inference.busy');
    assert.equal(busy.headers.get('retry-after'), '5');
    for (const c of controllers) c.abort();
    await Promise.all(running);
    // Everything was cancelled: the service answers at once again.
    assert.equal((await post(ask('golden'))).status, 200);
  });
});

function pick(value: unknown, keys: string[]): Record<string, unknown> {
  const record = value as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, record[k]]));
}
