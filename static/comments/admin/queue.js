// Keyboard shortcuts for the moderation queue: j/k (or arrows) move, a approves,
// x removes as abusive, o as off-topic, s as spam, each after a confirmation. The buttons
// work without it. The moderation workspace (workspace.js) is the fuller tool.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var table = document.getElementById("result_list");
    if (!table || !table.querySelector("[data-shortcut]")) return;
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    if (!rows.length) return;
    var current = 0;

    var help = document.createElement("p");
    help.className = "queue-keys";
    help.innerHTML =
      "Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous, <kbd>a</kbd> approve, " +
      "<kbd>x</kbd> abusive, <kbd>h</kbd> hateful, <kbd>o</kbd> off-topic, <kbd>s</kbd> spam.";
    table.parentNode.insertBefore(help, table);

    function select(i) {
      rows[current].classList.remove("queue-current");
      current = Math.max(0, Math.min(rows.length - 1, i));
      rows[current].classList.add("queue-current");
      rows[current].scrollIntoView({ block: "nearest" });
    }
    select(0);

    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) && target.type !== "checkbox") return;
      var key = event.key;
      if (key === "j" || key === "ArrowDown") { select(current + 1); event.preventDefault(); return; }
      if (key === "k" || key === "ArrowUp") { select(current - 1); event.preventDefault(); return; }
      var button = rows[current].querySelector('[data-shortcut="' + key + '"]');
      if (!button) return;
      event.preventDefault();
      // Removing is destructive: a stray key must not do it.
      if (key !== "a" && !window.confirm(button.title.split(" (")[0] + ": remove this comment?")) return;
      button.click();
    });
  });
})();
