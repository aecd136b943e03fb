// Sessions stored in Prisma come back as the same Session objects the library stored.
import { Session } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { SessionTableStorage, readSessionRow } from "../../app/models/session-storage.server";

const storage = new SessionTableStorage();

describe("Prisma session storage", () => {
  it("round-trips an offline session with an expiring token", async () => {
    const session = new Session({
      id: "offline_a.myshopify.com",
      shop: "a.myshopify.com",
      state: "s",
      isOnline: false,
    });
    session.scope = "read_orders,write_customers";
    session.accessToken = "shpat_abc";
    session.expires = new Date("2027-01-01T00:00:00Z");
    session.refreshToken = "shprt_xyz";
    session.refreshTokenExpires = new Date("2027-06-01T00:00:00Z");
    await storage.storeSession(session);
    const loaded = await storage.loadSession(session.id);
    expect(loaded?.toObject()).toEqual(session.toObject());
    // The webhook path reads sessions through a prepared statement (SQLite or PostgreSQL): the very same row
    expect(await readSessionRow(session.id)).toEqual(await prisma.session.findUnique({ where: { id: session.id } }));
    expect(loaded?.isActive("read_orders,write_customers")).toBe(true);
  });

  it("round-trips an online session with its staff member, then finds and deletes by shop", async () => {
    const session = new Session({ id: "a.myshopify.com_42", shop: "a.myshopify.com", state: "s", isOnline: true });
    session.accessToken = "shpua_1";
    session.onlineAccessInfo = {
      expires_in: 86400,
      associated_user_scope: "read_orders",
      associated_user: {
        id: 42,
        first_name: "Ada",
        last_name: "King",
        email: "ada@example.com",
        email_verified: true,
        account_owner: true,
        locale: "th",
        collaborator: false,
      },
    } as Session["onlineAccessInfo"];
    await storage.storeSession(session);
    const loaded = await storage.loadSession(session.id);
    // The prepared-statement read gives exactly the row Prisma gives
    expect(await readSessionRow(session.id)).toEqual(await prisma.session.findUnique({ where: { id: session.id } }));
    expect(loaded?.onlineAccessInfo?.associated_user).toMatchObject({
      id: 42,
      first_name: "Ada",
      email: "ada@example.com",
      locale: "th",
      account_owner: true,
    });
    expect((await storage.findSessionsByShop("a.myshopify.com")).map((s) => s.id).sort()).toEqual([
      "a.myshopify.com_42",
      "offline_a.myshopify.com",
    ]);
    expect(await storage.findSessionsByShop("b.myshopify.com")).toEqual([]);
    await storage.deleteSessions(["a.myshopify.com_42"]);
    await storage.deleteSession("offline_a.myshopify.com");
    expect(await storage.findSessionsByShop("a.myshopify.com")).toEqual([]);
    expect(await storage.loadSession("offline_a.myshopify.com")).toBeUndefined();
  });
});
