// A block on the customer account Profile page: the customer's points (available, and pending when there are some)
// from the app's `$app.points` metafield, and a button to the loyalty page (extensions/loyalty-page): a full-page
// extension is reached with `extension:<its handle>/`. Without points (none yet, or the metafield cannot be read) the
// block shows its text and the button.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { loadBlockPoints, type BlockPoints } from "./points";

const LOYALTY_PAGE_URL = "extension:loyalty-page/";

export default async () => {
  render(<ProfileBlock />, document.body);
};

function ProfileBlock() {
  const t = shopify.i18n.translate;
  const [points, setPoints] = useState<BlockPoints | null>(null);
  useEffect(() => {
    loadBlockPoints().then(setPoints);
  }, []);
  const count = (n: number) => shopify.i18n.formatNumber(n);
  return (
    <s-section heading={t("heading")}>
      <s-stack gap="base">
        {points !== null && (
          <s-stack gap="small-200">
            <s-text type="strong">{t("points.available", { points: count(points.available) })}</s-text>
            {points.pending > 0 && (
              <s-text color="subdued">{t("points.pending", { points: count(points.pending) })}</s-text>
            )}
          </s-stack>
        )}
        <s-paragraph>{t("body")}</s-paragraph>
        <s-button href={LOYALTY_PAGE_URL}>{t("link")}</s-button>
      </s-stack>
    </s-section>
  );
}
