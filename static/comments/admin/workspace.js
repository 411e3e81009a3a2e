// The moderation workspace's keyboard: j/k (or arrows) move between cards, a approves,
// h holds, x or r asks for a category and confirmation before removing, u undoes the last
// action while its undo lasts; a ban asks first. Keys do nothing while typing in a field.
// Every action is a plain form that works without this script.
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable) return true;
    if (target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
    return target.tagName === "INPUT" && !/^(checkbox|radio|submit|button)$/.test(target.type);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var cards = Array.prototype.slice.call(document.querySelectorAll(".ws-card"));
    var dialog = document.getElementById("ws-confirm");
    var current = -1;

    // Undo lasts as long as the server accepts it; then the offer goes away.
    var undo = document.querySelector(".ws-undo");
    if (undo) {
      var left = parseInt(undo.getAttribute("data-undo-seconds"), 10) || 0;
      var shown = undo.querySelector(".ws-undo-left");
      var timer = window.setInterval(function () {
        left -= 1;
        if (shown) shown.textContent = String(Math.max(left, 0));
        if (left <= 0) {
          window.clearInterval(timer);
          undo.hidden = true;
        }
      }, 1000);
    }

    function select(i, focus) {
      if (!cards.length) return;
      if (current >= 0) {
        cards[current].classList.remove("ws-current");
        cards[current].removeAttribute("aria-current");
      }
      current = Math.max(0, Math.min(cards.length - 1, i));
      var card = cards[current];
      card.classList.add("ws-current");
      card.setAttribute("aria-current", "true");
      if (focus) card.focus({ preventScroll: true });
      card.scrollIntoView({ block: "nearest" });
    }

    // After an action the page comes back at the card that followed the one acted on.
    cards.forEach(function (card, i) {
      var form = card.querySelector(".ws-actions");
      if (!form) return;
      card.addEventListener("click", function () { if (current !== i) select(i, false); });
      form.addEventListener("submit", function () {
        var following = cards[i + 1] || cards[i - 1];
        var next = form.querySelector('input[name="next"]');
        if (next && following) next.value = next.value.split("#")[0] + "#" + following.id;
      });
    });

    var start = 0;
    if (window.location.hash) {
      var wanted = document.getElementById(window.location.hash.slice(1));
      if (wanted && cards.indexOf(wanted) >= 0) start = cards.indexOf(wanted);
    }
    if (cards.length) select(start, true);

    function press(card, key) {
      var button = card && card.querySelector('.ws-actions [data-key="' + key + '"]');
      if (button) button.click();
    }

    // The confirmation before a removal: a category (1-4 or arrows), an optional note.
    var confirmForm = dialog && dialog.querySelector("form");
    var error = dialog && dialog.querySelector(".ws-confirm-error");
    var radios = dialog ? Array.prototype.slice.call(dialog.querySelectorAll('input[type="radio"]')) : [];
    var removing = null;

    function chosen() {
      for (var i = 0; i < radios.length; i++) if (radios[i].checked) return radios[i].value;
      return "";
    }

    function askToRemove(card) {
      if (!dialog || typeof dialog.showModal !== "function") {
        var select = card.querySelector("select[name='category']");
        if (select) select.focus();
        return;
      }
      removing = card;
      var text = card.querySelector(".ws-text");
      dialog.querySelector(".ws-confirm-text").textContent = text ? text.textContent : "";
      var preset = card.querySelector("select[name='category']").value || card.getAttribute("data-suggested");
      radios.forEach(function (radio) { radio.checked = radio.value === preset; });
      dialog.querySelector("textarea").value = card.querySelector("input[name='note']").value;
      error.textContent = "";
      dialog.showModal();
      (radios.filter(function (r) { return r.checked; })[0] || radios[0]).focus();
    }

    if (dialog) {
      confirmForm.addEventListener("submit", function (event) {
        var submitter = event.submitter;
        if (submitter && submitter.value === "remove" && !chosen()) {
          event.preventDefault();
          error.textContent = "Choose why it is removed: press 1 to " + radios.length + ".";
          radios[0].focus();
        }
      });
      dialog.addEventListener("keydown", function (event) {
        if (event.altKey || event.ctrlKey || event.metaKey) return;
        var inNote = event.target.tagName === "TEXTAREA";
        var n = parseInt(event.key, 10);
        if (!inNote && n >= 1 && n <= radios.length) {
          radios[n - 1].checked = true;
          radios[n - 1].focus();
          event.preventDefault();
        } else if (event.key === "Enter" && !event.shiftKey && event.target.tagName !== "BUTTON") {
          event.preventDefault();
          confirmForm.requestSubmit(confirmForm.querySelector('button[value="remove"]'));
        }
      });
      dialog.addEventListener("close", function () {
        var card = removing;
        removing = null;
        if (!card) return;
        if (dialog.returnValue === "remove" && chosen()) {
          card.querySelector("select[name='category']").value = chosen();
          card.querySelector("input[name='note']").value = dialog.querySelector("textarea").value;
          press(card, "x");
        } else {
          card.focus({ preventScroll: true });
        }
        dialog.returnValue = "";
      });
    }

    // A ban asks first; without this script the form bans at once, as a plain POST.
    Array.prototype.forEach.call(document.querySelectorAll(".ws-standing-form"), function (form) {
      form.addEventListener("submit", function (event) {
        var question = event.submitter && event.submitter.getAttribute("data-confirm");
        if (question && !window.confirm(question)) event.preventDefault();
      });
    });

    // Select every card on the page for the bulk actions, and say how many are selected.
    var bulk = document.getElementById("ws-bulk");
    if (bulk) {
      var boxes = Array.prototype.slice.call(document.querySelectorAll(".ws-select"));
      var count = bulk.querySelector(".ws-selected");
      var all = document.createElement("label");
      all.className = "ws-select-all";
      all.innerHTML = '<input type="checkbox" class="ws-select"> Select all on this page';
      bulk.querySelector(".ws-controls").prepend(all);
      var allBox = all.querySelector("input");
      function update() {
        var n = boxes.filter(function (box) { return box.checked; }).length;
        count.textContent = n ? "(" + n + " selected)" : "";
        allBox.checked = n === boxes.length;
      }
      allBox.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = allBox.checked; });
        update();
      });
      boxes.forEach(function (box) { box.addEventListener("change", update); });
      update();
    }

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
      if ((dialog && dialog.open) || typing(event.target)) return;
      var key = event.key;
      if (key === "u") {
        var undoButton = document.querySelector('.ws-undo:not([hidden]) [data-key="u"]');
        if (undoButton) { event.preventDefault(); undoButton.click(); }
        return;
      }
      if (!cards.length) return;
      var card = cards[current];
      if (key === "j" || key === "ArrowDown") { event.preventDefault(); select(current + 1, true); }
      else if (key === "k" || key === "ArrowUp") { event.preventDefault(); select(current - 1, true); }
      else if (key === "a" || key === "h") { event.preventDefault(); press(card, key); }
      else if (key === "x" || key === "r") { event.preventDefault(); askToRemove(card); }
    });
  });
})();
