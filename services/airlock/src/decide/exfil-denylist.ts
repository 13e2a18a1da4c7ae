/**
 * Hosts that carry data out by design: paste sites, tunnels and reverse proxies,
 * file drops, chat and bot APIs, request catchers, and Tor. They stay refused even
 * under a wide allowlist (`*`, `*.com`), as defence in depth: an admin who widens
 * the list for a mirror has not meant to open these. A policy can add more
 * (`exfilDenylist`), never remove these. Each entry matches the name and its subdomains.
 */
export const EXFIL_DENYLIST: readonly string[] = [
  // paste sites
  'pastebin.com', 'paste.ee', 'hastebin.com', 'ghostbin.com', 'dpaste.com', 'dpaste.org', 'rentry.co', 'rentry.org',
  'controlc.com', 'justpaste.it', 'privatebin.net', 'paste.mozilla.org', 'termbin.com', 'ix.io', 'sprunge.us', 'gist.github.com',
  'gist.githubusercontent.com',
  // tunnels and reverse proxies
  'ngrok.io', 'ngrok.app', 'ngrok-free.app', 'ngrok.dev', 'trycloudflare.com', 'localtunnel.me', 'loca.lt', 'serveo.net',
  'localhost.run', 'lhr.life', 'pagekite.me', 'telebit.cloud', 'bore.pub', 'tunnelto.dev', 'playit.gg', 'zrok.io',
  // file drops
  'transfer.sh', 'file.io', 'filebin.net', '0x0.st', 'temp.sh', 'tmpfiles.org', 'catbox.moe', 'litterbox.catbox.moe', 'wetransfer.com',
  // chat and bot APIs, webhooks
  'api.telegram.org', 'discord.com', 'discordapp.com', 'hooks.slack.com', 'slack.com', 'webhook.office.com', 'api.pushover.net',
  'ntfy.sh', 'api.openai.com', 'api.anthropic.com', 'generativelanguage.googleapis.com', 'api.mistral.ai', 'api.cohere.ai', 'api.groq.com',
  // request catchers and OAST
  'webhook.site', 'requestbin.com', 'requestbin.net', 'pipedream.net', 'beeceptor.com', 'interact.sh', 'oast.pro', 'oast.fun',
  'oast.me', 'oast.site', 'oast.online', 'burpcollaborator.net', 'oastify.com', 'canarytokens.com', 'dnslog.cn', 'requestcatcher.com',
];

/** Overlay-network names: Tor, I2P, Namecoin. */
const DENIED_TLDS = ['onion', 'i2p', 'exit', 'bit'];

/** True when `host` (lower case, no trailing dot) is, or is under, a denylisted name or TLD. */
export function isExfilHost(host: string, extra: readonly string[] = []): boolean {
  const under = (name: string): boolean => host === name || host.endsWith(`.${name}`);
  return EXFIL_DENYLIST.some(under) || extra.some((name) => under(name.toLowerCase())) || DENIED_TLDS.some(under);
}
