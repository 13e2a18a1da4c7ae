import type { Stage, StageOutcome } from '../pipeline/stage.js';
import type { WorkerFileContext } from '../worker/worker-context.js';

/**
 * The YARA pass over the whole file, in overlapping windows so rules fire at any
 * offset of any size. A separate pass: pattern matching runs at a different speed
 * from hashing, and sharing a read would make the slower one set the pace of both.
 */
export const yaraStage: Stage<WorkerFileContext> = {
  name: 'yara',
  async run(context): Promise<StageOutcome> {
    const { yara } = context.job;
    if (!yara.enabled) return { reasons: [], skipped: 'YARA is turned off by policy' };
    // The engine is native code that takes a while to load: only when the policy wants it.
    const { DEFAULT_YARA_RULES, compileYaraRules, scanFileWithYara, yaraReasons } = await import('../checks/yara/index.js');
    const rules = compileYaraRules(yara.extraRules === undefined ? DEFAULT_YARA_RULES : `${DEFAULT_YARA_RULES}\n${yara.extraRules}`);
    const matches = await scanFileWithYara(context.fd, rules, { onProgress: (bytes) => context.progress('yara', bytes) });
    return { reasons: yaraReasons(matches), evidence: { rulesFired: matches.length } };
  },
};
