// Progressive enhancement of the search page: it works fully without this script.
// Choosing a facet value, a sort order or a date applies it at once instead of waiting for "Apply filters".
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form) return;
  var apply = document.querySelector("button.apply");
  // The sidebar's fields belong to the form through form="search" but sit outside it, so listen on the document.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || !target.name || target.form !== form) return;
    if (target.type === "checkbox" || target.type === "radio" || target.type === "date") {
      // Dropping page= keeps the new selection on its first page; empty fields are left out of the URL.
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && el.type !== "checkbox" && el.type !== "radio" && !el.value) el.disabled = true;
      });
      form.submit();
    }
  });
  if (apply) apply.classList.add("js-optional");
})();
