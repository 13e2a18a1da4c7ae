import { z } from 'zod';

/**
 * The tool policy: `/etc/keep/policy/tools.yaml`. Strict everywhere (an unknown key
 * is an error naming it), default deny (a tool that is not listed does not run, and an
 * empty file allows nothing). Paths in `roots` and `under` are relative to the calling
 * user's workspace; `.` is the whole workspace.
 */
const relativeRoot = z.string().min(1).max(1024)
  .refine((value) => value === '.' || (!value.startsWith('/') && !value.split('/').some((s) => s === '..' || s === '' || s === '.')),
    'must be `.` or a relative path without `..`, `.` or empty segments');

const pattern = z.string().min(1).max(1024).refine((value) => {
  try {
    new RegExp(value, 'u');
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

const stringArg = z.strictObject({
  type: z.literal('string'),
  required: z.boolean().default(true).describe('The call must carry this argument'),
  minLength: z.number().int().min(0).max(16 * 1024 * 1024).default(0),
  maxLength: z.number().int().min(0).max(16 * 1024 * 1024).default(4096).describe('Longest value in UTF-16 code units'),
  pattern: pattern.optional().describe('A regular expression (Unicode mode) the whole value must match'),
  oneOf: z.array(z.string().max(4096)).min(1).max(10_000).optional().describe('The only values allowed'),
  multiline: z.boolean().default(false).describe('Allow newlines and tabs (other control characters never)'),
  allowLeadingDash: z.boolean().default(false).describe('Allow a value starting with `-` (refused by default: flag injection)'),
});

const numberArg = z.strictObject({
  type: z.enum(['integer', 'number']),
  required: z.boolean().default(true),
  min: z.number().optional(),
  max: z.number().optional(),
});

const booleanArg = z.strictObject({ type: z.literal('boolean'), required: z.boolean().default(true) });

const pathArg = z.strictObject({
  type: z.literal('path'),
  required: z.boolean().default(true),
  maxLength: z.number().int().min(1).max(4096).default(1024),
  roots: z.array(relativeRoot).max(1000).default([]).describe('Workspace-relative directories the path must lie in; empty allows nothing'),
  expect: z.enum(['file', 'dir', 'new-or-file', 'any']).default('any').describe('What must be at the path when the call is decided'),
});

const urlArg = z.strictObject({
  type: z.literal('url'),
  required: z.boolean().default(true),
  maxLength: z.number().int().min(1).max(8192).default(2048),
  schemes: z.array(z.enum(['https', 'http'])).min(1).default(['https']),
});

export const argSpecSchema = z.discriminatedUnion('type', [stringArg, numberArg, booleanArg, pathArg, urlArg]);

const rateLimit = z.strictObject({
  max: z.number().int().min(1).max(1_000_000).describe('Calls allowed within the window'),
  windowMs: z.number().int().min(1).max(86_400_000).describe('Sliding window length (ms)'),
});

const ruleSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 letters, digits, `_.:-`'),
  effect: z.enum(['deny', 'approval']).describe('`deny` refuses the call; `approval` makes it wait for a grant'),
  path: z.strictObject({ arg: z.string().min(1).max(64), under: relativeRoot }).optional()
    .describe('Matches when the path argument lies in this workspace-relative directory'),
  arg: z.strictObject({
    name: z.string().min(1).max(64),
    equals: z.union([z.string().max(4096), z.number(), z.boolean()]).optional(),
    contains: z.string().min(1).max(1024).optional(),
    pattern: pattern.optional(),
  }).optional().describe('Matches when the argument equals, contains or matches the value'),
  reason: z.string().max(500).optional(),
}).refine((rule) => (rule.path === undefined) !== (rule.arg === undefined), 'a rule has exactly one of `path` or `arg`')
  .refine((rule) => rule.arg === undefined || [rule.arg.equals, rule.arg.contains, rule.arg.pattern].filter((v) => v !== undefined).length === 1,
    'an `arg` rule has exactly one of `equals`, `contains` or `pattern`');

export const toolPolicySchema = z.strictObject({
  description: z.string().max(4096).default('').describe('What the tool does, for people reading the policy'),
  risk: z.enum(['low', 'medium', 'high']).default('high').describe('High-risk approvals are single use'),
  approval: z.enum(['never', 'required']).default('required').describe('Whether each call waits for a grant by another principal'),
  args: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), argSpecSchema).default({})
    .describe('Each argument by name: `type` string, integer, number, boolean, path or url, with its limits (docs/firewall.md); an undeclared argument is denied'),
  rateLimit: z.strictObject({ perCaller: rateLimit.optional(), perSession: rateLimit.optional() }).default({}),
  rules: z.array(ruleSchema).max(100_000).default([])
    .describe('Rules `{id, effect: deny|approval, path: {arg, under} | arg: {name, equals|contains|pattern}}`; a deny rule wins over any grant'),
});

export const toolsPolicySchema = z.strictObject({
  version: z.literal(1).default(1).describe('Policy format version'),
  approvalTtlMs: z.number().int().min(1000).max(86_400_000).default(600_000).describe('How long an approval request or grant stays valid'),
  tools: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), toolPolicySchema).default({})
    .describe('The tools a model may call; anything not listed is denied'),
});

export type ToolsPolicy = z.output<typeof toolsPolicySchema>;
export type ToolPolicy = z.output<typeof toolPolicySchema>;
export type ArgSpec = z.output<typeof argSpecSchema>;
export type PolicyRule = ToolPolicy['rules'][number];
