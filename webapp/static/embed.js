/*
 * newsarchive embed: turns <div data-newsarchive="https://archive.example"></div> into a search box whose results
 * come from that archive's JSON API, a page at a time. No dependencies, no styles of its own: every element has a
 * newsarchive-* class for the host's stylesheet (docs/web.md lists them). No HTML from the network is inserted
 * except the snippets' <mark> elements, which are rebuilt as DOM nodes (everything else becomes plain text).
 * Options (data-* attributes of the div): per-page (5), label ("Search the archive"), placeholder (none),
 * locale of the dates ("en-GB").
 */
(function () {
  "use strict";

  var DEFAULTS = { perPage: 5, label: "Search the archive", locale: "en-GB" };
  var MAX_PER_PAGE = 100;  // the API's limit of per_page (indexer.results.MAX_PER_PAGE)
  var MAX_DEPTH = 10000;  // results are browsable this deep (indexer.results.MAX_RESULT_DEPTH)

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // Copy a snippet's text, keeping only <mark> elements; the template's content is inert (no scripts, no loads).
  function snippetNodes(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var out = document.createDocumentFragment();
    template.content.childNodes.forEach(function (node) {
      if (node.nodeType === 1 && node.nodeName === "MARK") {
        out.appendChild(el("mark", { "class": "newsarchive-mark" }, node.textContent));
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function options(box) {
    var perPage = parseInt(box.getAttribute("data-per-page") || "", 10);
    return {
      host: (box.getAttribute("data-newsarchive") || "").replace(/\/+$/, ""),
      perPage: perPage >= 1 ? Math.min(perPage, MAX_PER_PAGE) : DEFAULTS.perPage,
      label: box.getAttribute("data-label") || DEFAULTS.label,
      placeholder: box.getAttribute("data-placeholder") || "",
      dates: dateFormat(box.getAttribute("data-locale") || DEFAULTS.locale)
    };
  }

  // Dates in words ("12 July 2019"), the same in every browser: the locale is the widget's, not the reader's.
  function dateFormat(locale) {
    var style = { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" };
    try {
      return new Intl.DateTimeFormat(locale, style);
    } catch (err) {  // a locale tag the browser cannot read
      return new Intl.DateTimeFormat(DEFAULTS.locale, style);
    }
  }

  // The API gives the archive's calendar date as "2019-07-12T00:00:00", without a zone; read as it stands, the
  // browser would take it as local time, a day early east of UTC. Its date part, at UTC midnight, never shifts.
  function dateNode(iso, format) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    if (!parts) return null;
    var day = new Date(Date.UTC(+parts[1], +parts[2] - 1, +parts[3]));
    return el("time", { "class": "newsarchive-date", datetime: parts[0] }, format.format(day));
  }

  function articleUrl(host, id) {
    var key = /^[\w.:@-]+$/.test(id) && id.charAt(0) !== "~" ? id
      : "~" + btoa(unescape(encodeURIComponent(id))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    return host + "/articles/" + encodeURIComponent(key);
  }

  function hitNode(hit, opts) {
    var item = el("li", { "class": "newsarchive-hit" });
    var link = el("a", { "class": "newsarchive-headline", href: articleUrl(opts.host, hit.id), target: "_blank",
      rel: "noopener" }, hit.headline || "(untitled)");
    var meta = el("p", { "class": "newsarchive-meta" });
    var date = dateNode(hit.date, opts.dates);
    if (date) meta.appendChild(date);
    if (date && hit.source) meta.appendChild(document.createTextNode(" · "));
    if (hit.source) meta.appendChild(el("span", { "class": "newsarchive-source" }, hit.source));
    var snippet = el("p", { "class": "newsarchive-snippet" });
    snippet.appendChild(snippetNodes(hit.snippet));
    item.appendChild(link); item.appendChild(meta); item.appendChild(snippet);
    return item;
  }

  function pageCount(data) {
    return Math.max(1, Math.ceil(Math.min(data.total, MAX_DEPTH) / data.per_page));
  }

  function summary(data) {
    var text = data.total.toLocaleString("en") + (data.total === 1 ? " article" : " articles");
    var pages = pageCount(data);
    return pages > 1 ? text + ", page " + data.page + " of " + pages : text;
  }

  // The widget's elements, in the host's div: form, status, correction, results, pager, the link to the archive.
  function build(box, opts) {
    var id = "newsarchive-q-" + Math.random().toString(36).slice(2);
    var parts = {
      form: el("form", { role: "search", "class": "newsarchive-form" }),
      input: el("input", { id: id, type: "search", name: "q", "class": "newsarchive-input", maxlength: "1000" }),
      status: el("p", { id: id + "-status", role: "status", "class": "newsarchive-status" }),
      correction: el("p", { "class": "newsarchive-correction" }),
      list: el("ol", { "class": "newsarchive-results", tabindex: "-1", "aria-labelledby": id + "-status" }),
      pager: el("nav", { "class": "newsarchive-pager", "aria-label": "Result pages" }),
      previous: el("button", { type: "button", "class": "newsarchive-previous" }, "Previous"),
      next: el("button", { type: "button", "class": "newsarchive-next" }, "Next"),
      all: el("a", { "class": "newsarchive-all", target: "_blank", rel: "noopener" })
    };
    if (opts.placeholder) parts.input.setAttribute("placeholder", opts.placeholder);
    parts.form.appendChild(el("label", { "for": id, "class": "newsarchive-label" }, opts.label));
    parts.form.appendChild(parts.input);
    parts.form.appendChild(el("button", { type: "submit", "class": "newsarchive-button" }, "Search"));
    parts.pager.appendChild(parts.previous); parts.pager.appendChild(parts.next);
    ["form", "status", "correction", "list"].forEach(function (name) { box.appendChild(parts[name]); });
    box.classList.add("newsarchive-widget");
    return parts;
  }

  function render(parts, opts, data) {
    var pages = pageCount(data);
    parts.list.textContent = "";
    parts.list.setAttribute("start", String((data.page - 1) * data.per_page + 1));
    data.hits.forEach(function (hit) { parts.list.appendChild(hitNode(hit, opts)); });
    parts.status.textContent = summary(data);
    parts.previous.disabled = data.page <= 1;
    parts.next.disabled = data.page >= pages;
    parts.all.href = opts.host + "/?q=" + encodeURIComponent(data.query);
    parts.all.textContent = "All " + data.total.toLocaleString("en") + " results on the archive";
    showMore(parts, pages > 1);
  }

  // The pager and the link to the archive are in the page only when there is more than one page: removed, not
  // hidden, so that a host's display rule for them cannot bring them back.
  function showMore(parts, shown) {
    [parts.pager, parts.all].forEach(function (node) {
      if (shown) parts.list.parentNode.appendChild(node);
      else if (node.parentNode) node.parentNode.removeChild(node);
    });
  }

  function clear(parts, message) {
    parts.list.textContent = "";
    parts.status.textContent = message;
    showMore(parts, false);
  }

  function offerAsTyped(parts, shown, typed, searchAsTyped) {
    var instead = el("button", { type: "button", "class": "newsarchive-as-typed" }, typed);
    instead.addEventListener("click", function () { searchAsTyped(typed); });
    parts.correction.appendChild(document.createTextNode("Showing results for "));
    parts.correction.appendChild(el("strong", { "class": "newsarchive-corrected" }, shown));
    parts.correction.appendChild(document.createTextNode("; search instead for "));
    parts.correction.appendChild(instead);
  }

  function mount(box) {
    var opts = options(box);
    if (!/^https?:\/\//.test(opts.host) || box.classList.contains("newsarchive-widget")) return;
    var parts = build(box, opts);
    var shown = null;  // the answer on show: its query (the corrected one, if so) and page
    var latest = 0;  // only the answer to the latest request is shown, however the answers arrive

    function ask(query, page) {
      var url = opts.host + "/api/search?q=" + encodeURIComponent(query) + "&per_page=" + opts.perPage +
        (page > 1 ? "&page=" + page : "");
      return fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); });
    }

    function begin() {
      box.classList.add("newsarchive-busy");
      box.setAttribute("aria-busy", "true");
      return ++latest;
    }

    // Show an answer (found: the response, and the query as typed when it was corrected; null: no response).
    function finish(ticket, found, focusList) {
      if (ticket !== latest) return;
      box.classList.remove("newsarchive-busy");
      box.removeAttribute("aria-busy");
      shown = found && found.res.ok ? found.res.body : null;
      if (shown) render(parts, opts, shown);
      else clear(parts, found ? found.res.body.error.message : "The archive could not be reached.");
      if (shown && found.typed !== undefined) {
        offerAsTyped(parts, shown.query, found.typed, function (typed) { search(typed, true); });
      }
      if (focusList) parts.list.focus();  // after paging, the reader lands on the new page's results
    }

    // Nothing found but a correction finds articles: show those, and offer the query as typed (asTyped).
    function search(query, asTyped) {
      var ticket = begin();
      parts.status.textContent = "Searching…";
      parts.correction.textContent = "";
      ask(query, 1)
        .then(function (res) {
          if (!res.ok || asTyped || res.body.total || !res.body.suggestion) return { res: res };
          return ask(res.body.suggestion, 1).then(function (fixed) {
            return fixed.ok && fixed.body.total ? { res: fixed, typed: query } : { res: res };
          });
        })
        .then(function (found) { finish(ticket, found, false); })
        .catch(function () { finish(ticket, null, false); });
    }

    // Another page of the results on show (of the corrected query, if so): the correction line stays.
    function turn(step) {
      if (!shown) return;
      var ticket = begin();
      ask(shown.query, shown.page + step)
        .then(function (res) { finish(ticket, { res: res }, true); })
        .catch(function () { finish(ticket, null, true); });
    }

    parts.form.addEventListener("submit", function (event) {
      event.preventDefault();
      search(parts.input.value, false);
    });
    parts.previous.addEventListener("click", function () { turn(-1); });
    parts.next.addEventListener("click", function () { turn(1); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-newsarchive]"), mount);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
