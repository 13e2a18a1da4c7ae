import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableMemory, memoryShortfall } from './memory-fit.js';

describe('memoryShortfall', () => {
  it('memoryShortfall() is zero when model plus context fit above the reserve, and the missing bytes otherwise', () => {
    assert.equal(memoryShortfall({ modelBytes: 600, contextBytes: 100 }, { availableBytes: 1000, reserveBytes: 300 }), 0);
    assert.equal(memoryShortfall({ modelBytes: 600, contextBytes: 101 }, { availableBytes: 1000, reserveBytes: 300 }), 1);
  });

  it('memoryShortfall() honours an admin limit lower than what is free', () => {
    assert.equal(memoryShortfall({ modelBytes: 600, contextBytes: 100 }, { availableBytes: 10_000, reserveBytes: 0, limitBytes: 650 }), 50);
  });

  it('availableMemory() reports a positive figure no larger than the machine has', () => {
    const free = availableMemory();
    assert.ok(free > 0 && Number.isFinite(free));
  });
});
