// A shop's LINE message templates and switches (ChannelTemplate; docs/line-messages.md). No row for an event: the
// built-in English and Thai defaults, switched on once the shop has connected its LINE Messaging API channel (off
// before: nothing can be sent, and a merchant connecting LINE gets messages without another step). A saved row's
// switch wins either way. Every read and write is keyed by the shop.
import { prisma } from "../db.server";
import { defaultTemplate, LINE_EVENTS, type LineEvent, type Template } from "../domain/line-messages";

export interface LineTemplateSetting {
  enabled: boolean;
  en: Template;
  th: Template;
}

const CHANNEL = "line";

/** Whether the shop has a LINE Messaging API connection saved (whatever its last test said). */
export async function lineConnected(shop: string): Promise<boolean> {
  const row = await prisma.channelConnection.findUnique({
    where: { shop_channel: { shop, channel: "line-messaging" } },
    select: { shop: true },
  });
  return row !== null;
}

/** Every event's switch and templates: what was saved, else the defaults (on when LINE is connected). */
export async function lineTemplates(shop: string): Promise<Record<LineEvent, LineTemplateSetting>> {
  const [rows, connected] = await Promise.all([
    prisma.channelTemplate.findMany({ where: { shop, channel: CHANNEL } }),
    lineConnected(shop),
  ]);
  const out = {} as Record<LineEvent, LineTemplateSetting>;
  for (const event of LINE_EVENTS) {
    const row = rows.find((r) => r.event === event);
    out[event] = row
      ? {
          enabled: row.enabled,
          en: { title: row.titleEn, body: row.bodyEn, button: row.buttonEn },
          th: { title: row.titleTh, body: row.bodyTh, button: row.buttonTh },
        }
      : { enabled: connected, en: defaultTemplate(event, "en"), th: defaultTemplate(event, "th") };
  }
  return out;
}

/** Which events have a saved row (the rest follow the defaults). */
export async function customisedEvents(shop: string): Promise<LineEvent[]> {
  const rows = await prisma.channelTemplate.findMany({
    where: { shop, channel: CHANNEL },
    select: { event: true },
  });
  return LINE_EVENTS.filter((e) => rows.some((r) => r.event === e));
}

/** Saves one event's switch and both templates (already validated by the service). */
export function saveLineTemplate(shop: string, event: LineEvent, setting: LineTemplateSetting) {
  const data = {
    enabled: setting.enabled,
    titleEn: setting.en.title,
    bodyEn: setting.en.body,
    buttonEn: setting.en.button,
    titleTh: setting.th.title,
    bodyTh: setting.th.body,
    buttonTh: setting.th.button,
  };
  return prisma.channelTemplate.upsert({
    where: { shop_channel_event: { shop, channel: CHANNEL, event } },
    create: { shop, channel: CHANNEL, event, ...data },
    update: data,
  });
}

/** Back to the defaults for one event (its row goes). */
export async function resetLineTemplate(shop: string, event: LineEvent): Promise<number> {
  const { count } = await prisma.channelTemplate.deleteMany({ where: { shop, channel: CHANNEL, event } });
  return count;
}
