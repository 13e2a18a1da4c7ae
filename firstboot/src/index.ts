/** @keep/firstboot: the appliance's first boot (credentials, vault, TPM2, setup code). */
export { firstbootConfigSchema, type FirstbootConfig } from './config.js';
export { processExecutor, type Executor, type RunOptions, type RunResult } from './executor.js';
export { runFirstboot, firstbootMarkerPath, readFirstbootMarker, type FirstbootOutcome, type RunFirstbootOptions } from './run-firstboot.js';
export { parseLuksDump, type LuksHeader, type LuksKeyslot, type LuksToken } from './vault/parse-luks-dump.js';
export { signingPublicKeyPath } from './steps/provision-credentials.js';
export { renderNftRuleset, DEFAULT_NFT_INPUT, type NftRulesetInput } from './nft/render-nft-ruleset.js';
