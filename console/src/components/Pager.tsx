/** Previous and next page buttons under a paged list, with the page number between them. */
import type { Pages } from "../usePages";

export function Pager({ pages, what }: { pages: Pages<unknown>; what: string }) {
  if (!pages.previous && !pages.next) return null;
  return (
    <nav class="pager" aria-label={`Pages of the ${what}`}>
      <button type="button" class="quiet small" disabled={!pages.previous} onClick={pages.previous}>
        Previous page
      </button>
      <span aria-live="polite">Page {pages.number}</span>
      <button type="button" class="quiet small" disabled={!pages.next} onClick={pages.next}>
        Next page
      </button>
    </nav>
  );
}
