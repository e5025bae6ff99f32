// Progressive enhancement of the advanced search form (/advanced): it works fully without this script.
// As the fields are filled in, "Your search" shows the query they build, asked of /api/advanced (the server builds
// it: one builder, indexer/advanced.py), with its filters and the link that runs it; a form that cannot be run yet
// shows why there instead. Updates wait for a pause in typing, and an answer overtaken by a newer one is
// dropped.
(function () {
  "use strict";
  var form = document.getElementById("advanced");
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var section = document.getElementById("built");
  var field = document.getElementById("built-query");
  var said = document.getElementById("built-said");
  var link = document.getElementById("built-link");
  var PAUSE_MS = 250; // after the last keystroke
  var timer = null;
  var asked = 0; // the number of the latest request: older answers are dropped

  function params() {
    var found = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.type !== "submit" && !el.disabled) found.append(el.name, el.value);
    });
    return found;
  }

  function show(query, labels, url) {
    field.value = query;
    said.textContent = "";
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.textContent = "Your search: " + (query || "every article") + ".";
    said.appendChild(spoken);
    if (labels.length) said.appendChild(document.createTextNode(" With " + labels.join(" · ")));
    link.href = url;
    link.hidden = false;
    section.hidden = false;
  }

  function refuse(message, empty) {
    if (empty) { section.hidden = true; return; } // nothing asked yet: nothing to show
    field.value = "";
    said.textContent = message.charAt(0).toUpperCase() + message.slice(1);
    link.hidden = true;
    section.hidden = false;
  }

  function update() {
    var number = ++asked;
    // A field the browser finds invalid (a distance out of range) is not sent: its own message says why.
    var invalid = form.querySelector("input:invalid, select:invalid");
    if (invalid) {
      refuse((invalid.labels[0] ? invalid.labels[0].textContent + ": " : "") + invalid.validationMessage, false);
      return;
    }
    fetch(form.getAttribute("data-preview") + "?" + params().toString(), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (number !== asked) return;
        var problem = answer.problem || answer.error;
        if (problem) refuse(problem.message, problem.code === "empty_form");
        else show(answer.query, answer.filters, answer.url);
      })
      .catch(function () { /* offline or refused: the form still works without the preview */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, PAUSE_MS);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  update();
})();
