/* Alpine.js components. The pages run Alpine's CSP build (the Content-Security-Policy allows no eval), which
   evaluates only names and simple property paths in x-data, x-show and @click: anything more is a component
   registered here by name. Loaded before Alpine itself, so the registrations are in place when it starts. */
document.addEventListener("alpine:init", function () {
  "use strict";

  /* The API token page's one-time key: select it, copy it, say so. */
  window.Alpine.data("issuedKey", function () {
    return {
      copied: false,
      get notCopied() { return !this.copied; },
      select: function () { this.$refs.key.select(); },
      copy: function () {
        const key = this.$refs.key;
        key.select();
        if (navigator.clipboard) { navigator.clipboard.writeText(key.value); }
        this.copied = true;
      },
    };
  });
});
