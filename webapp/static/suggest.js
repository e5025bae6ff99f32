// Autocomplete for the search boxes that ask for it (data-suggest="/api/suggest"): the WAI-ARIA combobox pattern
// with a listbox popup (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/). Without this script the box is a
// plain search box.
// - Nothing is asked for text shorter than data-suggest-min characters; a request waits for a pause in typing,
//   and typing on aborts the one in flight. Answers are kept for the page's life (typing back asks nothing).
// - Down and Up move through the suggestions (aria-activedescendant: focus stays in the box), Enter picks one (a
//   word searches for the completed text, a headline opens its article), Escape closes the list, Alt+Down opens it.
// - Text from the archive is set as text, never as HTML.
(function () {
  "use strict";
  var PAUSE_MS = 150; // typing faster than this sends one request, for the text at the pause
  var KEPT_ANSWERS = 200;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December"];

  // "2020-10-02T09:00:00" -> "2 October 2020", as the pages write dates (the time and the reader's zone aside).
  function day(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return parts ? Number(parts[3]) + " " + MONTHS[Number(parts[2]) - 1] + " " + parts[1] : "";
  }

  function Combobox(input) {
    this.input = input;
    this.url = input.getAttribute("data-suggest");
    this.min = parseInt(input.getAttribute("data-suggest-min"), 10) || 2;
    this.answers = new Map();
    this.options = [];
    this.active = -1;
    this.timer = null;
    this.pending = null;
    this.list = document.createElement("div");
    this.list.id = input.id + "-suggestions";
    this.list.className = "suggest-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "Suggestions");
    this.list.hidden = true;
    input.insertAdjacentElement("afterend", this.list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    input.setAttribute("autocomplete", "off"); // the browser's own list of past entries would cover ours
    input.addEventListener("input", this.typed.bind(this));
    input.addEventListener("keydown", this.key.bind(this));
    input.addEventListener("blur", this.close.bind(this));
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep focus in the box
    this.list.addEventListener("click", this.clicked.bind(this));
  }

  Combobox.prototype.typed = function () {
    var text = this.input.value;
    clearTimeout(this.timer);
    if (this.pending) { this.pending.abort(); this.pending = null; }
    if (text.trim().length < this.min) { this.close(); return; }
    if (this.answers.has(text)) { this.show(this.answers.get(text)); return; }
    this.timer = setTimeout(this.ask.bind(this, text), PAUSE_MS);
  };

  Combobox.prototype.ask = function (text) {
    var self = this;
    var controller = new AbortController();
    this.pending = controller;
    fetch(this.url + "?prefix=" + encodeURIComponent(text), { signal: controller.signal,
                                                               headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (self.pending === controller) self.pending = null;
        if (!answer) { self.close(); return; }
        if (self.answers.size >= KEPT_ANSWERS) self.answers.clear();
        self.answers.set(text, answer);
        if (self.input.value === text && document.activeElement === self.input) self.show(answer);
      })
      .catch(function () { /* aborted by typing on, or offline: the box stays a plain search box */ });
  };

  Combobox.prototype.show = function (answer) {
    var self = this;
    this.list.replaceChildren();
    this.options = [];
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    answer.words.forEach(function (word) {
      var option = self.option(word.text, { text: word.text });
      var count = document.createElement("span");
      count.className = "count";
      count.textContent = word.articles.toLocaleString("en");
      var unit = document.createElement("span");
      unit.className = "visually-hidden";
      unit.textContent = word.articles === 1 ? " article" : " articles";
      count.appendChild(unit);
      option.appendChild(count);
      self.list.appendChild(option);
    });
    if (answer.headlines.length) {
      var group = document.createElement("div");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Go to article");
      var heading = document.createElement("div");
      heading.className = "suggest-heading";
      heading.setAttribute("aria-hidden", "true"); // the group's label says it
      heading.textContent = "Go to article";
      group.appendChild(heading);
      answer.headlines.forEach(function (found) {
        var option = self.option(found.headline, { page: found.page });
        option.classList.add("suggest-article");
        var about = document.createElement("span");
        about.className = "count";
        about.textContent = [found.source, day(found.date)].filter(Boolean).join(", ");
        option.appendChild(about);
        group.appendChild(option);
      });
      this.list.appendChild(group);
    }
    if (this.options.length) this.open(); else this.close();
  };

  Combobox.prototype.option = function (label, pick) {
    var option = document.createElement("div");
    option.id = this.list.id + "-" + this.options.length;
    option.setAttribute("role", "option");
    option.setAttribute("aria-selected", "false");
    var text = document.createElement("span");
    text.className = "suggest-text";
    text.textContent = label;
    option.appendChild(text);
    this.options.push({ element: option, pick: pick });
    return option;
  };

  Combobox.prototype.open = function () {
    this.list.style.left = this.input.offsetLeft + "px";
    this.list.style.minWidth = this.input.offsetWidth + "px";
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Combobox.prototype.close = function () {
    clearTimeout(this.timer);
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.highlight(-1);
  };

  Combobox.prototype.isOpen = function () { return !this.list.hidden; };

  Combobox.prototype.highlight = function (index) {
    if (this.active >= 0 && this.options[this.active]) {
      this.options[this.active].element.setAttribute("aria-selected", "false");
    }
    this.active = index;
    if (index < 0) { this.input.removeAttribute("aria-activedescendant"); return; }
    var element = this.options[index].element;
    element.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", element.id);
    element.scrollIntoView({ block: "nearest" });
  };

  Combobox.prototype.move = function (step) {
    if (!this.isOpen()) this.open();
    var count = this.options.length;
    var next = this.active < 0 ? (step > 0 ? 0 : count - 1) : (this.active + step + count) % count;
    this.highlight(next);
  };

  Combobox.prototype.pick = function (chosen) {
    this.close();
    if (chosen.page) { window.location.assign(chosen.page); return; }
    this.input.value = chosen.text;
    var form = this.input.form;
    if (!form) return;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  };

  Combobox.prototype.key = function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!this.options.length) return;
      event.preventDefault();
      if (event.altKey) { if (event.key === "ArrowDown") this.open(); else this.close(); return; }
      this.move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      if (this.isOpen() && this.active >= 0) {
        event.preventDefault();
        this.pick(this.options[this.active].pick);
      } else {
        this.close();
      }
    } else if (event.key === "Escape") {
      if (this.isOpen()) { event.preventDefault(); this.close(); }
    } else if (event.key === "Tab" || event.key === "ArrowLeft" || event.key === "ArrowRight" ||
               event.key === "Home" || event.key === "End") {
      if (event.key === "Tab") this.close(); else this.highlight(-1);
    }
  };

  Combobox.prototype.clicked = function (event) {
    var element = event.target.closest && event.target.closest("[role=option]");
    if (!element) return;
    var found = this.options.filter(function (o) { return o.element === element; })[0];
    if (found) this.pick(found.pick);
  };

  if (!window.fetch || !window.AbortController || !window.Map) return;
  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), function (input) {
    new Combobox(input);
  });
})();
