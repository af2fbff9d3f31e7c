/** Loading and error states shared by the pages. */
import { messageOf, UnreachableError } from "../api";

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = messageOf(error);
  return (
    <div class="notice error" role="alert">
      <strong>{error instanceof UnreachableError ? "Service unreachable. " : "Error. "}</strong>
      {message}
      {onRetry && (
        <button type="button" class="quiet" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}
