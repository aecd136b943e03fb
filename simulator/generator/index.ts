// Synthetic shop generator and shop file reader (docs/shop-file-format.md).
export { generateShop } from "./generate";
export { writeShopFile, type WriteShopFileOptions, type WriteShopFileResult } from "./write";
export { readShopFile, ShopFileError } from "./read";
export {
  DEFAULT_OPTIONS,
  PRESETS,
  resolveOptions,
  type GeneratorInput,
  type GeneratorOptions,
  type PresetName,
} from "./options";
export { TruthAccumulator, type CustomerTruth, type TruthSummary } from "./truth";
export { CURRENCIES, currencyDecimals, formatMinor, parseMinor } from "./money";
export {
  customerRecordSchema,
  orderRecordSchema,
  refundRecordSchema,
  shopFileRecordSchema,
  shopRecordSchema,
} from "./schema";
