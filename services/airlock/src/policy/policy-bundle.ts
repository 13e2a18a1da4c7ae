import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { KeepError, messageOf } from '@keep/core';
import { loadAirlockPolicy, type AirlockPolicy } from './airlock-policy.js';

/** A loaded policy with what the fetch path derives from it. */
export interface PolicyBundle {
  policy: AirlockPolicy;
  /** The system roots plus the policy's extra CAs, built once; undefined when there are none (Node's default store). */
  secureContext: SecureContext | undefined;
  file: string;
  sha256: string;
}

/** Loads the policy file and its CA files; any problem stops start-up (or a reload) with a code. */
export function loadPolicyBundle(file: string): PolicyBundle {
  const policy = loadAirlockPolicy(file);
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // missing: the empty policy
  }
  const extra = policy.trustedCaFiles.map((path) => {
    try {
      const pem = readFileSync(path, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
      return pem;
    } catch (error) {
      throw new KeepError('config.invalid', `Cannot use trusted CA file ${path}: ${messageOf(error)}`, { status: 500 });
    }
  });
  return {
    policy,
    secureContext: extra.length === 0 ? undefined : createSecureContext({ ca: [...rootCertificates, ...extra], minVersion: 'TLSv1.2' }),
    file,
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}
