// Progressive enhancement of the search page's facets: every value reachable in place. Without this script, a
// facet's search box and its "More authors…" link open the facet's own page (/facets/<name>), which lists every
// value a page at a time; with it, the values come from /api/facets/<name> into the sidebar:
// - typing in a facet's box (or Enter) lists the values containing the text, counted for this search, in place of
//   the facet's own list; emptying the box brings that list back;
// - "More authors…" adds the values beyond the sidebar's, a page at a time, with a "More authors" button for the
//   next; focus moves to the first value added, so the keyboard carries on from there.
// The values are checkboxes of the search form (form="search"): ticking one applies it as any facet value does
// (app.js). Text goes in with textContent only, never as markup.
(function () {
  "use strict";
  var WAIT_MS = 250; // after the last key press, before asking
  var serial = 0;

  function plain(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function number(n) { return n.toLocaleString("en"); }

  function enhance(finder) {
    var fieldset = finder.closest("fieldset.facet");
    if (!fieldset || !window.fetch) return;
    var name = fieldset.getAttribute("data-facet");
    var noun = finder.getAttribute("data-noun"), plural = finder.getAttribute("data-plural");
    var shown = parseInt(finder.getAttribute("data-shown"), 10) || 20;
    var box = finder.querySelector("input[name=containing]");
    var link = fieldset.querySelector(".facet-more-link");
    var own = Array.prototype.filter.call(fieldset.children, function (el) {
      return el.tagName === "UL" || el.matches("details.more");
    });
    var found = plain("div", "facet-found");
    var status = plain("p", "facet-status");
    status.setAttribute("role", "status");
    var list = plain("ul");
    var next = plain("button", "facet-next", "More " + plural);
    next.type = "button";
    next.hidden = true;
    found.appendChild(status);
    found.appendChild(list);
    found.appendChild(next);
    (link || finder).insertAdjacentElement("afterend", found);
    var state = { containing: "", page: 0, beyond: false, ticket: 0 };
    var timer = null;

    // The facet's own checkboxes by value: a value listed again (a search finds a chosen one) is kept in step with
    // its twin, which stays in the form while hidden and would otherwise send its old state.
    function listed() {
      var values = {};
      own.forEach(function (el) {
        Array.prototype.forEach.call(el.querySelectorAll("input[type=checkbox]"), function (c) { values[c.value] = c; });
      });
      return values;
    }

    function item(value, twin) {
      var id = "found-" + name + "-" + (++serial);
      var li = plain("li");
      var input = plain("input");
      input.type = "checkbox";
      input.id = id;
      input.name = name;
      input.value = value.value;
      input.checked = value.selected;
      input.setAttribute("form", "search");
      if (twin) input.addEventListener("change", function () { twin.checked = input.checked; }); // before app.js sends
      var label = plain("label", null, value.value + " ");
      label.htmlFor = id;
      label.appendChild(plain("span", "count", number(value.count)));
      li.appendChild(input);
      li.appendChild(label);
      return li;
    }

    function say(data) {
      if (state.beyond) return "Showing " + number(Math.min(data.page * data.per_page, data.total)) + " of " +
        number(data.total) + " " + (data.total === 1 ? noun : plural);
      if (!data.total) return "No " + noun + " contains “" + state.containing + "”";
      return number(data.total) + " " + (data.total === 1 ? noun + " contains" : plural + " contain") + " “" +
        state.containing + "”";
    }

    function show(data, focus) {
      if (data.page === 1 || (state.beyond && data.page === 2)) list.textContent = "";
      var twins = listed();
      var first = null;
      data.values.forEach(function (value) {
        if (state.beyond && twins[value.value]) return; // a chosen value the sidebar already lists, in view
        var li = item(value, twins[value.value]);
        list.appendChild(li);
        first = first || li.querySelector("input");
      });
      state.page = data.page;
      status.textContent = say(data);
      next.hidden = data.page >= data.pages;
      if (focus && first) first.focus();
      else if (focus && next.hidden) box.focus();
    }

    function load(page, focus) {
      var ticket = ++state.ticket;
      var params = new URLSearchParams(new FormData(finder));
      params.set("containing", state.containing);
      params.set("page", String(page));
      params.set("per_page", String(shown));
      status.textContent = "Loading " + plural + "…";
      fetch(finder.getAttribute("data-api") + "?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok) throw new Error(data.error ? data.error.message : String(response.status));
            return data;
          });
        })
        .then(function (data) { if (ticket === state.ticket) show(data, focus); })
        .catch(function (err) {
          if (ticket === state.ticket) status.textContent = "Could not list " + plural + ": " + err.message;
        });
    }

    function search() {
      window.clearTimeout(timer);
      var containing = box.value.trim();
      if (containing === state.containing && !state.beyond && state.page) return;
      state.containing = containing;
      state.beyond = false;
      var searching = containing !== "";
      own.forEach(function (el) { el.hidden = searching; });
      if (link) link.hidden = searching;
      if (searching) { load(1, false); return; }
      state.ticket++; // an answer on its way is no longer wanted
      state.page = 0;
      list.textContent = "";
      status.textContent = "";
      next.hidden = true;
    }

    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, WAIT_MS);
    });
    finder.addEventListener("submit", function (event) {
      event.preventDefault();
      state.page = 0;
      search();
    });
    next.addEventListener("click", function () { load(state.page + 1, true); });
    if (link) {
      link.querySelector("a").addEventListener("click", function (event) {
        event.preventDefault();
        box.value = "";
        state.containing = "";
        state.beyond = true;
        link.hidden = true;
        load(2, true); // the first page is the sidebar's own list
      });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.facet-search[data-api]"), enhance);
})();
