/** Rows of a try-query as a table (columns in the order of the first row). */
export function RowsTable({ rows, caption }: { rows: Record<string, unknown>[]; caption: string }) {
  if (rows.length === 0) return <p class="help">The query returned no rows.</p>;
  const columns = Object.keys(rows[0]!);
  return (
    <div class="table-scroll">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {columns.map((column) => (
                <td key={column}>{row[column] === null ? "" : String(row[column])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
