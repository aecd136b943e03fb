// The app's URL opened outside Shopify admin: with a shop parameter go to the embedded app, otherwise explain.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return null;
};

export default function Index() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "4rem auto", lineHeight: 1.5 }}>
      <h1>Loyalty &amp; RFM</h1>
      <p>
        Loyalty tiers and RFM segments for Shopify. Open the app from your Shopify admin (Apps → Loyalty &amp; RFM).
      </p>
    </main>
  );
}
