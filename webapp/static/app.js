// Progressive enhancement of the search page: it works fully without this script.
// Choosing a facet value or a sort order applies it at once instead of waiting for "Apply filters"; a date applies
// when its field is left with a complete date, or on Enter. After Back or Forward the sidebar shows the URL's search.
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form) return;
  var apply = document.querySelector("button.apply");
  // A date as the field gives it, with a four-digit year: while the year is being typed, Chromium already gives
  // "0001-03-01" and fires "change", which would send the search with the digits typed so far.
  var COMPLETE_DATE = /^[1-9]\d{3}-\d{2}-\d{2}$/;

  function submit() {
    // Dropping page= keeps the new selection on its first page; empty fields and choices left at their default
    // (data-default: Relevance, All the words) are left out of the URL.
    Array.prototype.forEach.call(form.elements, function (el) {
      var isChoice = el.type === "checkbox" || el.type === "radio";
      if (el.name && ((!isChoice && !el.value) || (el.checked && el.hasAttribute("data-default")))) el.disabled = true;
    });
    form.submit();
  }

  // The sidebar's fields belong to the form through form="search" but sit outside it, so listen on the document.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || !target.name || target.form !== form) return;
    if (target.type === "checkbox" || target.type === "radio") submit();
  });

  document.addEventListener("focusout", function (event) {
    var target = event.target;
    if (!target || target.type !== "date" || target.form !== form) return;
    if (target.value === target.defaultValue) return;
    if (target.value === "" || COMPLETE_DATE.test(target.value)) submit();
  });

  // Back and Forward can show the page with the form as it was left (the back-forward cache, or the browser's
  // restoring of form fields): a box ticked on the way out, fields disabled by submit(). Show what the page was
  // served with, which is what its URL says.
  window.addEventListener("pageshow", function (event) {
    var entry = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    if (!event.persisted && !(entry && entry.type === "back_forward")) return;
    Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });
    form.reset();
  });

  if (apply) apply.classList.add("js-optional");
})();
