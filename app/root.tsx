import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { resolveLocale, resources } from "./i18n";

export default function App() {
  // The admin's language (the app frame's loader reads it from Shopify admin); English elsewhere.
  const lang = useRouteLoaderData<{ locale?: string }>("routes/app")?.locale ?? "en";
  return (
    <html lang={lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

/**
 * Anything the app's pages did not expect: a plain page in the admin's language (no stack trace), with the status
 * when there is one. Shopify's own auth responses never get here (the app frame's boundary answers them).
 */
export function ErrorBoundary() {
  const error = useRouteError();
  const locale = resolveLocale(useRouteLoaderData<{ locale?: string }>("routes/app")?.locale);
  const text = resources[locale].translation.errors;
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{text.title}</title>
        <Links />
      </head>
      <body style={{ fontFamily: "system-ui, sans-serif", margin: "3rem auto", maxWidth: "36rem", padding: "0 1rem" }}>
        <h1>{text.title}</h1>
        <p>{status === 404 ? text.notFound : text.body}</p>
        <p style={{ color: "#616161" }}>{text.status.replace("{{status}}", String(status))}</p>
        <Scripts />
      </body>
    </html>
  );
}
