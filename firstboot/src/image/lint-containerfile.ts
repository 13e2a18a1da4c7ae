import { DockerfileParser, type Instruction, type ModifiableInstruction } from 'dockerfile-ast';

export interface LintFinding {
  /** 1-based line of the instruction. */
  readonly line: number;
  readonly rule: 'base-arg' | 'pipe-to-shell' | 'add-url' | 'copy-source' | 'enabled-unit' | 'workspace-copied' | 'ends-with-lint';
  readonly message: string;
}

export interface LintContext {
  /** Whether a path relative to the build context (the repository root) exists. */
  exists(path: string): boolean;
  /** Unit file names in os-overlay/usr/lib/systemd/system/. */
  units: ReadonlySet<string>;
  /** The root package.json's workspaces: each must reach the build stage. */
  workspaces: readonly string[];
}

const PIPE_TO_SHELL = /\b(?:curl|wget)\b[^|;&]*\|\s*(?:sudo\s+)?(?:env\s+\S+\s+)?(?:ba|da|z|k)?sh\b|\b(?:ba|da|z)?sh\s+-c\s+["']?\$\((?:curl|wget)\b/;
const URL_SOURCE = /^[a-z][a-z0-9+.-]*:\/\//i;
const BASE_REF = /^\$\{?BASE_IMAGE\}?$/;

/**
 * Keep's rules for the Containerfile, over dockerfile-ast's parse: the base is the
 * required `BASE_IMAGE` argument (no default: a builder pins it by digest, nobody
 * makes one up); nothing is piped from the network into a shell and nothing is ADDed
 * from a URL; every COPY source exists in the repository; every Keep unit it enables
 * exists in the overlay; every workspace reaches the build stage; the last step is
 * `bootc container lint`. Pure apart from what `ctx` answers.
 */
export function lintContainerfile(text: string, ctx: LintContext): LintFinding[] {
  const file = DockerfileParser.parse(text);
  const findings: LintFinding[] = [];
  const add = (at: Instruction, rule: LintFinding['rule'], message: string) => findings.push({ line: at.getRange().start.line + 1, rule, message });
  const initial = file.getInitialARGs().map((arg) => arg.getProperty()).filter((p) => p !== null);
  const base = initial.find((p) => p.getName() === 'BASE_IMAGE');
  const froms = file.getFROMs();
  if (!base) findings.push({ line: 1, rule: 'base-arg', message: 'No `ARG BASE_IMAGE` before the first FROM' });
  else if (base.getValue() !== null) findings.push({ line: base.getRange().start.line + 1, rule: 'base-arg', message: 'ARG BASE_IMAGE has a default; the builder must give it (pinned by digest)' });
  const stages: string[] = [];
  for (const from of froms) {
    const image = from.getImage() ?? '';
    if (!BASE_REF.test(image) && !stages.includes(image)) add(from, 'base-arg', `FROM ${image} is neither \${BASE_IMAGE} nor an earlier stage`);
    const stage = from.getBuildStage();
    if (stage) stages.push(stage);
  }
  const copied: string[] = [];
  for (const instruction of file.getInstructions()) {
    const keyword = instruction.getKeyword();
    const args = instruction.getArguments().map((a) => a.getValue());
    const content = instruction.getArgumentsContent() ?? '';
    if (keyword === 'RUN') {
      if (PIPE_TO_SHELL.test(content)) add(instruction, 'pipe-to-shell', `RUN pipes a download into a shell: ${content.slice(0, 80)}`);
      for (const unit of enabledUnits(content)) {
        if (unit.startsWith('keep') && !ctx.units.has(unit)) add(instruction, 'enabled-unit', `Unit ${unit} is enabled but os-overlay/usr/lib/systemd/system/${unit} does not exist`);
      }
    }
    if (keyword === 'ADD' && args.some((a) => URL_SOURCE.test(a))) add(instruction, 'add-url', 'ADD fetches a URL; download nothing outside the package repositories');
    if (keyword === 'COPY' || keyword === 'ADD') {
      const sources = args.filter((a) => !a.startsWith('--')).slice(0, -1);
      // A source in an earlier stage (COPY --from=build) is not in the repository.
      if ('getFlags' in instruction && (instruction as ModifiableInstruction).getFlags().some((f) => f.getName() === 'from')) continue;
      for (const source of sources) {
        if (URL_SOURCE.test(source)) continue;
        const path = source.replace(/^\.\//, '').replace(/\/+$/, '') || '.';
        if (path.startsWith('/') || path.split('/').includes('..')) add(instruction, 'copy-source', `COPY source ${source} is outside the build context`);
        else if (!ctx.exists(path)) add(instruction, 'copy-source', `COPY source ${source} does not exist in the repository`);
        else copied.push(path);
      }
    }
  }
  for (const workspace of ctx.workspaces) {
    if (!copied.some((c) => c === '.' || workspace === c || workspace.startsWith(`${c}/`))) {
      findings.push({ line: 1, rule: 'workspace-copied', message: `Workspace ${workspace} is not copied into the build; npm ci needs every workspace` });
    }
  }
  const last = file.getInstructions().at(-1);
  if (!last || last.getKeyword() !== 'RUN' || (last.getArgumentsContent() ?? '').trim() !== 'bootc container lint') {
    findings.push({ line: last ? last.getRange().start.line + 1 : 1, rule: 'ends-with-lint', message: 'The last instruction must be `RUN bootc container lint`' });
  }
  return findings;
}

/** Unit names after each `systemctl enable` in a RUN line, up to the next `&&`, `;` or `|`. */
export function enabledUnits(command: string): string[] {
  const units: string[] = [];
  for (const match of command.replace(/\\\r?\n/g, ' ').matchAll(/\bsystemctl\s+(?:--\S+\s+)*enable\s+([^;&|]+)/g)) {
    units.push(...(match[1] ?? '').split(/\s+/).filter((w) => w !== '' && !w.startsWith('-')));
  }
  return units;
}
