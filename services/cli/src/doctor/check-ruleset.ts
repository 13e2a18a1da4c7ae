import { createHash } from 'node:crypto';
import { report, type CheckReport, type Finding } from './finding.js';

export interface RulesetFacts {
  /** The ruleset file the image ships (what nftables.service loads). */
  file: string;
  /** `nft list ruleset` after loading `file` alone in a scratch network namespace, or why that failed. */
  expected: { listing: string } | { error: string };
  /** `nft list ruleset` of the live system, or why it could not be read. */
  live: { listing: string } | { error: string };
}

export interface NftTable {
  /** `inet keep`, `ip filter`, … */
  name: string;
  /** The table's listing, counters zeroed. */
  body: string;
  sha256: string;
}

/**
 * Splits an `nft list ruleset` listing into its tables, with counter values (and
 * anything else that changes as packets flow) zeroed, so a freshly loaded table and
 * one that has run for a week compare equal. nft prints the same text for the same
 * rules, so comparing its listings of the file and of the kernel compares rules, not
 * the file's spelling.
 */
export function parseRuleset(listing: string): NftTable[] {
  const tables: NftTable[] = [];
  const lines = listing.split('\n');
  let current: { name: string; lines: string[] } | null = null;
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    const open = /^table (\S+ \S+) \{$/.exec(line);
    if (current === null) {
      if (open) current = { name: open[1] as string, lines: [line] };
      continue;
    }
    current.lines.push(normaliseLine(line));
    if (line === '}') {
      const body = current.lines.join('\n');
      tables.push({ name: current.name, body, sha256: createHash('sha256').update(body).digest('hex') });
      current = null;
    }
  }
  return tables;
}

function normaliseLine(line: string): string {
  return line
    // Anonymous counters (`counter packets 3 bytes 180`) and named ones (`packets 3 bytes 180` in their own block).
    .replace(/packets \d+ bytes \d+/g, 'packets 0 bytes 0')
    .replace(/quota (over )?(\d+ \S+)( used \d+ \S+)?/g, 'quota $1$2');
}

/** The live ruleset holds every table of the shipped file, rule for rule. */
export function checkRuleset(facts: RulesetFacts): CheckReport {
  const findings: Finding[] = [];
  const add = (problem: string, fix: string): void => { findings.push({ check: 'ruleset', subject: facts.file, problem, fix }); };
  if ('error' in facts.expected) {
    add(`cannot be loaded to compute the expected ruleset: ${facts.expected.error}`, `nft -c -f ${facts.file} names the problem; reinstall the image's file`);
    return report('ruleset', 'ruleset', findings);
  }
  if ('error' in facts.live) {
    add(`the live ruleset cannot be read: ${facts.live.error}`, 'run keepctl doctor as root; nft list ruleset must work');
    return report('ruleset', 'ruleset', findings);
  }
  const expected = parseRuleset(facts.expected.listing);
  const live = new Map(parseRuleset(facts.live.listing).map((t) => [t.name, t]));
  if (expected.length === 0) add('defines no table', `reinstall the image's ${facts.file}`);
  for (const table of expected) {
    const loaded = live.get(table.name);
    if (loaded === undefined) {
      add(`table ${table.name} is not loaded (the ruleset was flushed or never loaded)`, `nft -f ${facts.file} (or systemctl restart nftables)`);
    } else if (loaded.sha256 !== table.sha256) {
      add(`table ${table.name} differs from the file: loaded sha256 ${loaded.sha256.slice(0, 16)}…, expected ${table.sha256.slice(0, 16)}…`,
        `nft -f ${facts.file} reloads it; diff <(nft list table ${table.name}) against the file to see what was changed`);
    }
  }
  const names = expected.map((t) => `${t.name} ${t.sha256.slice(0, 12)}`).join(', ');
  return report('ruleset', `loaded ruleset matches ${facts.file} (${names})`, findings);
}
