/**
 * Real chat templates format messages; they never carry links. A URL (or a
 * scheme-like target) in a template's text is an instruction smuggled past the
 * user: a phishing link the model is told to push, or an endpoint to send
 * conversation data to. Matched on the raw text, so literals, raw text and
 * comments all count.
 */
const URL_SHAPES: ReadonlyArray<[RegExp, string]> = [
  [/\b(?:https?|ftp|file|wss?):\/\//i, 'a URL'],
  [/\bdata:[a-z]+\/[a-z0-9.+-]+[;,]/i, 'a data: URL'],
  [/\bwww\.[a-z0-9-]+\.[a-z]{2,}/i, 'a web address'],
];

export function findEmbeddedUrls(template: string): string[] {
  return URL_SHAPES.filter(([shape]) => shape.test(template)).map(([, name]) => name);
}
