// The admin's locale inside components (set by the app frame from Shopify admin's `locale`).
import { useTranslation } from "react-i18next";
import { resolveLocale, type Locale } from "./index";

export function useLocale(): Locale {
  return resolveLocale(useTranslation().i18n.language);
}
