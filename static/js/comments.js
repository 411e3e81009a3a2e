// Comments without a page load: the form posts with fetch and the page updates in place;
// "Report" opens a panel under the comment (from the page's one <template>) that sends the
// report with fetch and offers "Undo". Without this script the form is a plain POST and
// "Report" a link to the report page.
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
    return send(form.action, new FormData(form));
  }

  function send(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
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

  // The page may be a shared cache's copy, the same for many readers, form token too: this
  // copy of the form gets its own random value, which the server adds to the token's
  // nonce, so two readers of one copy never send "the same form".
  function newNonce() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  function bindForm(form) {
    bindCounter(form);
    var nonce = form.querySelector('[name="reader_nonce"]');
    if (nonce && !nonce.value) nonce.value = newNonce();
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
          // A reply that cannot be posted (its comment is no longer shown) comes back as a
          // comment: the form goes home with the text, where it can be posted as one.
          var replyTo = newForm.querySelector('[name="reply_to"]');
          var movedHome = replying && replyTo && !replyTo.value;
          if (movedHome) closeReply(false);
          say(data.message || "Your comment was not sent: please see the message in the form.");
          var first = newForm.querySelector("[data-comment-notice], .alert, .is-invalid");
          if (first && first.focus) first.focus();
          if (first && movedHome) first.scrollIntoView({ block: "center" });
          return;
        }
        if (result.ok) {
          say(data.message);
          // Held: the message below the button is all the reader gets; on a phone the
          // button may sit at the screen's bottom edge, so bring the message into view.
          if (!data.html && status) status.scrollIntoView({ block: "nearest" });
          if (data.html && list) {
            var item = fromHTML(data.html);
            // The same comment sent again (a double submit, the same text twice) comes
            // back with the same id: it replaces the copy shown, and counts once.
            var shown = document.getElementById(item.id);
            if (shown) {
              shown.replaceWith(item);
            } else if (data.parent) {
              // A reply: the last of its comment's replies, oldest first, as on the page.
              repliesOf(data.parent).appendChild(item);
            } else if (list.hasAttribute("data-newest-first")) {
              list.insertBefore(item, list.firstChild);
            } else {
              list.appendChild(item);
            }
            showTimes(item);
            // The count in words, as the server counts it ("1 comment", "24 comments").
            if (data.count) {
              document.querySelectorAll("[data-comment-count]").forEach(function (node) {
                node.textContent = data.count;
              });
            }
            // Shown in place, as without JavaScript: the reader sees it where it belongs.
            item.scrollIntoView({ block: "nearest" });
            bindReport(item.querySelector("[data-report-link]"));
            var empty = section.querySelector("[data-no-comments]");
            if (empty) empty.remove();
            if (replying) {
              // The reply is in place with its notice: the form goes home, and the reader
              // (and a screen reader) lands on what they wrote.
              closeReply(false);
              item.setAttribute("tabindex", "-1");
              item.focus();
            }
          }
          var text = form.querySelector("textarea");
          if (text) {
            text.value = "";
            text.dispatchEvent(new Event("input"));
          }
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

  // Times: the server writes the exact time in UTC (what a reader without JavaScript
  // sees); here it becomes "5 minutes ago", with the exact local time on hover.
  var relative = window.Intl && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat(document.documentElement.lang || "en", { numeric: "auto" })
    : null;
  var exact = window.Intl
    ? new Intl.DateTimeFormat(document.documentElement.lang || "en", {
        dateStyle: "long", timeStyle: "short"
      })
    : null;
  var UNITS = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
               ["hour", 3600], ["minute", 60]];

  function ago(date) {
    var seconds = (date.getTime() - Date.now()) / 1000;
    if (Math.abs(seconds) < 60) return relative.format(0, "second");  // "now"
    for (var i = 0; i < UNITS.length; i++) {
      if (Math.abs(seconds) >= UNITS[i][1]) {
        return relative.format(Math.round(seconds / UNITS[i][1]), UNITS[i][0]);
      }
    }
    return relative.format(Math.round(seconds / 60), "minute");
  }

  function showTimes(root) {
    if (!relative || !exact) return;
    root.querySelectorAll("time[datetime][data-relative]").forEach(function (node) {
      var date = new Date(node.getAttribute("datetime"));
      if (isNaN(date.getTime())) return;
      node.title = exact.format(date);
      node.textContent = ago(date);
    });
  }

  // The live count of characters left (counter.js, loaded first).
  var bindCounter = window.dispatchCounter || function () {};

  // Reports. The page carries no CSRF token (a shared cache hands one copy to every
  // reader): the report views check where a request comes from (portal/csrf.py).
  var panelTemplate = document.getElementById("report-panel-template");

  function bindReport(link) {
    if (!link || !panelTemplate) return;
    // The link becomes the button that shows and hides the panel (a disclosure).
    var trigger = document.createElement("button");
    trigger.type = "button";
    trigger.className = link.className + " btn btn-link comment-report-button";
    trigger.innerHTML = link.innerHTML;
    trigger.setAttribute("aria-expanded", "false");
    trigger.setAttribute("data-report-url", link.href);
    link.replaceWith(trigger);
    trigger.addEventListener("click", function () {
      var open = document.getElementById(trigger.getAttribute("aria-controls") || "");
      if (open) {
        closePanel(trigger, open);
      } else {
        openPanel(trigger);
      }
    });
  }

  function closePanel(trigger, panel) {
    panel.remove();
    trigger.setAttribute("aria-expanded", "false");
    trigger.removeAttribute("aria-controls");
    trigger.focus();
  }

  function openPanel(trigger) {
    // One panel at a time: its fields' ids are the template's.
    section.querySelectorAll("[data-report-panel]").forEach(function (other) {
      var owner = section.querySelector('[aria-controls="' + other.id + '"]');
      other.remove();
      if (owner) {
        owner.setAttribute("aria-expanded", "false");
        owner.removeAttribute("aria-controls");
      }
    });
    var comment = trigger.closest(".comment");
    var earlier = comment.querySelector("[data-report-notice]");
    if (earlier) earlier.remove();
    var panel = panelTemplate.content.firstElementChild.cloneNode(true);
    var author = comment.querySelector(".comment-author");
    panel.id = "report-panel-" + comment.id;
    panel.action = trigger.getAttribute("data-report-url");
    panel.setAttribute(
      "aria-label", "Report the comment by " + (author ? author.textContent : "this reader"));
    trigger.insertAdjacentElement("afterend", panel);
    trigger.setAttribute("aria-controls", panel.id);
    trigger.setAttribute("aria-expanded", "true");
    panel.querySelector('[name="reason"]').focus();

    var error = panel.querySelector("[data-report-error]");
    var submit = panel.querySelector('[type="submit"]');
    panel.querySelector("[data-report-cancel]").addEventListener("click", function () {
      closePanel(trigger, panel);
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closePanel(trigger, panel);
    });
    panel.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!panel.querySelector('[name="reason"]:checked')) {
        // Said at once; the server says the same to a page without this script.
        showError(panel, error, {
          message: "Please choose why you are reporting this comment.",
          errors: { reason: true }
        });
        return;
      }
      submit.disabled = true;
      send(panel.action, new FormData(panel)).then(function (result) {
        submit.disabled = false;
        if (result.ok) {
          reported(trigger, panel, result.data);
          return;
        }
        showError(panel, error, result.data);
      }).catch(function () {
        submit.disabled = false;
        error.textContent = "Your report could not be sent. Please try again.";
      });
    });
  }

  // Replies: "Reply" opens the page's one comment form under the comment, saying whom it
  // answers, with a Cancel button (and Escape) that puts it back where it was. Without
  // this script the link opens the reply page, with the same form.
  var area = section.querySelector(".comment-form-area");
  var home = document.createComment(" the comment form's place ");
  var box = null;
  var opener = null;
  var replying = false;

  function repliesOf(parentId) {
    var parent = document.getElementById("c" + parentId);
    if (!parent) return list;  // not on this page: it is shown at the end of the list
    var replies = parent.querySelector(":scope > [data-replies]");
    if (!replies) {
      var author = parent.querySelector(".comment-author");
      replies = document.createElement("ol");
      replies.className = "comment-replies list-unstyled";
      replies.setAttribute("data-replies", "");
      replies.setAttribute("aria-label", "Replies to " + (author ? author.textContent : ""));
      parent.appendChild(replies);
    }
    return replies;
  }

  function replyBox() {
    if (box) return box;
    box = document.createElement("div");
    box.className = "comment-reply-box";
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", "replying-to");
    var title = document.createElement("p");
    title.id = "replying-to";
    title.className = "comment-replying";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn btn-outline-dark comment-reply-cancel";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", function () { closeReply(true); });
    box.appendChild(title);
    box.appendChild(cancel);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closeReply(true);
    });
    return box;
  }

  function setReplyTo(value) {
    var field = area.querySelector('[name="reply_to"]');
    if (field) field.value = value;
    // The button says what it sends, as the server's form does.
    var button = area.querySelector('[type="submit"]');
    if (button) button.value = value ? "Post reply" : "Post comment";
  }

  function openReply(link) {
    var item = link.closest(".comment");
    if (!item) return;
    if (!home.parentNode) area.parentNode.insertBefore(home, area);
    if (opener && opener !== link) opener.removeAttribute("aria-expanded");
    var target = replyBox();
    var name = link.getAttribute("data-reply-name") || "";
    target.querySelector(".comment-replying").textContent = "Replying to " + name;
    link.insertAdjacentElement("afterend", target);
    target.insertBefore(area, target.lastChild);  // between the title and Cancel
    setReplyTo(item.id.slice(1));
    link.setAttribute("aria-expanded", "true");
    opener = link;
    replying = true;
    say("");
    var text = area.querySelector("textarea");
    if (text) text.focus();
  }

  function closeReply(backToLink) {
    if (!replying) return;
    replying = false;
    setReplyTo("");
    home.parentNode.insertBefore(area, home.nextSibling);
    box.remove();
    if (opener) {
      opener.removeAttribute("aria-expanded");
      if (backToLink) opener.focus();
    }
  }

  if (area) {
    section.addEventListener("click", function (event) {
      var link = event.target.closest("[data-reply-link]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
      event.preventDefault();
      openReply(link);
    });
  }

  function showError(panel, error, data) {
    var errors = data.errors || {};
    error.textContent = data.message || "Your report could not be sent. Please try again.";
    panel.querySelectorAll('[name="reason"]').forEach(function (radio) {
      radio.toggleAttribute("aria-invalid", !!errors.reason);
    });
    var note = panel.querySelector('[name="note"]');
    note.toggleAttribute("aria-invalid", !!errors.note);
    if (errors.reason) {
      panel.querySelector('[name="reason"]').focus();
    } else if (errors.note) {
      note.focus();
    }
  }

  // The panel gives way to what happened, next to the comment, with "Undo" while the
  // report can still be withdrawn.
  function reported(trigger, panel, data) {
    var notice = document.createElement("div");
    notice.className = "alert alert-success comment-notice mt-2 mb-2";
    notice.setAttribute("role", "status");
    notice.setAttribute("tabindex", "-1");
    notice.setAttribute("data-report-notice", "");
    notice.textContent = data.message;
    panel.replaceWith(notice);
    trigger.setAttribute("aria-expanded", "false");
    trigger.removeAttribute("aria-controls");
    trigger.hidden = true;
    if (data.undo) {
      var undo = document.createElement("button");
      undo.type = "button";
      undo.className = "btn btn-link btn-sm comment-undo-button";
      undo.innerHTML = 'Undo<span class="visually-hidden"> your report</span>';
      notice.appendChild(document.createTextNode(" "));
      notice.appendChild(undo);
      // The server refuses an undo after this long: the button goes before then.
      var expires = setTimeout(function () { undo.remove(); }, (data.undo_seconds || 60) * 1000);
      undo.addEventListener("click", function () {
        undo.disabled = true;
        send(data.undo, new FormData()).then(function (result) {
          clearTimeout(expires);
          notice.textContent = result.data.message ||
            "Your report could not be withdrawn. Please try again.";
          if (result.ok) {
            notice.className = "alert alert-info comment-notice mt-2 mb-2";
            trigger.hidden = false;
          }
          notice.focus();
        }).catch(function () {
          undo.disabled = false;
          notice.firstChild.textContent = "Your report could not be withdrawn. Please try again.";
        });
      });
    }
    notice.focus();
  }

  section.querySelectorAll("[data-comment-form]").forEach(bindForm);
  showTimes(section);
  setInterval(function () { showTimes(section); }, 60000);
  section.querySelectorAll("[data-report-link]").forEach(bindReport);
})();
