// App Bridge double: what the app's pages use of Shopify's App Bridge (https://cdn.shopify.com/shopifycloud/app-bridge.js),
// served by the simulator so the embedded admin runs in a browser without Shopify admin.
// Implements: shopify.config, shopify.idToken(), fetch() to the app's origin carrying the session token,
// the session-token bounce page, shopify.toast.show(), shopify.loading(), and <ui-nav-menu> links shown by the
// simulated admin frame around the app.
(function () {
  "use strict";
  var script = document.currentScript;
  var simulatorOrigin = new URL(script.src).origin;
  var apiKey = script.getAttribute("data-api-key");
  var params = new URLSearchParams(window.location.search);
  var shop = params.get("shop") || sessionStorage.getItem("simulator:shop");
  var host = params.get("host") || sessionStorage.getItem("simulator:host");
  var locale = params.get("locale") || sessionStorage.getItem("simulator:locale") || "en";
  if (shop) sessionStorage.setItem("simulator:shop", shop);
  if (host) sessionStorage.setItem("simulator:host", host);
  sessionStorage.setItem("simulator:locale", locale);

  var cached = null;
  function idToken() {
    var now = Date.now() / 1000;
    if (cached && cached.exp - 10 > now) return Promise.resolve(cached.token);
    var url =
      simulatorOrigin +
      "/app-bridge/session-token?shop=" +
      encodeURIComponent(shop) +
      "&apiKey=" +
      encodeURIComponent(apiKey);
    return window
      .__simulatorNativeFetch(url)
      .then(function (r) {
        if (!r.ok) throw new Error("App Bridge double: no session token (" + r.status + ")");
        return r.json();
      })
      .then(function (body) {
        cached = body;
        return body.token;
      });
  }

  // Like App Bridge: requests to the app's own origin carry `Authorization: Bearer <session token>`.
  window.__simulatorNativeFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var url = new URL(
      typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
      window.location.href,
    );
    if (url.origin !== window.location.origin) return window.__simulatorNativeFetch(input, init);
    return idToken().then(function (token) {
      var headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
      if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + token);
      return window.__simulatorNativeFetch(input, Object.assign({}, init, { headers: headers }));
    });
  };

  function toParent(message) {
    if (window.parent !== window)
      window.parent.postMessage(Object.assign({ source: "app-bridge-double" }, message), "*");
  }

  var toasts = [];
  var shopify = {
    config: { apiKey: apiKey, shop: shop, host: host, locale: locale },
    environment: { embedded: window.parent !== window, mobile: false, pos: false },
    idToken: idToken,
    toast: {
      show: function (message, options) {
        var id = "toast-" + (toasts.length + 1);
        toasts.push({ id: id, message: message, isError: !!(options && options.isError) });
        toParent({ type: "toast", id: id, message: message, isError: !!(options && options.isError) });
        var el = document.createElement("div");
        el.setAttribute("role", "status");
        el.setAttribute("data-simulator-toast", id);
        el.textContent = message;
        el.style.cssText =
          "position:fixed;bottom:16px;left:50%;transform:translateX(-50%);background:#303030;color:#fff;padding:8px 16px;border-radius:8px;font:14px system-ui;z-index:99999";
        document.body.appendChild(el);
        setTimeout(
          function () {
            el.remove();
          },
          (options && options.duration) || 5000,
        );
        return id;
      },
      hide: function (id) {
        var el = document.querySelector('[data-simulator-toast="' + id + '"]');
        if (el) el.remove();
      },
    },
    loading: function (on) {
      document.documentElement.setAttribute("data-simulator-loading", on ? "true" : "false");
      toParent({ type: "loading", on: !!on });
    },
    __toasts: toasts,
  };
  window.shopify = shopify;

  // The bounce page (/auth/session-token): get a token and reload the requested URL with it, as App Bridge does.
  if (window.location.pathname.endsWith("/session-token")) {
    var reload = params.get("shopify-reload");
    if (reload) {
      idToken().then(function (token) {
        var target = new URL(reload, window.location.origin);
        target.searchParams.set("id_token", token);
        window.location.replace(target.href);
      });
    }
  }

  // App Bridge's own elements render nothing inside the app: Shopify admin shows them around it.
  ["ui-nav-menu", "ui-title-bar", "ui-save-bar"].forEach(function (name) {
    if (customElements.get(name)) return;
    customElements.define(
      name,
      class extends HTMLElement {
        connectedCallback() {
          this.style.display = "none";
        }
      },
    );
  });

  // <ui-nav-menu>: report its links to the simulated admin frame, which shows them and asks us to navigate.
  var lastNav = "";
  function reportNav() {
    var menu = document.querySelector("ui-nav-menu");
    if (!menu) return;
    var links = Array.prototype.map.call(menu.querySelectorAll("a"), function (a) {
      return { label: a.textContent, href: a.getAttribute("href"), home: a.getAttribute("rel") === "home" };
    });
    var serialized = JSON.stringify(links);
    if (serialized === lastNav) return;
    lastNav = serialized;
    toParent({ type: "nav", links: links });
  }
  window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.source !== "admin-double" || data.type !== "navigate") return;
    var menu = document.querySelector("ui-nav-menu");
    var link =
      menu &&
      Array.prototype.find.call(menu.querySelectorAll("a"), function (a) {
        return a.getAttribute("href") === data.href;
      });
    if (link) link.dispatchEvent(new Event("shopify:navigate", { bubbles: true }));
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", reportNav);
  else reportNav();
  new MutationObserver(reportNav).observe(document.documentElement, { childList: true, subtree: true });
})();
