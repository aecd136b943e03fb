// The embedded admin's frame: Polaris + App Bridge, the admin's language, navigation, and Shopify's error/headers
// boundary.
import { useEffect, useMemo } from "react";
import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Link,
  Outlet,
  useLoaderData,
  useNavigation,
  useRouteError,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { I18nextProvider, useTranslation } from "react-i18next";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisTh from "@shopify/polaris/locales/th.json";
import { authenticate } from "../shopify.server";
import { env } from "../env.server";
import { createI18n, resolveLocale, resources } from "../i18n";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  // Shopify admin opens the app with its own language in `locale`.
  const locale = resolveLocale(new URL(request.url).searchParams.get("locale"));
  return { apiKey: env.SHOPIFY_API_KEY, appBridgeUrl: env.APP_BRIDGE_URL ?? null, locale };
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: resources[data?.locale ?? "en"].translation.app.title },
];

// The frame's data (API key, language) holds for the whole visit: navigating between the app's pages, which drops
// Shopify's query parameters, must not fall back to English.
export const shouldRevalidate: ShouldRevalidateFunction = () => false;

const POLARIS_TRANSLATIONS = { en: polarisEn, th: polarisTh };

export default function App() {
  const { apiKey, appBridgeUrl, locale } = useLoaderData<typeof loader>();
  const i18n = useMemo(() => createI18n(locale), [locale]);
  return (
    <I18nextProvider i18n={i18n}>
      <AppProvider
        isEmbeddedApp
        apiKey={apiKey}
        i18n={POLARIS_TRANSLATIONS[locale]}
        {...(appBridgeUrl ? { __APP_BRIDGE_URL: appBridgeUrl } : {})}
      >
        <Navigation />
        <Outlet />
      </AppProvider>
    </I18nextProvider>
  );
}

function Navigation() {
  const { t } = useTranslation();
  // Shopify admin's loading bar while the next page loads.
  const loading = useNavigation().state !== "idle";
  useEffect(() => {
    (window as { shopify?: { loading(on: boolean): void } }).shopify?.loading(loading);
  }, [loading]);
  return (
    <NavMenu>
      <Link to="/app" rel="home">
        {t("app.nav.dashboard")}
      </Link>
      <Link to="/app/segments">{t("app.nav.segments")}</Link>
      <Link to="/app/customers">{t("app.nav.customers")}</Link>
      <Link to="/app/tiers">{t("app.nav.tiers")}</Link>
      <Link to="/app/points">{t("app.nav.points")}</Link>
      <Link to="/app/rewards">{t("app.nav.rewards")}</Link>
      <Link to="/app/predictions">{t("app.nav.predictions")}</Link>
      <Link to="/app/products">{t("app.nav.products")}</Link>
      <Link to="/app/campaigns">{t("app.nav.campaigns")}</Link>
      <Link to="/app/referrals">{t("referrals.nav")}</Link>
      <Link to="/app/channels">{t("channels.nav")}</Link>
      <Link to="/app/analytics">{t("app.nav.analytics")}</Link>
      <Link to="/app/settings">{t("app.nav.settings")}</Link>
    </NavMenu>
  );
}

// Shopify needs Remix to catch some thrown responses so that their headers are included in the response.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
