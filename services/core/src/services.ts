/**
 * The services Keep runs, in start order, with their dev ports (DESIGN.md). The dev
 * launcher starts each one whose build exists; keepctl asks each one how it is.
 */
export interface ServiceEntry {
  /** Unit and process name. */
  readonly name: string;
  /** Loopback port in dev mode. */
  readonly devPort: number;
  /** Entry point, relative to the repository root. */
  readonly main: string;
}

export const SERVICES: readonly ServiceEntry[] = [
  { name: 'keep-audit', devPort: 8485, main: 'services/audit/dist/main.js' },
  { name: 'keep-registry', devPort: 8470, main: 'services/registry/dist/main.js' },
  { name: 'keep-quarantine', devPort: 8460, main: 'services/quarantine/dist/main.js' },
  { name: 'keep-firewall', devPort: 8475, main: 'services/firewall/dist/main.js' },
  { name: 'keep-airlock', devPort: 8490, main: 'services/airlock/dist/main.js' },
  { name: 'keep-inference', devPort: 8465, main: 'services/inference/dist/main.js' },
  { name: 'keep-ui', devPort: 8480, main: 'ui/dist/server/main.js' },
];
