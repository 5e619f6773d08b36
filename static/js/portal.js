// The compact navigation on phones: a Menu button that shows and hides the main links.
// Without this script the links are simply all shown (the page works the same).
(function () {
  "use strict";
  var toggle = document.querySelector(".nav-toggle");
  if (!toggle) { return; }
  document.documentElement.classList.add("has-nav-toggle");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", open ? "false" : "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
}());
