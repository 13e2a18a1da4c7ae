import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enabledUnits, lintContainerfile, type LintContext } from './lint-containerfile.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const UNIT_DIR = join(REPO, 'os-overlay/usr/lib/systemd/system');

function repoContext(): LintContext {
  const workspaces = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  return { exists: (path) => existsSync(join(REPO, path)), units: new Set(readdirSync(UNIT_DIR)), workspaces };
}

const GOOD = `ARG BASE_IMAGE
FROM \${BASE_IMAGE} AS build
COPY services ./services
RUN npm ci && npm run build
FROM \${BASE_IMAGE}
COPY --from=build /out /usr/lib/keep
COPY os-overlay/ /
RUN systemctl enable nftables.service \\
 && systemctl enable keep.target keep-audit.service
RUN bootc container lint
`;

const fake: LintContext = {
  exists: (path) => ['services', 'os-overlay'].includes(path),
  units: new Set(['keep.target', 'keep-audit.service']),
  workspaces: ['services/core', 'services/audit'],
};

const rules = (text: string, ctx: LintContext = fake) => lintContainerfile(text, ctx).map((f) => `${f.line}:${f.rule}`);

test('the repository Containerfile passes the lint: required BASE_IMAGE, no pipe to shell, COPY sources, units and workspaces present', () => {
  const findings = lintContainerfile(readFileSync(join(REPO, 'Containerfile'), 'utf8'), repoContext());
  assert.deepEqual(findings, []);
});

test('lintContainerfile() passes a minimal good file and names each broken rule with its line', () => {
  assert.deepEqual(rules(GOOD), []);
  assert.deepEqual(rules(GOOD.replace('ARG BASE_IMAGE', 'ARG BASE_IMAGE=quay.io/fedora/fedora-bootc:42')), ['1:base-arg']);
  assert.deepEqual(rules(GOOD.replace('ARG BASE_IMAGE\n', '')), ['1:base-arg']);
  assert.deepEqual(rules(GOOD.replace('FROM ${BASE_IMAGE}\n', 'FROM quay.io/fedora/fedora-bootc:latest\n')), ['5:base-arg']);
  assert.deepEqual(rules(GOOD.replace('RUN npm ci', 'RUN curl -fsSL https://get.example/install | sh && npm ci')), ['4:pipe-to-shell']);
  assert.deepEqual(rules(GOOD.replace('RUN npm ci', 'RUN wget -qO- https://x.example/i.sh | sudo bash; npm ci')), ['4:pipe-to-shell']);
  assert.deepEqual(rules(GOOD.replace('RUN npm ci', 'RUN sh -c "$(curl -fsSL https://x.example/i.sh)"; npm ci')), ['4:pipe-to-shell']);
  assert.deepEqual(rules(GOOD.replace('COPY services ./services', 'ADD https://x.example/app.tgz /src/\nCOPY services ./services')), ['3:add-url']);
  assert.deepEqual(rules(GOOD.replace('COPY services ./services', 'COPY services secrets.env ./services/')), ['3:copy-source']);
  assert.deepEqual(rules(GOOD.replace('COPY services ./services', 'COPY services ../etc ./services/')), ['3:copy-source']);
  assert.deepEqual(rules(GOOD.replace('keep-audit.service', 'keep-audit.service keep-ui.service')), ['8:enabled-unit']);
  assert.deepEqual(rules(GOOD, { ...fake, workspaces: [...fake.workspaces, 'ui'] }), ['1:workspace-copied']);
  assert.deepEqual(rules(`${GOOD}RUN echo done\n`), ['11:ends-with-lint']);
});

test('enabledUnits() reads every unit after each systemctl enable, across continuation lines', () => {
  assert.deepEqual(enabledUnits('systemctl enable a.service \\\n  b.socket && systemctl --root=/ enable c.target; systemctl disable d'), ['a.service', 'b.socket', 'c.target']);
});
