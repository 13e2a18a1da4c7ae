/** keep-ui's own reason codes, beside the core's `http.*` family. */
export const UI_CODES = {
  'ui.csrf_invalid': 'A state-changing request came without the session\'s CSRF token, or with a wrong one',
  'ui.not_signed_in': 'The request needs a signed-in person',
  'ui.session_expired': 'The session ended (idle too long, signed out, or passphrase changed)',
  'ui.admin_only': 'Only an admin may do this',
  'ui.bad_credentials': 'Wrong name or passphrase',
  'ui.throttled': 'Too many failed attempts for this account: wait for Retry-After seconds',
  'ui.setup_done': 'The first admin already exists',
  'ui.setup_code_missing': 'No setup code is waiting (firstboot or the dev launcher writes one)',
  'ui.setup_code_wrong': 'The setup code does not match',
  'ui.weak_passphrase': 'The passphrase is not 15 to 256 characters long',
  'ui.user_exists': 'An account with that name exists',
  'ui.bad_file_name': 'A file name must be a plain name of letters, digits, dot, dash, plus and underscore',
  'ui.file_not_found': 'No such file in the workspace',
  'ui.quota_exceeded': 'The workspace would go over its quota',
  'ui.chat_not_found': 'No such conversation',
} as const;

export type UiCode = keyof typeof UI_CODES;
