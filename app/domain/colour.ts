// Colours the app paints shopper-facing surfaces with (docs/line-messages.md#colours): hex `#RRGGBB` only, and the one
// contrast rule every such colour meets — white text on it reads at WCAG AA, a contrast of 4.5:1 or more. The LINE
// message palette, its default header colour and a merchant's own tier colour (docs/rules.md#tiers-colour) are all
// checked by this rule. Pure: no I/O.

/** A colour as the app stores it: `#` and six hex digits. */
export const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

export const isHexColour = (value: unknown): value is string => typeof value === "string" && HEX_COLOUR.test(value);

/** The contrast white text needs on a background (WCAG 2.x AA, normal-size text). */
export const WHITE_TEXT_MIN_CONTRAST = 4.5;

/** WCAG 2.x relative luminance of a `#RRGGBB` colour, 0 (black) to 1 (white). */
export function relativeLuminance(hex: string): number {
  if (!isHexColour(hex)) throw new RangeError(`not a #RRGGBB colour: ${JSON.stringify(hex)}`);
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Contrast of white text on `hex` (1 for white itself, 21 for black). */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (relativeLuminance(hex) + 0.05);
}

/** Contrast of black text on `hex`. */
export function contrastWithBlack(hex: string): number {
  return (relativeLuminance(hex) + 0.05) / 0.05;
}

/** The rule: white text on `hex` reads at 4.5:1 or more. */
export function carriesWhiteText(hex: string): boolean {
  return contrastWithWhite(hex) >= WHITE_TEXT_MIN_CONTRAST;
}
