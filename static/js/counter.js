// A live count of the characters left in a comment's text, on the article page (where
// comments.js binds it to the form, again each time the form is replaced) and on the reply
// page (bound here). Without JavaScript the field's maxlength and the help text say it.
(function () {
  "use strict";

  // A live count of the characters left, from the field's own maxlength. The visible count
  // follows every keystroke; screen readers hear it once the reader pauses.
  function bindCounter(form) {
    var field = form.querySelector("textarea[maxlength]");
    if (!field) return;
    var max = parseInt(field.getAttribute("maxlength"), 10);
    var shown = document.createElement("p");
    shown.className = "form-text comment-counter";
    shown.setAttribute("aria-hidden", "true");
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", spoken);
    field.insertAdjacentElement("afterend", shown);
    var pause = null;

    function left() {
      var remaining = max - field.value.length;
      if (remaining < 0) return (-remaining).toLocaleString() + " characters too many";
      return remaining.toLocaleString() + (remaining === 1 ? " character left" : " characters left");
    }

    function update() {
      shown.textContent = left();
      shown.classList.toggle("text-danger", max - field.value.length < 100);
      clearTimeout(pause);
      pause = setTimeout(function () { spoken.textContent = left(); }, 1500);
    }

    field.addEventListener("input", update);
    shown.textContent = left();
  }

  window.dispatchCounter = bindCounter;
  document.querySelectorAll("[data-count-characters]").forEach(bindCounter);
})();
