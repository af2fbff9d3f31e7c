/**
 * A text area over its coloured copy: the person types in a plain textarea (every keyboard and
 * screen-reader feature intact) while the layer beneath shows colours and diagnostic marks.
 */
import { useRef } from "preact/hooks";
import type { Diagnostic } from "../api";
import { highlight } from "./highlight";

export interface QueryEditorProps {
  readonly id: string;
  readonly value: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly describedBy?: string;
  onChange(value: string): void;
}

export function QueryEditor({ id, value, diagnostics, describedBy, onChange }: QueryEditorProps) {
  const layer = useRef<HTMLPreElement>(null);
  const follow = (area: HTMLTextAreaElement) => {
    if (!layer.current) return;
    layer.current.scrollTop = area.scrollTop;
    layer.current.scrollLeft = area.scrollLeft;
  };
  return (
    <div class="editor">
      <pre class="layer" aria-hidden="true" ref={layer}>
        {highlight(value, diagnostics).map((span, i) => (
          <span key={i} class={`t-${span.kind}${span.marked ? " marked" : ""}`}>
            {span.text}
          </span>
        ))}
        {/* a last line break keeps the layer as tall as the text area */}
        {"\n"}
      </pre>
      <textarea
        id={id}
        class="source"
        value={value}
        spellcheck={false}
        autocomplete="off"
        autocapitalize="off"
        rows={6}
        aria-invalid={diagnostics.length > 0}
        aria-describedby={describedBy}
        onInput={(e) => {
          onChange(e.currentTarget.value);
          follow(e.currentTarget);
        }}
        onScroll={(e) => follow(e.currentTarget)}
      />
    </div>
  );
}
