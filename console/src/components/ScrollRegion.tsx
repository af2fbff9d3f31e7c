/**
 * A box that scrolls its wide table sideways. It is a named region in the tab order: a person on
 * a keyboard can only scroll a box they can focus (WCAG 2.1.1; axe's scrollable-region-focusable).
 */
import type { ComponentChildren } from "preact";

export function ScrollRegion({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable box must be focusable to be scrolled by keyboard
    <section class="table-scroll" tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
