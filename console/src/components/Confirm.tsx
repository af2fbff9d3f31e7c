/** A modal confirmation (the native dialog element: focus trapped, Escape cancels). */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export interface ConfirmProps {
  readonly title: string;
  readonly confirmLabel: string;
  readonly children: ComponentChildren;
  onConfirm(): void;
  onCancel(): void;
}

export function Confirm({ title, confirmLabel, children, onConfirm, onCancel }: ConfirmProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} aria-labelledby="confirm-title" onClose={onCancel} class="confirm">
      <h2 id="confirm-title">{title}</h2>
      <div>{children}</div>
      <div class="buttons">
        <button type="button" class="quiet" onClick={onCancel} autofocus>
          Cancel
        </button>
        <button type="button" class="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
