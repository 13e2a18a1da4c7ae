import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';

/** What a newcomer sees where there is nothing yet: what this is and what to do next. */
export function EmptyState(props: { title: string; children: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{props.title}</p>
      <p>{props.children}</p>
    </div>
  );
}

/** An error in words, with its stable code. */
export function ErrorLine(props: { error: unknown }) {
  if (!props.error) return null;
  const error = props.error;
  const text = error instanceof ApiError ? error.detail : error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : '';
  return <p role="alert" class="error">{text}{code && <code class="code">{code}</code>}</p>;
}
