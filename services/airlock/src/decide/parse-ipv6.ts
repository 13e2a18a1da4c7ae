/**
 * Reads an IPv6 address (with `::` compression and an optional dotted IPv4 tail)
 * into eight 16-bit groups. Zone ids (`%eth0`) and anything else malformed give null.
 */
export function parseIpv6(text: string): number[] | null {
  if (text.length === 0 || text.length > 45 || text.includes('%')) return null;
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const quad = text.slice(lastColon + 1).split('.');
    if (quad.length !== 4 || !quad.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return null;
    const [a, b, c, d] = quad.map(Number) as [number, number, number, number];
    tail.push(a * 256 + b, c * 256 + d);
    head = text.slice(0, lastColon);
    // "::1.2.3.4" and "a::1.2.3.4": the compression sat right before the quad
    if (head.endsWith(':')) head = `${head}:`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (const group of groups) {
      if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
      out.push(Number.parseInt(group, 16));
    }
    return out;
  };
  const want = 8 - tail.length;
  if (halves.length === 1) {
    const groups = groupsOf(halves[0] as string);
    if (groups === null || groups.length !== want) return null;
    return [...groups, ...tail];
  }
  const left = groupsOf(halves[0] as string);
  const right = groupsOf(halves[1] as string);
  if (left === null || right === null || left.length + right.length > want - 1) return null;
  return [...left, ...new Array<number>(want - left.length - right.length).fill(0), ...right, ...tail];
}
