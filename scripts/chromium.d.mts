/** Launch flags for the browser tests' headless Chromium. */
export const CHROMIUM_ARGS: string[];
/** Unpacks the Chromium shipped in @sparticuz/chromium (once) and returns its path and launch environment. */
export function ensureChromium(): { executablePath: string; env: Record<string, string> };
