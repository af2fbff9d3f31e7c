import type { DatasetDef } from "../../src/datasets/types.js";

/** A small dataset with every column type, used by the language's unit tests. */
export const salesDataset: DatasetDef = {
  name: "Sales",
  aliases: ["SalesOld"],
  description: "Test sales",
  columns: [
    { name: "CustomerName", type: "string" },
    { name: "Market", type: "string" },
    { name: "Month", type: "date" },
    { name: "Seats", type: "integer" },
    { name: "IsTrial", type: "integer" },
    { name: "SoldAt", type: "datetime" },
  ],
  measures: [{ name: "Revenue", type: "decimal" }],
  metrics: [
    { name: "Revenue", aggregation: "sum", source: "Revenue" },
    { name: "TotalSeats", aggregation: "sum", source: "Seats" },
    { name: "CustomerCount", aggregation: "countDistinct", source: "CustomerName" },
    { name: "RowCount", aggregation: "count" },
  ],
  timeColumn: "Month",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LIFETIME"],
  minimumRecurrenceInterval: 4,
};

export const profileDataset: DatasetDef = {
  name: "Profile",
  description: "Snapshot without a time column",
  columns: [
    { name: "MPNId", type: "string" },
    { name: "Country", type: "string" },
  ],
  metrics: [],
  timeColumn: null,
  availableDateRanges: [],
  minimumRecurrenceInterval: 24,
};

export const fixtureDatasets = [salesDataset, profileDataset];
