import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GENESIS_HASH, canonicalJson, eventHash, eventHashCanonical, sha256Hex } from "../../src/store/hash.ts";

describe("canonicalJson", () => {
  it("sorts keys at every depth and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: "s p" } })).toBe('{"a":{"c":"s p","d":[3,{"x":2,"y":1}]},"b":1}');
  });

  it("drops undefined properties like JSON.stringify and refuses what JSON cannot round-trip", () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    for (const bad of [Number.NaN, Infinity, [undefined], 10n, () => 1, new Date(0), new Map(), Symbol("s")]) {
      expect(() => canonicalJson(bad), String(bad)).toThrow(expect.objectContaining({ code: "NOT_JSON" }));
    }
  });

  it("names where the refused value is, at any depth", () => {
    expect(() => canonicalJson({ a: { b: [1, { c: Number.NaN }] } })).toThrow("$.a.b[1].c: NaN is not representable in JSON");
    expect(() => canonicalJson({ ok: "x", when: new Date(0) })).toThrow("$.when: only plain objects are JSON (got Date)");
    expect(() => canonicalJson([1, [2, 10n]])).toThrow("$[1][1]: a bigint is not JSON");
  });

  it("is stable under key order and survives a parse round trip", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
        const reversed = Object.fromEntries(Object.entries(o).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(o));
      }),
    );
  });
});

describe("sha256Hex", () => {
  it("is SHA-256 of the UTF-8 bytes, whichever of Node's APIs computes it", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    for (const text of ["", "整改事项 1：未按规定公示服务项目", "emoji 😀 and a lone \ud800 surrogate", "x".repeat(100_000)]) {
      expect(sha256Hex(text)).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
    }
    fc.assert(fc.property(fc.string({ unit: "binary" }), (t) => sha256Hex(t) === createHash("sha256").update(t, "utf8").digest("hex")));
  });
});

describe("eventHash", () => {
  const fields = {
    seq: 1,
    at: "2025-03-01T09:00:00+08:00",
    actor: { kind: "engine" } as const,
    type: "campaign.started",
    payload: { b: 2, a: 1 },
    planHash: "p1",
  };

  it("is SHA-256 over prevHash, a newline and the canonical fields", () => {
    const expected = sha256Hex(
      GENESIS_HASH + "\n" + '{"actor":{"kind":"engine"},"assignment":null,"at":"2025-03-01T09:00:00+08:00","payload":{"a":1,"b":2},"planHash":"p1","seq":1,"type":"campaign.started"}',
    );
    expect(eventHash(GENESIS_HASH, fields)).toBe(expected);
    // A frozen vector: changing the hash format silently would orphan every recorded head.
    expect(expected).toBe("9b9865dc80cb1967311f8c85ddb6cd0b8ab37be32aacb825f900b816cf3b4a3c");
  });

  it("changes with every hashed field and with the previous hash", () => {
    const base = eventHash(GENESIS_HASH, fields);
    const variants = [
      eventHash("1".repeat(64), fields),
      eventHash(GENESIS_HASH, { ...fields, seq: 2 }),
      eventHash(GENESIS_HASH, { ...fields, at: "2025-03-01T01:00:00Z" }),
      eventHash(GENESIS_HASH, { ...fields, actor: { kind: "person", person: "p" } }),
      eventHash(GENESIS_HASH, { ...fields, type: "x" }),
      eventHash(GENESIS_HASH, { ...fields, payload: { a: 1, b: 3 } }),
      eventHash(GENESIS_HASH, { ...fields, planHash: "p2" }),
      eventHash(GENESIS_HASH, { ...fields, assignment: "a1" }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
});

describe("eventHashCanonical", () => {
  it("gives the same hash as eventHash for any event, from the stored canonical parts", () => {
    fc.assert(
      fc.property(
        fc.record({
          seq: fc.integer({ min: 1, max: 1e9 }),
          at: fc.string(),
          actor: fc.oneof(fc.constant({ kind: "engine" as const }), fc.record({ kind: fc.constant("unit" as const), unit: fc.string({ minLength: 1 }) })),
          type: fc.string(),
          payload: fc.jsonValue(),
          planHash: fc.string(),
          assignment: fc.option(fc.string(), { nil: undefined }),
        }),
        fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 }),
        (e, prev) => {
          const viaParts = eventHashCanonical(prev, { ...e, actorJson: canonicalJson(e.actor), payloadJson: canonicalJson(e.payload) });
          expect(viaParts).toBe(eventHash(prev, e));
        },
      ),
      { numRuns: 300 },
    );
  });
});
