// `npm run demo` as a new user runs it (README's quick start): it prints a URL, and that URL shows the app in a
// real browser with the demo shop installed.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { newPage } from "../support/browser";
import { freePort } from "../support/app-server";

let demo: ChildProcess | undefined;
afterAll(async () => {
  // The demo stops its app server on SIGTERM; wait for it, so no server outlives the test.
  if (!demo || demo.exitCode !== null) return;
  const exited = new Promise((resolve) => demo!.once("exit", resolve));
  demo.kill("SIGTERM");
  await exited;
});

function waitForUrl(child: ChildProcess, timeoutMs: number): Promise<{ url: string; output: string }> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`no URL within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/app\?\S+?)(\x1b\[0m|\s)/.exec(output);
      // The storefront's one-time sign-in link is printed after the app's URL, possibly in a later chunk: wait for it.
      if (match && /\/account\/login\/multipass\/\S+\s/.test(output)) {
        clearTimeout(timer);
        resolve({ url: match[1], output });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
}

describe("npm run demo", () => {
  it("starts the simulator and the app, installs the demo shop and prints a URL that opens the app", async () => {
    const [port, simulatorPort] = [await freePort(), await freePort()];
    // The suite has already built the app (npm test builds first), so skip the build here.
    demo = spawn(
      process.execPath,
      // One process (tsx as a loader, not its CLI wrapper), so the SIGTERM reaches demo.ts itself.
      [
        "--import",
        "tsx",
        "simulator/demo.ts",
        "--no-build",
        "--port",
        String(port),
        "--simulator-port",
        String(simulatorPort),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const { url, output } = await waitForUrl(demo, 60_000);
    expect(output).toMatch(/Installed into demo-loyalty\.myshopify\.com/);
    expect(output).toMatch(/Sync done: 200 customers tagged/);
    // The demo merchant's points programme, set up through the app's own admin actions: rewards and a year's grant
    expect(output).toMatch(
      /Points programme started a year back \(a retroactive grant: [1-9]\d* journal entries\) with 4 rewards/,
    );

    // The operator CLI as the demo tells users to run it, in a process of its own: the app already synced
    // everything, so a sync now finds nothing to send.
    // (This test process's own DATABASE_URL is in the CLI's environment too: the named --env file wins over it.)
    const cli = spawnSync(
      process.execPath,
      ["scripts/loyalty.mjs", "sync", "--shop", "demo-loyalty.myshopify.com", "--env", "tmp/demo/demo.env"],
      {
        encoding: "utf8",
      },
    );
    expect(cli.status, `${cli.stderr}\n${cli.stdout}`).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ status: "done", reason: "manual", changed: 0, requests: 0 });
    // The demo shop is small and its customers drop out alike (a fit on the models' edge): it still fits.
    const predict = spawnSync(
      process.execPath,
      [
        "scripts/loyalty.mjs",
        "predict",
        "--shop",
        "demo-loyalty.myshopify.com",
        "--env",
        "tmp/demo/demo.env",
        "--json",
      ],
      { encoding: "utf8" },
    );
    expect(predict.status, `${predict.stderr}\n${predict.stdout}`).toBe(0);
    const fit = JSON.parse(predict.stdout);
    expect(fit).toMatchObject({ status: "fitted", timeUnit: "week", bgnbd: { converged: true } });
    expect(fit.predictions.length).toBe(fit.customers);

    const { page, errors } = await newPage();
    await page.goto(url, { waitUntil: "networkidle" });
    await expect.poll(() => page.getByText("demo-loyalty.myshopify.com").count()).toBeGreaterThan(0);
    await page.screenshot({ path: "tmp/screenshots/demo-dashboard.png" });
    expect(errors).toEqual([]);

    // LINE and Klaviyo are connected through the app, and a shopper can link LINE on the demo's loyalty page
    expect(output).toMatch(/Channels connected through the app: line-messaging, line-login, klaviyo/);
    const signIn = /(http:\/\/127\.0\.0\.1:\d+\/store\/\S+\/account\/login\/multipass\/\S+)/.exec(output)![1];
    await page.goto(signIn);
    await Promise.all([
      page.waitForURL(/oauth2\/v2\.1\/authorize/),
      page.getByRole("button", { name: "Link LINE" }).click(),
    ]);
    await Promise.all([page.waitForURL(/line=linked/), page.getByRole("button", { name: "Allow" }).click()]);
    expect(await page.locator(".loyalty-page").textContent()).toContain("Linked as Demo Shopper (LINE)");
  }, 90_000);
});
