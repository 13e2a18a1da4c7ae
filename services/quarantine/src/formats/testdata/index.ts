export { buildGguf, tensorSize, filler, ByteWriter, type GgufSpec, type TensorSpec, type MetaValue } from './build-gguf.js';
export { buildSafetensors, f32Bytes, type BuildTensor, type BuildSafetensorsOptions } from './build-safetensors.js';
export { buildTar, paxRecords, TYPEFLAG, type TarEntrySpec, type BuildTarOptions } from '../../bundle/testdata/index.js';
export { signModelDigest, makeSigningKey } from '../../checks/provenance/testdata/sign-digest.js';
