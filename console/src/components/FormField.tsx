/**
 * One field of a form that shows the API's messages: the label, the input (given by the form, its
 * id and ARIA attributes set here), an optional help line and, when the API's message is about
 * this field, that message, marked as the input's description and `aria-invalid`.
 */
import { cloneElement, type JSX } from "preact";

export interface FormFieldProps {
  /** The input's id. */
  readonly id: string;
  /** The base of the help and error lines' ids (`<base>-help`, `<base>-error`). */
  readonly messageId: string;
  readonly label: string;
  readonly input: JSX.Element;
  readonly help?: string | undefined;
  /** The API's message about this field, if any. */
  readonly error?: string | undefined;
}

export function FormField({ id, messageId, label, input, help, error }: FormFieldProps) {
  const invalid = error !== undefined;
  const describedBy = [help ? `${messageId}-help` : "", invalid ? `${messageId}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {cloneElement(input, { id, "aria-invalid": invalid, "aria-describedby": describedBy || undefined })}
      {help && (
        <p id={`${messageId}-help`} class="help">
          {help}
        </p>
      )}
      {invalid && (
        <p id={`${messageId}-error`} class="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
