// What the Partner Dashboard approved for this app, said by the tests rather than assumed by the local Shopify (which
// approves nothing by default): protected customer data, with the name and email fields the app reads of customers.
import type { ProtectedCustomerData } from "../../simulator/admin/index";

export const APP_APPROVAL: ProtectedCustomerData = { level: 2, fields: ["name", "email"] };
