export { cliContext, type CliContext } from './cli-context.js';
