// A Dawn-like theme's script for the storefront-weight benchmark (bench/storefront-weight.ts): the quantity buttons
// and the variant radios of the product form, loaded deferred as themes load theirs. Not the app's: both pages have it.
class QuantityInput extends HTMLElement {
  connectedCallback() {
    this.input = this.querySelector("input");
    this.querySelectorAll("button").forEach((button) =>
      button.addEventListener("click", (event) => {
        event.preventDefault();
        const previous = this.input.value;
        if (event.currentTarget.name === "plus") this.input.stepUp();
        else this.input.stepDown();
        if (previous !== this.input.value) this.input.dispatchEvent(new Event("change", { bubbles: true }));
      }),
    );
  }
}
customElements.define("quantity-input", QuantityInput);

class VariantRadios extends HTMLElement {
  connectedCallback() {
    this.addEventListener("change", () => {
      const checked = this.querySelector("input:checked");
      const price = document.querySelector("[data-price]");
      if (checked && price) price.textContent = checked.dataset.price;
      const url = new URL(window.location.href);
      url.searchParams.set("variant", checked.value);
      window.history.replaceState({}, "", url);
    });
  }
}
customElements.define("variant-radios", VariantRadios);
