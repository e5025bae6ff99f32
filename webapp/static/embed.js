/*
 * newsarchive embed: turns <div data-newsarchive="https://archive.example"></div> into a search box whose results
 * come from that archive's JSON API. No dependencies; no HTML from the network is inserted except the snippets'
 * <mark> elements, which are rebuilt as DOM nodes (everything else in a snippet becomes plain text).
 * Options: data-per-page="5", data-placeholder="Search the archive".
 */
(function () {
  "use strict";

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
      if (node.nodeType === 1 && node.nodeName === "MARK") out.appendChild(el("mark", {}, node.textContent));
      else out.appendChild(document.createTextNode(node.textContent));
    });
    return out;
  }

  function render(list, status, host, data) {
    list.textContent = "";
    status.textContent = data.total.toLocaleString() + (data.total === 1 ? " article" : " articles");
    data.hits.forEach(function (hit) {
      var item = el("li", { "class": "newsarchive-hit" });
      var key = /^[\w.:@-]+$/.test(hit.id) && hit.id.charAt(0) !== "~" ? hit.id
        : "~" + btoa(unescape(encodeURIComponent(hit.id))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      var link = el("a", { href: host + "/articles/" + encodeURIComponent(key), target: "_blank", rel: "noopener" },
        hit.headline || "(untitled)");
      var meta = el("div", { "class": "newsarchive-meta" },
        [hit.date ? hit.date.slice(0, 10) : "", hit.source].filter(Boolean).join(" · "));
      var snippet = el("p", { "class": "newsarchive-snippet" });
      snippet.appendChild(snippetNodes(hit.snippet));
      item.appendChild(link); item.appendChild(meta); item.appendChild(snippet);
      list.appendChild(item);
    });
  }

  function mount(box) {
    var host = (box.getAttribute("data-newsarchive") || "").replace(/\/+$/, "");
    if (!/^https?:\/\//.test(host)) return;
    var perPage = parseInt(box.getAttribute("data-per-page") || "5", 10);
    var id = "newsarchive-q-" + Math.random().toString(36).slice(2);
    var form = el("form", { role: "search", "class": "newsarchive-form" });
    var label = el("label", { "for": id }, box.getAttribute("data-placeholder") || "Search the archive");
    var input = el("input", { id: id, type: "search", name: "q" });
    var button = el("button", { type: "submit" }, "Search");
    var status = el("p", { role: "status", "class": "newsarchive-status" });
    var correction = el("p", { "class": "newsarchive-correction" });
    var list = el("ol", { "class": "newsarchive-results" });
    form.appendChild(label); form.appendChild(input); form.appendChild(button);
    box.appendChild(form); box.appendChild(status); box.appendChild(correction); box.appendChild(list);

    function ask(query) {
      var url = host + "/api/search?q=" + encodeURIComponent(query) + "&per_page=" + perPage;
      return fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); });
    }

    // Nothing found but a correction finds articles: show those, and offer the query as typed (asTyped).
    function search(query, asTyped) {
      status.textContent = "Searching…";
      correction.textContent = "";
      ask(query)
        .then(function (res) {
          if (!res.ok || asTyped || res.body.total || !res.body.suggestion) return { res: res };
          return ask(res.body.suggestion).then(function (fixed) {
            return fixed.ok && fixed.body.total ? { res: fixed, typed: query } : { res: res };
          });
        })
        .then(function (found) {
          if (!found.res.ok) { list.textContent = ""; status.textContent = found.res.body.error.message; return; }
          render(list, status, host, found.res.body);
          if (found.typed !== undefined) {
            var instead = el("button", { type: "button", "class": "newsarchive-as-typed" }, found.typed);
            instead.addEventListener("click", function () { search(found.typed, true); });
            correction.appendChild(document.createTextNode("Showing results for "));
            correction.appendChild(el("strong", {}, found.res.body.query));
            correction.appendChild(document.createTextNode("; search instead for "));
            correction.appendChild(instead);
          }
        })
        .catch(function () { status.textContent = "The archive could not be reached."; });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      search(input.value, false);
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-newsarchive]"), mount);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
