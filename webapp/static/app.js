// Progressive enhancement of the search page: it works fully without this script.
// - Choosing a facet value applies it at once instead of waiting for "Apply filters"; a date applies when its field
//   is left with a complete date, or on Enter.
// - After a reload caused by a filter, a sort order or a timeline bar, focus returns to the control that was used
//   (or, when that control is gone or hidden, to the results heading), instead of the top of the page.
// - The filters open where there is room beside the results; on a phone they stay behind their "Filters" toggle.
// - After Back or Forward the sidebar shows the URL's search.
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form) return;
  var apply = document.querySelector("button.apply");
  var FOCUS_KEY = "newsarchive:focus";
  var FOCUS_FOR_MS = 10000; // a stored focus older than this belongs to another visit
  // A date as the field gives it, with a four-digit year: while the year is being typed, Chromium already gives
  // "0001-03-01" and fires "change", which would send the search with the digits typed so far.
  var COMPLETE_DATE = /^[1-9]\d{3}-\d{2}-\d{2}$/;
  var WIDE = window.matchMedia("(min-width: 50em)");

  function remember(target) {
    target.at = Date.now();
    try { sessionStorage.setItem(FOCUS_KEY, JSON.stringify(target)); } catch (e) { /* storage off: no focus */ }
  }

  function submit(control) {
    remember(control.type === "checkbox" ? { name: control.name, value: control.value } : { id: control.id });
    // Dropping page= keeps the new selection on its first page; empty fields are left out of the URL.
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.type !== "checkbox" && !el.value) el.disabled = true;
    });
    form.submit();
  }

  function visible(el) {
    return el && el.getClientRects().length > 0 && !(el.closest("details:not([open])") && el.tagName !== "SUMMARY");
  }

  function restoreFocus() {
    var stored = null;
    try {
      stored = JSON.parse(sessionStorage.getItem(FOCUS_KEY) || "null");
      sessionStorage.removeItem(FOCUS_KEY);
    } catch (e) { return; }
    if (!stored || Date.now() - stored.at > FOCUS_FOR_MS) return;
    var target = null;
    if (stored.key) target = document.querySelector('[data-focus-key="' + CSS.escape(stored.key) + '"]');
    else if (stored.id) target = document.getElementById(stored.id);
    else {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name === stored.name && el.value === stored.value) target = el;
      });
    }
    if (!visible(target)) target = document.getElementById("results-title");
    if (target) target.focus();
  }

  // The sidebar's fields belong to the form through form="search" but sit outside it, so listen on the document.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.name && target.form === form && target.type === "checkbox") submit(target);
  });

  document.addEventListener("focusout", function (event) {
    var target = event.target;
    if (!target || target.type !== "date" || target.form !== form) return;
    if (target.value === target.defaultValue) return;
    if (target.value === "" || COMPLETE_DATE.test(target.value)) submit(target);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target && target.type === "date" && target.form === form) {
      event.preventDefault();
      if (target.value === "" || COMPLETE_DATE.test(target.value)) submit(target);
    }
  });

  // Links that change the search (sort order, matching, timeline bars, chips) bring focus back to themselves.
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest && event.target.closest("a[data-focus-key], .chips a");
    if (link) remember({ key: link.getAttribute("data-focus-key") || "results-title" });
  });

  function openFilters() {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-open-when-wide]"), function (d) {
      d.open = WIDE.matches;
    });
  }
  openFilters();
  if (WIDE.addEventListener) WIDE.addEventListener("change", openFilters);

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
  restoreFocus();
})();
