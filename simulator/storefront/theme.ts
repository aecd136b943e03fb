// The simulated shop's theme: one minimal layout (layout/theme.liquid), its strings in English and Thai, and the few
// pages the local storefront serves itself (home, sign-in, account, not found). App proxy answers render inside the
// same layout, as on Shopify.

/** layout/theme.liquid: `content_for_layout` is the page, already rendered. */
export const THEME_LAYOUT = `<!doctype html>
<html lang="{{ request.locale.iso_code }}">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{% if page_title != blank %}{{ page_title | escape }} – {% endif %}{{ shop.name | escape }}</title>
    <style>
      body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #fff; }
      .site-header { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: 1rem 1.5rem; border-bottom: 1px solid #ddd; }
      .site-header__shop { font-weight: 700; font-size: 1.25rem; color: inherit; text-decoration: none; }
      .site-header__account a { margin-left: 1rem; color: #1f5199; }
      main { max-width: 48rem; margin: 0 auto; padding: 1.5rem; }
      label, input, button { display: block; font: inherit; }
      input { margin: .25rem 0 1rem; padding: .5rem; width: 100%; max-width: 24rem; box-sizing: border-box; }
      button { padding: .5rem 1rem; }
      .form-error, .liquid-error { color: #b00020; }
    </style>
    {{ content_for_header }}
  </head>
  <body>
    <header class="site-header">
      <a class="site-header__shop" href="{{ routes.root_url }}">{{ shop.name | escape }}</a>
      <nav class="site-header__account" aria-label="{{ 'customer.account' | t }}">
        {%- if customer -%}
          <a href="{{ routes.account_url }}">{{ 'customer.account' | t }}</a>
          <a href="{{ routes.account_logout_url }}">{{ 'customer.log_out' | t }}</a>
        {%- else -%}
          <a href="{{ routes.account_login_url }}">{{ 'customer.log_in' | t }}</a>
        {%- endif -%}
      </nav>
    </header>
    <main id="MainContent">
      {{ content_for_layout }}
    </main>
  </body>
</html>
`;

/** The theme's strings (locales/en.default.json, locales/th.json). Other languages fall back to English, as themes do. */
export const THEME_LOCALES: Record<string, Record<string, unknown>> = {
  en: {
    customer: {
      account: "Account",
      log_in: "Sign in",
      log_out: "Sign out",
      email: "Email",
      submit: "Sign in",
      simulated:
        "Simulated sign-in: the local Shopify signs you in as the shop's customer with this email, no password.",
      incorrect: "Incorrect email or password.",
      welcome: "Signed in as {{ name }}",
    },
    general: { not_found: "Page not found", home: "Welcome", unavailable: "This page is unavailable right now." },
  },
  th: {
    customer: {
      account: "บัญชี",
      log_in: "เข้าสู่ระบบ",
      log_out: "ออกจากระบบ",
      email: "อีเมล",
      submit: "เข้าสู่ระบบ",
      simulated:
        "การเข้าสู่ระบบจำลอง: Shopify ในเครื่องจะให้คุณเข้าสู่ระบบเป็นลูกค้าของร้านที่ใช้อีเมลนี้ โดยไม่ต้องใช้รหัสผ่าน",
      incorrect: "อีเมลหรือรหัสผ่านไม่ถูกต้อง",
      welcome: "เข้าสู่ระบบในชื่อ {{ name }}",
    },
    general: { not_found: "ไม่พบหน้านี้", home: "ยินดีต้อนรับ", unavailable: "หน้านี้ยังใช้งานไม่ได้ในขณะนี้" },
  },
};

export const HOME_PAGE = `<h1>{{ shop.name | escape }}</h1>
<p>{{ 'general.home' | t }}</p>
{%- if app_proxy_url %}
<p><a href="{{ app_proxy_url }}">{{ app_proxy_url }}</a></p>
{%- endif %}
{{ app_blocks }}`;

/** A product's page (templates/product): its title and featured image. */
export const PRODUCT_PAGE = `<h1>{{ product.title | escape }}</h1>
{%- if product.featured_image %}
<img src="{{ product.featured_image | image_url: width: 600 }}" alt="{{ product.featured_image.alt | escape }}" width="300" height="300">
{%- endif %}`;

export const LOGIN_PAGE = `<h1>{{ 'customer.log_in' | t }}</h1>
{%- if form_error %}
<p class="form-error" role="alert">{{ 'customer.incorrect' | t }}</p>
{%- endif %}
<form method="post" action="{{ routes.account_login_url }}">
  <label for="CustomerEmail">{{ 'customer.email' | t }}</label>
  <input type="email" name="customer[email]" id="CustomerEmail" autocomplete="email" required value="{{ email | escape }}">
  <input type="hidden" name="return_to" value="{{ return_to | escape }}">
  <button type="submit">{{ 'customer.submit' | t }}</button>
</form>
<p><small>{{ 'customer.simulated' | t }}</small></p>`;

export const ACCOUNT_PAGE = `<h1>{{ 'customer.account' | t }}</h1>
{%- assign name = customer.name | escape %}
<p>{{ 'customer.welcome' | t: name: name }}</p>
<p>{{ customer.email | escape }}</p>
<p><a href="{{ routes.account_logout_url }}">{{ 'customer.log_out' | t }}</a></p>`;

export const NOT_FOUND_PAGE = `<h1>404</h1>
<p>{{ 'general.not_found' | t }}</p>`;

export const UNAVAILABLE_PAGE = `<h1>{{ 'general.unavailable' | t }}</h1>`;
