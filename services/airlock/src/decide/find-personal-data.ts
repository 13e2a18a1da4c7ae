/**
 * Personal data in outgoing text, with rules chosen for few false positives: a
 * card number must pass the Luhn check, an IBAN the mod-97 check, an SSN the
 * dashed form with its never-issued areas left out. Returns the kind found, or null.
 */
export type PersonalDataKind = 'card_number' | 'iban' | 'ssn' | 'email';

const CARD = /(?<![0-9])(?:[3-6][0-9]{3})(?:[ -]?[0-9]){9,15}(?![0-9])/g;
const IBAN = /\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b/g;
const SSN = /(?<![0-9-])(?!000|666|9[0-9]{2})[0-9]{3}-(?!00)[0-9]{2}-(?!0000)[0-9]{4}(?![0-9-])/;
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/;

export function findPersonalData(text: string): PersonalDataKind | null {
  for (const match of text.matchAll(CARD)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return 'card_number';
  }
  for (const match of text.matchAll(IBAN)) {
    if (ibanValid(match[0].replace(/ /g, ''))) return 'iban';
  }
  if (SSN.test(text)) return 'ssn';
  if (EMAIL.test(text)) return 'email';
  return null;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function ibanValid(iban: string): boolean {
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = char >= 'A' ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}
