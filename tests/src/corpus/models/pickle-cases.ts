/**
 * Pickles wearing model extensions, PyTorch zips renamed to .gguf/.safetensors, and
 * polyglots: files valid as GGUF or safetensors whose data section is also a zip
 * holding a pickle. Extension dispatch and archive handling are how scanners were
 * bypassed (field-anchors §A.2), so the refusal must come from the content.
 */
import { buildSafetensors } from '@keep/quarantine/testdata';
import { baseGguf, BASE_METADATA } from './benign-models.js';
import { ascii, hostile, type CorpusCase } from './corpus-entry.js';
import { alignUp, tensorInfo } from './gguf-patch.js';
import { pickle, type PicklePayload } from './pickle-bytes.js';
import { pytorchZip } from './stored-zip.js';

const EXTENSIONS = ['gguf', 'safetensors', 'bin', 'pt'] as const;
const PROTOCOLS = [0, 2, 4, 5] as const;

function renamedPickles(): CorpusCase[] {
  return PROTOCOLS.flatMap((protocol, p) => EXTENSIONS.map((ext, e) => {
    const payload: PicklePayload = (p + e) % 2 === 0 ? 'os-system' : 'builtin-eval';
    return hostile(`pickle-p${protocol}-${payload}.${ext}`, 'pickle-renamed', 'pickle.', pickle(protocol, payload));
  }));
}

function pytorchZips(): CorpusCase[] {
  return (['gguf', 'safetensors', 'pt', 'bin'] as const).map((ext) =>
    hostile(`pytorch-zip.${ext}`, 'pytorch-zip-renamed', 'pickle.', pytorchZip(pickle(2, 'os-system'))));
}

/** A GGUF whose only tensor's bytes are a zip: the zip's end record lands exactly at EOF, so zip readers open it. */
function ggufZipPolyglot(): Uint8Array {
  const build = (data: Uint8Array): Uint8Array =>
    baseGguf({ metadata: BASE_METADATA.slice(0, 2), tensors: [{ name: 'polyglot.weight', type: 'I8', dims: [data.length], data }] });
  const draft = pytorchZip(pickle(2, 'os-system'));
  // Pad the zip comment so the tensor, and with it the file, ends on the 32-byte alignment.
  const comment = new Uint8Array(alignUp(draft.length, 32) - draft.length).fill(0x20);
  const start = alignUp(tensorInfo(build(new Uint8Array(draft.length + comment.length)), 'polyglot.weight').end, 32);
  return build(pytorchZip(pickle(2, 'os-system'), start, comment));
}

function safetensorsZipPolyglot(): Uint8Array {
  const size = pytorchZip(pickle(4, 'builtin-eval')).length;
  const build = (data: Uint8Array): Uint8Array => buildSafetensors({ metadata: { format: 'pt' }, tensors: [{ name: 'polyglot', dtype: 'U8', shape: [size], data }] });
  const start = build(new Uint8Array(size)).length - size;
  return build(pytorchZip(pickle(4, 'builtin-eval'), start));
}

export function pickleCases(): CorpusCase[] {
  return [
    ...renamedPickles(),
    ...pytorchZips(),
    // Structurally valid, so only content sniffing of the data section refuses them.
    hostile('zip-polyglot.gguf', 'zip-polyglot', 'yara.match', ggufZipPolyglot()),
    hostile('zip-polyglot.safetensors', 'zip-polyglot', 'yara.match', safetensorsZipPolyglot()),
    // A protocol 0 pickle that is also plain ASCII text: no PROTO byte to sniff.
    hostile('pickle-ascii.bin', 'pickle-renamed', 'pickle.', ascii("cposix\nsystem\n(Vid\ntR.")),
  ];
}
