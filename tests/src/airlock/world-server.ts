/**
 * "The world" for the airlock's network tests, run inside its own network namespace:
 * an HTTPS server with the test CA's certificate and a UDP DNS server with scripted
 * answers. Usage: node world-server.js CONFIG_JSON. Prints `ready` when both listen,
 * then one JSON line per DNS query.
 */
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

export interface WorldConfig {
  address: string;
  httpsPort: number;
  dnsPort: number;
  key: string;
  cert: string;
  /** name → answers; a list with several entries is served round-robin, one per query (rebinding). */
  dns: Record<string, string[][]>;
  /** name → TTL in seconds of its A records; 0 (never cached) when not named. */
  dnsTtl?: Record<string, number>;
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorldConfig;

/** Deterministic bytes: the test recomputes them to check what came through. */
export function worldBytes(size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update('keep-world').digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

if (process.argv[2] !== undefined) {
  const cutOnce = new Set<string>();
  const server = createServer({ key: readFileSync(config.key), cert: readFileSync(config.cert) }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://world');
    const size = Number(url.searchParams.get('size') ?? '1024');
    const host = req.headers.host ?? '';
    switch (url.pathname) {
      case '/models/blob': {
        const body = worldBytes(size);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length), etag: '"blob-1"' });
        res.end(body);
        return;
      }
      case '/models/chunked': {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(worldBytes(size));
        return;
      }
      case '/models/text':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`hello from the world to ${host}\n`);
        return;
      case '/models/echo':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, headers: req.headers, servername: (req.socket as { servername?: string }).servername ?? null }));
        return;
      case '/models/redirect':
        res.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
        res.end();
        return;
      case '/models/cut': {
        // The first full request is cut halfway; a Range request is honoured.
        const body = worldBytes(size);
        const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
        if (range) {
          const from = Number(range[1]);
          res.writeHead(206, { 'content-length': String(body.length - from), 'content-range': `bytes ${from}-${body.length - 1}/${body.length}`, etag: '"cut-1"' });
          res.end(body.subarray(from));
          return;
        }
        res.writeHead(200, { 'content-length': String(body.length), etag: '"cut-1"' });
        if (cutOnce.has(url.search)) {
          res.end(body);
          return;
        }
        cutOnce.add(url.search);
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => res.socket?.destroy(), 50));
        return;
      }
      default:
        res.writeHead(404);
        res.end();
    }
  });
  const counters = new Map<string, number>();
  const dns = createSocket('udp4');
  dns.on('message', (query, peer) => {
    const answer = answerDns(query, config.dns, config.dnsTtl ?? {}, counters);
    if (answer) dns.send(answer.packet, peer.port, peer.address);
    if (answer) process.stdout.write(`${JSON.stringify({ dns: answer.name, type: answer.type, answers: answer.answers })}\n`);
  });
  let pending = 2;
  const ready = (): void => void (--pending === 0 && process.stdout.write('ready\n'));
  server.listen(config.httpsPort, config.address, ready);
  dns.bind(config.dnsPort, config.address, ready);
  process.on('SIGTERM', () => process.exit(0));
}

/** A minimal authoritative answer: A records from the script, empty NOERROR for AAAA, NXDOMAIN otherwise. */
function answerDns(query: Buffer, script: Record<string, string[][]>, ttls: Record<string, number>, counters: Map<string, number>): { packet: Buffer; name: string; type: number; answers: string[] } | null {
  if (query.length < 17) return null;
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length && query[offset] !== 0) {
    const length = query[offset] as number;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += length + 1;
  }
  const questionEnd = offset + 5;
  if (questionEnd > query.length) return null;
  const type = query.readUInt16BE(offset + 1);
  const name = labels.join('.').toLowerCase();
  const rounds = script[name];
  let answers: string[] = [];
  if (rounds && type === 1) {
    const n = counters.get(name) ?? 0;
    counters.set(name, n + 1);
    answers = rounds[n % rounds.length] ?? [];
  }
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8180 | (rounds ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const records = answers.map((ip) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0);
    record.writeUInt16BE(1, 2);
    record.writeUInt16BE(1, 4);
    record.writeUInt32BE(ttls[name] ?? 0, 6);
    record.writeUInt16BE(4, 10);
    ip.split('.').forEach((part, i) => record.writeUInt8(Number(part), 12 + i));
    return record;
  });
  return { packet: Buffer.concat([header, query.subarray(12, questionEnd), ...records]), name, type, answers };
}
