// Progressive enhancement only: the form and every page work without JavaScript.
"use strict";
(function () {
  // "Add a row" for the repeated sections: copy the last row with empty values and the next index.
  document.querySelectorAll("button.add-row").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var body = document.querySelector("#section-" + button.dataset.section + " tbody");
      var rows = body.querySelectorAll("tr");
      if (rows.length >= Number(document.body.dataset.maxRows || 50)) { return; }
      var last = rows[rows.length - 1];
      var next = last.cloneNode(true);
      var index = rows.length;
      next.querySelectorAll("input, select").forEach(function (field) {
        field.name = field.name.replace(/-\d+-/, "-" + index + "-");
        field.id = "f-" + field.name;
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
        if (field.tagName === "SELECT") { field.selectedIndex = 0; } else { field.value = ""; }
      });
      next.querySelectorAll(".field-error").forEach(function (error) { error.remove(); });
      body.appendChild(next);
      next.querySelector("input, select").focus();
    });
  });
  // Printing a results page prints every trial's criteria, not only the opened ones.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.trial").forEach(function (details) { details.open = true; });
  });
})();
