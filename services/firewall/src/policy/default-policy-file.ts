import { fileURLToPath } from 'node:url';

/** The dev default policy shipped in the repository (`services/firewall/policy/tools.yaml`). */
export const DEFAULT_POLICY_FILE = fileURLToPath(new URL('../../policy/tools.yaml', import.meta.url));
