/**
 * A long list an operator narrows down (the load history, the audit log): a filter form whose
 * fields the page gives, with "Show …" and "Clear filters"; then the page of rows as a table in a
 * scrolling region (cards of labelled lines on narrow screens), and the pager.
 */
import type { ComponentChildren, JSX } from "preact";
import { useState } from "preact/hooks";
import type { Pages } from "../usePages";
import { Pager } from "./Pager";
import { ScrollRegion } from "./ScrollRegion";
import { ErrorNotice, Loading } from "./Status";

/** The filters being typed (`draft`) and those the list shows (`applied`, on "Show"). */
export interface Filters<F> {
  readonly draft: F;
  readonly applied: F;
  setDraft(update: (draft: F) => F): void;
  apply(): void;
  clear(): void;
}

export function useFilters<F>(none: F): Filters<F> {
  const [draft, setDraft] = useState<F>(none);
  const [applied, setApplied] = useState<F>(none);
  return {
    draft,
    applied,
    setDraft,
    apply: () => setApplied(draft),
    clear: () => {
      setDraft(none);
      setApplied(none);
    },
  };
}

export interface FilterFieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  set(value: string): void;
  /** A choice among these [value, label] pairs instead of a text input. */
  readonly options?: readonly (readonly [string, string])[];
  readonly type?: "text" | "datetime-local";
  /** A datalist of suggestions for a text input. */
  readonly list?: string;
  readonly disabled?: boolean;
  readonly help?: string;
}

/** One labelled filter: a text or time input, or a select. */
export function FilterField({
  id,
  label,
  value,
  set,
  options,
  type = "text",
  list,
  disabled,
  help,
}: FilterFieldProps) {
  const helpId = help ? `${id}-help` : undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {options ? (
        <select
          id={id}
          value={value}
          disabled={disabled}
          aria-describedby={helpId}
          onChange={(e) => set(e.currentTarget.value)}
        >
          {options.map(([choice, text]) => (
            <option key={choice} value={choice}>
              {text}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type={type}
          list={list}
          value={value}
          disabled={disabled}
          aria-describedby={helpId}
          onInput={(e) => set(e.currentTarget.value)}
        />
      )}
      {help && (
        <p id={helpId} class="help">
          {help}
        </p>
      )}
    </div>
  );
}

export interface FilteredTableProps<T> {
  readonly filters: Filters<unknown>;
  /** The filter form's accessible name, e.g. "Filter the loads". */
  readonly formLabel: string;
  /** The submit button, e.g. "Show loads". */
  readonly showLabel: string;
  /** The filter fields. */
  readonly children: ComponentChildren;
  readonly pages: Pages<T>;
  /** How the list is named: while loading ("the audit log"), to the pager ("audit log"), as a region. */
  readonly names: { readonly loading: string; readonly pager: string; readonly region: string };
  readonly empty: string;
  /** The table's class beside `stack` (the narrow-screen cards). */
  readonly tableClass: string;
  readonly columns: readonly string[];
  /** One row: a `tr` whose cells carry `data-label`, the column's name on narrow screens. */
  row(item: T): JSX.Element;
}

export function FilteredTable<T>(props: FilteredTableProps<T>) {
  const { filters, pages, names } = props;
  const { page } = pages;
  return (
    <>
      <form
        class="card filters"
        aria-label={props.formLabel}
        onSubmit={(e) => {
          e.preventDefault();
          filters.apply();
        }}
      >
        <div class="fields">{props.children}</div>
        <div class="buttons">
          <button type="submit">{props.showLabel}</button>
          <button type="button" class="quiet" onClick={filters.clear}>
            Clear filters
          </button>
        </div>
      </form>
      {page.error !== undefined && <ErrorNotice error={page.error} onRetry={page.reload} />}
      {page.loading && !page.data && <Loading what={names.loading} />}
      {page.data && page.data.value.length === 0 && <p class="help">{props.empty}</p>}
      {page.data && page.data.value.length > 0 && (
        <ScrollRegion label={names.region}>
          <table class={`${props.tableClass} stack`}>
            <caption class="visually-hidden">
              {names.region}, page {pages.number}
            </caption>
            <thead>
              <tr>
                {props.columns.map((column) => (
                  <th key={column} scope="col">
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{page.data.value.map(props.row)}</tbody>
          </table>
        </ScrollRegion>
      )}
      <Pager pages={pages} what={names.pager} />
    </>
  );
}
