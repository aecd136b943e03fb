// A new campaign, from a template (?template=win_back) or from scratch; saved, it starts at once.
import { useEffect } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import { Layout, Page } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { authenticate } from "../shopify.server";
import { newCampaignPage, submitCampaign, type CampaignFormResult } from "../services/campaigns.server";
import { CampaignForm } from "../components/CampaignForm";
import { campaignLineFormContext } from "../services/campaign-line.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [page, line] = await Promise.all([
    newCampaignPage(session.shop, new URL(request.url).searchParams.get("template")),
    campaignLineFormContext(session.shop),
  ]);
  return { ...page, line };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const result = (await submitCampaign(session.shop, null, await request.formData()))!;
  return json(result, { status: result.ok ? 200 : 400 });
};

export default function NewCampaign() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const fetcher = useFetcher<CampaignFormResult>();
  const navigate = useNavigate();
  useEffect(() => {
    if (fetcher.data?.ok) navigate(`/app/campaigns/${fetcher.data.id}`);
  }, [fetcher.data, navigate]);
  return (
    <Page title={t("campaigns.newTitle")} backAction={{ content: t("campaigns.title"), url: "/app/campaigns" }}>
      <Layout>
        <Layout.Section>
          <CampaignForm
            // A template's name in the admin's language (the merchant can change it)
            initial={
              data.values.template === "custom"
                ? data.values
                : { ...data.values, name: t(`campaigns.template.${data.values.template}.name`) }
            }
            currency={data.currency}
            segmentNames={data.segmentNames}
            tiers={data.tiers}
            insightChoices={data.insightChoices}
            issues={fetcher.data && !fetcher.data.ok ? fetcher.data.issues : []}
            busy={fetcher.state !== "idle"}
            submitLabel={t("campaigns.start")}
            abTest
            line={{ ...data.line, mode: "off" }}
            onSubmit={(form) => fetcher.submit(form, { method: "post" })}
          />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
