/* global document, window, navigator, setTimeout */
// llm-proxy admin UI. Everything works without this file except two conveniences:
// showing timestamps in the viewer's time zone, and copy-to-clipboard buttons.
(function () {
  "use strict";

  var pad = function (n) {
    return String(n).padStart(2, "0");
  };

  function ymd(d, withSeconds) {
    var text = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
    return withSeconds ? text + ":" + pad(d.getSeconds()) : text;
  }

  function zoneName(d) {
    var part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d).find(function (p) {
      return p.type === "timeZoneName";
    });
    return part ? part.value : "";
  }

  // en-US on purpose: the UI text is English, and "Monday, January 2, 2006 at 3:04 PM" is the contract.
  function longText(d) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit", hour12: true,
    }).formatToParts(d).forEach(function (p) {
      if (!(p.type in parts)) parts[p.type] = p.value;
    });
    return parts.weekday + ", " + parts.month + " " + parts.day + ", " + parts.year + " at " + parts.hour + ":" + parts.minute + " " + (parts.dayPeriod || "");
  }

  function format(d, kind) {
    switch (kind) {
      case "ymd_hms": return ymd(d, true);
      case "ymd_hms_tz": return ymd(d, true) + " " + zoneName(d);
      case "long": return longText(d).trim();
      case "date_only": return d.toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric" });
      default: return ymd(d, false);
    }
  }

  function localizeTimestamps(root) {
    root.querySelectorAll('[data-local-time="true"][data-ts]').forEach(function (el) {
      var d = new Date(el.getAttribute("data-ts"));
      if (isNaN(d.getTime())) return;
      el.textContent = format(d, el.getAttribute("data-format") || "ymd_hm");
    });
  }

  function copyText(text, button) {
    var done = function () {
      var icon = button.querySelector("i");
      if (!icon) return;
      var before = icon.className;
      icon.className = "bi bi-check2";
      setTimeout(function () { icon.className = before; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
      return;
    }
    // Plain-HTTP deployments have no Clipboard API: fall back to a selection copy.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "position-absolute opacity-0";
    document.body.appendChild(area);
    area.select();
    try {
      document.execCommand("copy");
      done();
    } catch {
      // the text stays selectable
    }
    document.body.removeChild(area);
  }

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy-target]");
    if (copy) {
      var source = document.getElementById(copy.getAttribute("data-copy-target"));
      if (source) copyText(source.textContent.trim(), copy);
      return;
    }
    var toggle = event.target.closest("[data-toggle-mask]");
    if (toggle) {
      var el = document.getElementById(toggle.getAttribute("data-toggle-mask"));
      if (!el) return;
      var masked = el.getAttribute("data-masked") === "true";
      el.textContent = masked ? "••••••••••••" : el.getAttribute("data-value");
      el.setAttribute("data-masked", masked ? "false" : "true");
    }
  });

  // The bulk-revoke option only makes sense when deactivating; mirror the server's rule in the form.
  function syncRevokeOption() {
    var active = document.getElementById("is_active");
    var revoke = document.getElementById("revoke_tokens");
    if (!active || !revoke) return;
    var update = function () {
      revoke.disabled = active.checked;
      if (active.checked) revoke.checked = false;
    };
    active.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    localizeTimestamps(document);
    syncRevokeOption();
  });
})();
