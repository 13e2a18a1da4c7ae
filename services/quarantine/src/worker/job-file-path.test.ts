import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobFilePathProblem } from './job-file-path.js';

const JOBS = '/var/lib/keep/quarantine/jobs';

test('a file in a job dir, or in its bundle dir, may be opened', () => {
  assert.equal(jobFilePathProblem(`${JOBS}/00abc-1f2e/model.gguf`, JOBS), null);
  assert.equal(jobFilePathProblem(`${JOBS}/00abc-1f2e/bundle/model.safetensors`, JOBS), null);
  assert.equal(jobFilePathProblem(`${JOBS}/00abc-1f2e/model.gguf`, `${JOBS}/`), null);
});

test('every path that is not plainly below the jobs dir is refused with what is wrong', () => {
  const cases: Array<[string, RegExp]> = [
    [`${JOBS}/../../../../etc/keep/credstore/mac.audit`, /"\.\." segment/],
    [`${JOBS}/job/../../keep.db`, /"\.\." segment/],
    [`${JOBS}/job/./model.gguf`, /"\." segment/],
    [`${JOBS}//job/model.gguf`, /empty/],
    [`${JOBS}/job/model.gguf/`, /empty/],
    ['job/model.gguf', /not absolute/],
    ['/var/lib/keep/keep.db', /not below/],
    [`${JOBS}-other/job/model.gguf`, /not below/],
    [`${JOBS}`, /not below/],
    [`${JOBS}/model.gguf`, /inside a job dir/],
    [`${JOBS}/a/b/c/d/model.gguf`, /too deep/],
    [`${JOBS}/job/model\u0000.gguf`, /control character/],
    [`${JOBS}/job/model\n.gguf`, /control character/],
    [`${JOBS}/job/${'a'.repeat(5000)}`, /too long/],
  ];
  for (const [path, problem] of cases) assert.match(jobFilePathProblem(path, JOBS) ?? 'null', problem, JSON.stringify(path.slice(0, 80)));
});
