// REST-shaped customers/create, customers/update and customers/delete bodies (and the customer inside an order).
import type { CustomerRecord, MailingAddress, ShopRecord } from "../../shop-file/types";
import { derivedId, fromExample, restId, restTimestamp } from "./shared";

export interface RestAddress {
  id: number;
  customer_id: number;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  country: string | null;
  zip: string | null;
  phone: string | null;
  name: string | null;
  province_code: string | null;
  country_code: string | null;
  country_name: string | null;
  default: boolean;
}

function fullName(first: string | null, last: string | null): string | null {
  const name = [first, last].filter((part) => part).join(" ");
  return name || null;
}

/** The customer's default address as REST prints it (names come from the customer: the record's address has none). */
export function restDefaultAddress(customer: CustomerRecord, address: MailingAddress): RestAddress {
  const customerId = restId(customer.id);
  return {
    // The record does not carry an address id; derive a stable one so repeated deliveries agree.
    id: derivedId(`${customer.id}/default-address`),
    customer_id: customerId,
    first_name: customer.firstName,
    last_name: customer.lastName,
    company: null,
    address1: address.address1,
    address2: address.address2,
    city: address.city,
    province: address.province,
    country: address.country,
    zip: address.zip,
    phone: address.phone,
    name: fullName(customer.firstName, customer.lastName),
    province_code: address.provinceCode,
    country_code: address.countryCodeV2,
    country_name: address.country,
    default: true,
  };
}

/** The fields a REST customer shares between the customers/* topics and an order's `customer`. */
function customerFields(customer: CustomerRecord, shop: ShopRecord) {
  const defaultAddress = customer.defaultAddress ? restDefaultAddress(customer, customer.defaultAddress) : null;
  return {
    id: restId(customer.id),
    created_at: restTimestamp(customer.createdAt, shop.ianaTimezone),
    updated_at: restTimestamp(customer.updatedAt, shop.ianaTimezone),
    first_name: customer.firstName,
    last_name: customer.lastName,
    // No customer account in the record: "disabled" is the state of a customer who never activated one.
    state: "disabled",
    note: null,
    verified_email: customer.email !== null,
    multipass_identifier: null,
    tax_exempt: false,
    email: customer.email,
    phone: customer.phone,
    currency: shop.currencyCode,
    tax_exemptions: [] as string[],
    admin_graphql_api_id: customer.id,
    default_address: defaultAddress,
  };
}

/** customers/create and customers/update. The 2026-04 example has no `tags`, so neither do we. */
export function customerPayload(
  topic: "customers/create" | "customers/update",
  customer: CustomerRecord,
  shop: ShopRecord,
): Record<string, unknown> {
  const fields = customerFields(customer, shop);
  return fromExample(topic, { ...fields, addresses: fields.default_address ? [fields.default_address] : [] });
}

/** customers/delete: Shopify sends only the identity of the deleted customer. */
export function customerDeletePayload(customer: Pick<CustomerRecord, "id">): Record<string, unknown> {
  return fromExample("customers/delete", {
    id: restId(customer.id),
    tax_exemptions: [],
    admin_graphql_api_id: customer.id,
  });
}

/**
 * customers_email_marketing_consent/update: the customer's REST id, email address and email marketing consent —
 * the state in lower case as REST prints CustomerEmailMarketingState, the opt-in level of a subscriber (the simulator
 * records single opt-in, as its Admin API says), and when the consent last changed (the record's updatedAt).
 */
export function emailMarketingConsentPayload(customer: CustomerRecord, shop: ShopRecord): Record<string, unknown> {
  if (customer.email === null) throw new Error(`customer ${customer.id} has no email: no email consent to announce`);
  const state = customer.emailMarketingState ?? "NOT_SUBSCRIBED";
  return fromExample("customers_email_marketing_consent/update", {
    customer_id: restId(customer.id),
    email_address: customer.email,
    email_marketing_consent: {
      state: state.toLowerCase(),
      opt_in_level: state === "SUBSCRIBED" ? "single_opt_in" : null,
      consent_updated_at: restTimestamp(customer.updatedAt, shop.ianaTimezone),
    },
  });
}

/**
 * The `customer` object inside an order body. With the full record it is complete; with only the order's
 * `{ id }` reference the rest is null rather than borrowed from the example.
 */
export function orderCustomer(
  reference: { id: string },
  record: CustomerRecord | undefined,
  shop: ShopRecord,
): Record<string, unknown> {
  if (record && record.id !== reference.id) {
    throw new Error(`Customer record ${record.id} does not match the order's customer ${reference.id}`);
  }
  if (record) return customerFields(record, shop);
  return {
    id: restId(reference.id),
    created_at: null,
    updated_at: null,
    first_name: null,
    last_name: null,
    state: "disabled",
    note: null,
    verified_email: false,
    multipass_identifier: null,
    tax_exempt: false,
    email: null,
    phone: null,
    currency: shop.currencyCode,
    tax_exemptions: [],
    admin_graphql_api_id: reference.id,
    default_address: null,
  };
}
