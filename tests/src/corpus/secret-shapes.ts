/**
 * Secret shapes the redactor must cut, each as it would show up in the wild: inside
 * free text, a URL, a header, a config dump. `secret` is the part that must never
 * reach disk or stdout; `carrier` is the text it travels in. Values are made up
 * (random-looking, right shape), none is a real credential.
 */
export interface SecretShape {
  name: string;
  secret: string;
  carrier: string;
}

const s = (name: string, secret: string, carrier: (secret: string) => string): SecretShape => ({ name, secret, carrier: carrier(secret) });

export const SECRET_SHAPES: readonly SecretShape[] = [
  s('bearer token', 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5', (x) => `upstream said 401 for Authorization: Bearer ${x}`),
  s('basic auth', 'YWRtaW46aHVudGVyMjIyMjI=', (x) => `proxy header Basic ${x} rejected`),
  s('PEM RSA private key', 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun', (x) => `-----BEGIN RSA PRIVATE KEY-----\n${x}\n-----END RSA PRIVATE KEY-----`),
  s('PEM PKCS8 private key', 'MC4CAQAwBQYDK2VwBCIEIDwd9b7cRr6p8kzqN1Bf4QhJpXyX0ZJ0aE1dM3sVq9Lk', (x) => `key file:\n-----BEGIN PRIVATE KEY-----\n${x}\n-----END PRIVATE KEY-----\n`),
  s('OpenSSH private key', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', (x) => `-----BEGIN OPENSSH PRIVATE KEY-----\n${x}\n-----END OPENSSH PRIVATE KEY-----`),
  s('AWS access key id', 'AKIAZ7Q2XJ4M5N6P7Q8R', (x) => `aws configure set aws_access_key_id ${x}`),
  s('AWS secret access key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz9Q8x7Y6w', (x) => `aws_secret_access_key = ${x}`),
  s('GitHub classic token', 'ghp_R4nd0mL00k1ngT0k3nV4lu3F0rT3st1ng0Zq', (x) => `git clone https://github.com/x/y using ${x}`),
  s('GitHub fine-grained token', 'github_pat_11ABCDEFG0abcdefghijkl_MNOPQRSTUVWXyz0123456789abcdefghijklmnopqrstuvwxyzABCDE', (x) => `GH=${x}`),
  s('GitLab token', 'glpat-AbCdEfGhIjKlMnOpQrSt', (x) => `token ${x} expired`),
  s('OpenAI key', 'sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90', (x) => `OPENAI_API_KEY set to ${x}`),
  s('Anthropic key', 'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe', (x) => `anthropic client with ${x}`),
  s('Slack token', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', (x) => `slack post failed (${x})`),
  s('Google API key', 'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q', (x) => `maps?key=${x}&q=x`),
  s('Stripe live key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', (x) => `charge with ${x}`),
  s('Hugging Face token', 'hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567', (x) => `huggingface-cli login --token ${x}`),
  s('npm token', 'npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', (x) => `//registry/:_authToken=${x}`),
  s('JWT', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFuYSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c', (x) => `session cookie value ${x}`),
  s('URL userinfo password', 'hunter2-very-secret', (x) => `fetching https://admin:${x}@models.example.org/x.gguf`),
  s('query api_key', 'q7W8e9R0t1Y2u3I4o5P6', (x) => `GET /v1/models?api_key=${x}&page=2`),
  s('password in text', 'Tr0ub4dor&3-horse', (x) => `login failed: password=${x}`),
  s('cookie header', 'sid=8f14e45fceea167a5a36dedd4bea2543', (x) => `Cookie: ${x}`),
  s('Keep bearer token', 'keep_3q2x9s-AbCdEfGhIjKlMnOpQrStUvWxYz0123456', (x) => `keepctl used ${x}`),
  s('SendGrid key', 'SG.AbCdEfGhIjKlMnOpQrStUv.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfG', (x) => `mail via ${x}`),
];
