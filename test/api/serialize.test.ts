import { describe, expect, it } from "vitest";
import { envelope, JsonText, serializeJson } from "../../src/api/envelope.js";

const text = (payload: unknown) => {
  const out = serializeJson(payload);
  return typeof out === "string" ? out : out.toString("utf8");
};

describe("serializeJson", () => {
  const items = [
    { queryId: "a", name: "Ünïcode — “quotes”", query: 'SELECT "x"\n\tFROM y' },
    { queryId: "b", name: "plain", query: "SELECT 1" },
  ];

  it("answers plain JSON text when no item is pre-serialised", () => {
    const body = envelope(items, { message: "ok" });
    expect(serializeJson(body)).toBe(JSON.stringify(body));
  });

  it("splices pre-serialised items in, byte for byte what JSON.stringify makes of the objects", () => {
    const mixed = envelope([new JsonText(JSON.stringify(items[0])), items[1]], {
      nextLink: "https://example.test/next?skipToken=x",
    });
    const out = serializeJson(mixed);
    expect(Buffer.isBuffer(out)).toBe(true);
    expect(text(mixed)).toBe(
      JSON.stringify(envelope(items, { nextLink: "https://example.test/next?skipToken=x" })),
    );
    expect(JSON.parse(text(mixed)).value).toEqual(items);
  });

  it("keeps the envelope's field order and extension fields", () => {
    const body = { ...envelope([new JsonText('{"a":1}')]), diagnostics: [{ line: 1 }] };
    expect(Object.keys(JSON.parse(text(body)))).toEqual([
      "value",
      "nextLink",
      "totalCount",
      "message",
      "statusCode",
      "dataRedacted",
      "diagnostics",
    ]);
  });

  it("writes a value list of only pre-serialised items, and one with a single item", () => {
    expect(text({ value: [new JsonText("1"), new JsonText('"two"')] })).toBe('{"value":[1,"two"]}');
    expect(text(envelope([new JsonText("{}")]))).toBe(JSON.stringify(envelope([{}])));
  });
});
