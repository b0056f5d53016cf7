import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { customerFactsFromPayload, guestEmailHash, marketingStateFromPayload } from "~/services/customer-facts.server";
import { parseExactJson } from "~/utils/json.server";

describe("customer facts from Shopify payloads", () => {
  it("reads Shopify's customers/create example with the exact id from its gid", () => {
    const payload = parseExactJson(readFileSync("../shared/fixtures/shopify-webhooks/customers-create.json", "utf8"));
    const facts = customerFactsFromPayload(payload);
    // The JSON number 706405506930370000 lost digits in the docs; the gid keeps them.
    expect(facts?.customerId).toBe(706405506930370084n);
    expect(facts).toMatchObject({ email: "bob@biller.com", firstName: "Bob", lastName: "Biller" });
    expect(facts?.tags).toBeUndefined();
    expect(marketingStateFromPayload(payload)).toBeNull();
  });

  it("keeps an 18-digit id given as exact JSON text", () => {
    const facts = customerFactsFromPayload(parseExactJson('{"id": 115310627314723954, "email": null, "tags": "vip, wholesale "}'));
    expect(facts?.customerId).toBe(115310627314723954n);
    expect(facts?.email).toBeNull();
    expect(facts?.tags).toEqual(["vip", "wholesale"]);
  });

  it("reads consent, and the birthday from the facts.birth_date metafield", () => {
    const facts = customerFactsFromPayload({
      id: 42,
      email_marketing_consent: { state: "SUBSCRIBED" },
      metafields: [{ namespace: "facts", key: "birth_date", value: "1990-02-28" }],
    });
    expect(facts?.emailMarketingConsent).toBe(true);
    expect(facts?.birthday?.toISOString()).toBe("1990-02-28T00:00:00.000Z");
    expect(customerFactsFromPayload({ id: 42, metafields: [{ namespace: "facts", key: "birth_date", value: "1990-02-30" }] })?.birthday).toBeNull();
    expect(customerFactsFromPayload({ id: 42, accepts_marketing: false })?.emailMarketingConsent).toBe(false);
  });

  it("refuses a payload without a usable id", () => {
    expect(customerFactsFromPayload({ email: "x@y.z" })).toBeNull();
    expect(customerFactsFromPayload({ id: 820982911946154500 })).toBeNull(); // above 2^53 as a JS number: digits lost
    expect(customerFactsFromPayload(null)).toBeNull();
  });

  it("hashes guest emails per shop, case- and space-insensitively", () => {
    const a = guestEmailHash("a.myshopify.com", " Jon@Example.com ");
    expect(a).toBe(guestEmailHash("a.myshopify.com", "jon@example.com"));
    expect(a).not.toBe(guestEmailHash("b.myshopify.com", "jon@example.com"));
    expect(a).not.toContain("example");
  });
});
