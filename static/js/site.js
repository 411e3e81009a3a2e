// Progressive enhancement for article pages: everything here also works without it.
(function () {
  "use strict";

  // Text size: change at once, then save the choice through the same form endpoint.
  function initFontSize(form) {
    var steps = [];
    var status = form.querySelector("[data-font-size-status]");
    var html = document.documentElement;
    var buttons = {
      smaller: form.querySelector('[data-step="smaller"]'),
      "default": form.querySelector('[data-step="default"]'),
      larger: form.querySelector('[data-step="larger"]')
    };
    (form.getAttribute("data-steps") || "").split(" ").forEach(function (entry) {
      var parts = entry.split(":");
      if (parts.length === 2) steps.push({ name: parts[0], percent: parseInt(parts[1], 10) });
    });
    var defaultName = form.getAttribute("data-default");
    if (!steps.length || !defaultName) return;

    function indexOf(name) {
      for (var i = 0; i < steps.length; i++) if (steps[i].name === name) return i;
      return -1;
    }
    function current() {
      var match = /(?:^|\s)fs-([a-z]+)/.exec(html.className);
      var i = match ? indexOf(match[1]) : -1;
      return i === -1 ? indexOf(defaultName) : i;
    }
    function apply(i) {
      var d = indexOf(defaultName);
      html.className = html.className.replace(/(?:^|\s)fs-[a-z]+/g, "").trim();
      html.classList.add("fs-" + steps[i].name);
      buttons.smaller.value = steps[Math.max(i - 1, 0)].name;
      buttons.larger.value = steps[Math.min(i + 1, steps.length - 1)].name;
      buttons.smaller.disabled = i === 0;
      buttons.larger.disabled = i === steps.length - 1;
      buttons.smaller.setAttribute("aria-pressed", String(i < d));
      buttons["default"].setAttribute("aria-pressed", String(i === d));
      buttons.larger.setAttribute("aria-pressed", String(i > d));
      if (status) status.textContent = steps[i].percent + "%";
    }
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !window.fetch) return; // fall back to the plain POST
      event.preventDefault();
      // Read the chosen size before apply(), which moves the buttons' values on a step.
      var size = button.value;
      var i = indexOf(size);
      if (i === -1) return;
      var previous = current();
      apply(i);
      var data = new FormData(form);
      data.set("size", size);
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
      }).catch(function () {
        apply(previous);
        if (status) status.textContent = "Could not save the text size; try again.";
      });
    });
  }

  function initPrint(button) {
    if (typeof window.print !== "function") return;
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  function initShare(button) {
    if (!navigator.share) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({
        title: button.getAttribute("data-share-title"),
        url: button.getAttribute("data-share-url")
      }).catch(function () { /* the reader closed the share sheet */ });
    });
  }

  document.querySelectorAll("form[data-font-size]").forEach(initFontSize);
  document.querySelectorAll("[data-print]").forEach(initPrint);
  document.querySelectorAll("[data-share]").forEach(initShare);
})();
