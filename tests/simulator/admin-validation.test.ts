// The Admin API double refuses what Shopify refuses, in Shopify's words, and never invents data it does not model.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAdminSimulator, type AdminSimulator } from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import { APP_APPROVAL } from "../support/approval";

let sim: AdminSimulator;
let shop: string;
let customerId: string;

beforeEach(() => {
  sim = createAdminSimulator({ apiKey: "key", apiSecret: "secret", protectedCustomerData: APP_APPROVAL });
  const seeded = seedDemoShop(sim);
  shop = seeded.domain;
  customerId = seeded.customers[0].id;
});
afterEach(() => sim.dispose());

describe("document validation against the 2026-04 schema", () => {
  it("refuses an unknown field with code undefinedField", async () => {
    // Given a query selecting a field Customer does not have
    const query = `query One($id: ID!) { customer(id: $id) { id foo } }`;
    // When it is sent
    const { status, body } = await sim.graphql(shop, { query, variables: { id: customerId } });
    // Then Shopify's validation error comes back with HTTP 200 and no data
    expect(status).toBe(200);
    expect(body).toEqual({
      errors: [
        {
          message: "Field 'foo' doesn't exist on type 'Customer'",
          locations: [{ line: 1, column: 46 }],
          path: ["query One", "customer", "foo"],
          extensions: { code: "undefinedField", typeName: "Customer", fieldName: "foo" },
        },
      ],
    });
  });

  it("refuses a literal argument of the wrong type", async () => {
    // Given `first` given a string
    const { body } = await sim.graphql(shop, { query: `{ customers(first: "ten") { nodes { id } } }` });
    // Then the argumentLiteralsIncompatible error names the argument and the expected type
    expect(body).toEqual({
      errors: [
        {
          message: `Argument 'first' on Field 'customers' has an invalid value ("ten"). Expected type 'Int'.`,
          locations: [{ line: 1, column: 3 }],
          path: ["query", "customers", "first"],
          extensions: { code: "argumentLiteralsIncompatible", typeName: "Field", argumentName: "first" },
        },
      ],
    });
  });

  it("refuses an argument the field does not accept", async () => {
    const { body } = await sim.graphql(shop, { query: `{ customers(frist: 1) { nodes { id } } }` });
    expect(body).toMatchObject({
      errors: [
        {
          message: "Field 'customers' doesn't accept argument 'frist'",
          path: ["query", "customers", "frist"],
          extensions: { code: "argumentNotAccepted", name: "customers", typeName: "Field", argumentName: "frist" },
        },
      ],
    });
  });

  it("refuses a variable declared with a type that does not fit the argument", async () => {
    // Given $first declared as String but used for an Int argument
    const { body } = await sim.graphql(shop, {
      query: `query Q($first: String) { customers(first: $first) { nodes { id } } }`,
      variables: { first: "1" },
    });
    expect(body).toMatchObject({
      errors: [
        {
          message: "Type mismatch on variable $first and argument first (String / Int)",
          extensions: {
            code: "variableMismatch",
            variableName: "first",
            typeName: "String",
            argumentName: "first",
            errorMessage: "Type mismatch",
          },
        },
      ],
    });
  });

  it("refuses a variable value of the wrong type", async () => {
    // Given an Int variable given a string value
    const { body } = await sim.graphql(shop, {
      query: `query Q($first: Int!) { customers(first: $first) { nodes { id } } }`,
      variables: { first: "ten" },
    });
    expect(body).toEqual({
      errors: [
        {
          message: "Variable $first of type Int! was provided invalid value",
          locations: [{ line: 1, column: 9 }],
          extensions: { value: "ten", problems: [{ path: [], explanation: `Could not coerce value "ten" to Int` }] },
        },
      ],
    });
  });

  it("refuses a missing required variable", async () => {
    const { body } = await sim.graphql(shop, {
      query: `query Q($id: ID!) { customer(id: $id) { id } }`,
      variables: {},
    });
    expect(body).toMatchObject({
      errors: [
        {
          message: "Variable $id of type ID! was provided invalid value",
          extensions: { value: null, problems: [{ path: [], explanation: "Expected value to not be null" }] },
        },
      ],
    });
  });

  it("refuses an unused variable", async () => {
    const { body } = await sim.graphql(shop, {
      query: `query Q($id: ID!, $unused: Int) { customer(id: $id) { id } }`,
      variables: { id: customerId },
    });
    expect(body).toMatchObject({
      errors: [
        {
          message: "Variable $unused is declared by Q but not used",
          path: ["query Q"],
          extensions: { code: "variableNotUsed", variableName: "unused" },
        },
      ],
    });
  });

  it("refuses an unknown field inside an input object variable", async () => {
    const query = `mutation M($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }`;
    const { body } = await sim.graphql(shop, {
      query,
      variables: {
        m: [{ ownerId: customerId, key: "tier", value: "gold", type: "single_line_text_field", colour: "red" }],
      },
    });
    expect(body).toMatchObject({
      errors: [
        {
          message:
            "Variable $m of type [MetafieldsSetInput!]! was provided invalid value for 0.colour (Field is not defined on MetafieldsSetInput)",
          extensions: {
            problems: [{ path: [0, "colour"], explanation: "Field is not defined on MetafieldsSetInput" }],
          },
        },
      ],
    });
  });

  it("answers a syntax error with a parse error, not a crash", async () => {
    const { status, body } = await sim.graphql(shop, { query: `{ shop { name }` });
    expect(status).toBe(200);
    expect(body).toEqual({ errors: [{ message: "Unexpected end of document", locations: [{ line: 1, column: 16 }] }] });
  });
});

describe("fields the simulator does not model", () => {
  it("fail loudly with the field's name instead of returning null silently", async () => {
    // Given a valid query selecting Customer.note, which the simulator does not model
    const { body } = await sim.graphql(shop, {
      query: `query Q($id: ID!) { customer(id: $id) { id note } }`,
      variables: { id: customerId },
    });
    // Then the response carries an error naming the field
    expect(body).toMatchObject({
      errors: [
        {
          message: "simulator does not implement Customer.note",
          path: ["customer", "note"],
          extensions: { code: "SIMULATOR_NOT_IMPLEMENTED" },
        },
      ],
    });
  });
});
