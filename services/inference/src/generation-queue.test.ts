import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKeepError } from '@keep/core';
import { GenerationQueue } from './generation-queue.js';

const never = new AbortController().signal;

describe('GenerationQueue', () => {
  it('GenerationQueue.run() runs one task at a time, in order, and refuses past the limit with inference.busy', async () => {
    const queue = new GenerationQueue(1, 7);
    const order: string[] = [];
    let release!: () => void;
    const first = queue.run(never, () => new Promise<void>((resolve) => { order.push('a'); release = resolve; }));
    const second = queue.run(never, async () => { order.push('b'); });
    await assert.rejects(queue.run(never, async () => { order.push('c'); }), (error) => isKeepError(error) && error.code === 'inference.busy' && error.extra?.['retryAfterSeconds'] === 7);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, ['a']);
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(queue.idle, true);
  });

  it('GenerationQueue.run() drops a waiter whose signal aborts, and the next one still runs', async () => {
    const queue = new GenerationQueue(2, 1);
    let release!: () => void;
    const first = queue.run(never, () => new Promise<void>((resolve) => { release = resolve; }));
    const controller = new AbortController();
    const dropped = queue.run(controller.signal, async () => 'ran');
    const kept = queue.run(never, async () => 'kept');
    controller.abort(new Error('gone'));
    await assert.rejects(dropped, /gone/);
    assert.equal(queue.depth, 2);
    release();
    await first;
    assert.equal(await kept, 'kept');
  });
});
