/** A fieldset of radio buttons choosing one of a few values; what follows the choice comes as children. */
import type { ComponentChildren } from "preact";

export interface ChoiceProps<V extends string> {
  readonly legend: string;
  /** The radio group's name, unique on the page. */
  readonly name: string;
  readonly value: V;
  readonly options: readonly (readonly [V, string])[];
  onChange(value: V): void;
  readonly children?: ComponentChildren;
}

export function Choice<V extends string>({
  legend,
  name,
  value,
  options,
  onChange,
  children,
}: ChoiceProps<V>) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map(([choice, label]) => (
        <label class="inline" key={choice}>
          <input type="radio" name={name} checked={value === choice} onChange={() => onChange(choice)} />{" "}
          {label}
        </label>
      ))}
      {children}
    </fieldset>
  );
}
