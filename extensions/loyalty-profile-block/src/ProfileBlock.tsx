// A block on the customer account Profile page that opens the loyalty page (extensions/loyalty-page): a full-page
// extension is reached with `extension:<its handle>/`.
import "@shopify/ui-extensions/preact";
import { render } from "preact";

const LOYALTY_PAGE_URL = "extension:loyalty-page/";

export default async () => {
  render(<ProfileBlock />, document.body);
};

function ProfileBlock() {
  const t = shopify.i18n.translate;
  return (
    <s-section heading={t("heading")}>
      <s-stack gap="base">
        <s-paragraph>{t("body")}</s-paragraph>
        <s-button href={LOYALTY_PAGE_URL}>{t("link")}</s-button>
      </s-stack>
    </s-section>
  );
}
