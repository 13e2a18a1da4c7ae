/** The client's one way to the server: same origin, JSON, the CSRF token on every state change. */
export interface User {
  username: string;
  role: 'admin' | 'user';
}

export interface SessionState {
  state: 'setup' | 'signed-out' | 'signed-in';
  user?: User;
  csrf: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly detail: string, readonly retryAfter: number | null) {
    super(detail);
  }
}

let csrf = '';
export const setCsrf = (token: string): void => {
  csrf = token;
};
export const csrfToken = (): string => csrf;

/** A failed reply as an ApiError carrying the server's stable code. */
export async function errorOf(res: Response): Promise<ApiError> {
  let code = 'http.error';
  let detail = `The server answered ${res.status}`;
  try {
    const body = (await res.json()) as { code?: string; detail?: string };
    code = body.code ?? code;
    detail = body.detail ?? detail;
  } catch {
    // not JSON
  }
  const retry = Number(res.headers.get('retry-after'));
  return new ApiError(res.status, code, detail, Number.isFinite(retry) && retry > 0 ? retry : null);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

/** A streamed upload with progress (fetch cannot report upload progress; XHR can). */
export function upload<T>(path: string, file: File, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: { code?: string; detail?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        // not JSON
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(new ApiError(xhr.status, body.code ?? 'http.error', body.detail ?? `The server answered ${xhr.status}`, null));
    };
    xhr.onerror = () => reject(new ApiError(0, 'http.network', 'The upload was cut off', null));
    xhr.send(file);
  });
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 || value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export const formatTime = (ms: number | string): string => new Date(ms).toLocaleString();
