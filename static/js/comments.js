// Comments without a page load: the form and the report buttons post with fetch and the
// page updates in place. Without this script both are plain form POSTs.
(function () {
  "use strict";
  var section = document.getElementById("comments");
  if (!section || !window.fetch) return;
  var status = section.querySelector("[data-comment-status]");
  var list = section.querySelector("[data-comment-list]");

  function say(message) {
    if (status) status.textContent = message;
  }

  function post(form) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      }, function () {
        throw new Error("HTTP " + response.status);
      });
    });
  }

  function fromHTML(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function bindForm(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector('[type="submit"]');
      if (button) button.disabled = true;
      say("Sending your comment…");
      post(form).then(function (result) {
        var data = result.data;
        if (data.form) {
          // Not published and the text kept: errors, a nudge or a refusal, in the form.
          var fresh = fromHTML(data.form);
          form.closest("[data-comment-form-wrapper]").replaceWith(fresh);
          var newForm = fresh.querySelector("[data-comment-form]");
          bindForm(newForm);
          say(data.message || "Your comment was not sent: please see the message in the form.");
          var first = newForm.querySelector("[data-comment-notice], .alert, .is-invalid");
          if (first && first.focus) first.focus();
          return;
        }
        if (result.ok) {
          say(data.message);
          if (data.html && list) {
            var item = fromHTML(data.html);
            // The same comment sent again (a double submit, the same text twice) comes
            // back with the same id: it replaces the copy shown, and counts once.
            var shown = document.getElementById(item.id);
            if (shown) {
              shown.replaceWith(item);
            } else {
              list.appendChild(item);
              document.querySelectorAll("[data-comment-count]").forEach(function (node) {
                node.textContent = String(parseInt(node.textContent, 10) + 1);
              });
            }
            // Shown in place, as without JavaScript: the reader sees it where it belongs.
            item.scrollIntoView({ block: "nearest" });
            bindReport(item.querySelector("[data-report-form]"));
            var empty = section.querySelector("[data-no-comments]");
            if (empty) empty.remove();
          }
          var text = form.querySelector("textarea");
          if (text) text.value = "";
          // A form token sends one comment: the answer brings the next one's.
          var token = form.querySelector('[name="timestamp"]');
          if (token && data.timestamp) token.value = data.timestamp;
        } else {
          say(data.message || "Your comment could not be sent. Please try again.");
        }
        if (button) button.disabled = false;
      }).catch(function () {
        if (button) button.disabled = false;
        say("Your comment could not be sent. Please try again.");
      });
    });
  }

  function bindReport(form) {
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      post(form).then(function (result) {
        var button = form.querySelector("button");
        if (button) {
          button.disabled = true;
          button.textContent = result.ok ? "Reported" : "Could not report";
        }
        say(result.data.message || "");
      }).catch(function () {
        say("Your report could not be sent. Please try again.");
      });
    });
  }

  section.querySelectorAll("[data-comment-form]").forEach(bindForm);
  section.querySelectorAll("[data-report-form]").forEach(bindReport);
})();
