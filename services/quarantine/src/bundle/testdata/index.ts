export { buildTar, paxRecords, TYPEFLAG, type TarEntrySpec, type BuildTarOptions } from './build-tar.js';
