// Small progressive enhancements; every page works without this file.
(function () {
  // "/" focuses the search box, as on most search-first sites.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.querySelector("input[type=search][name=q]");
    if (box) { e.preventDefault(); box.focus(); box.select(); }
  });
  // The language menu submits on change (a button remains for keyboard and no-JS users).
  document.addEventListener("change", function (e) {
    if (e.target && e.target.matches("[data-autosubmit]")) e.target.form.submit();
  });
})();

// The header's menu folds behind the menu button on a narrow screen (the CSS decides the width).
// The button shows only with this script; without it the menu stays the plain list of links.
// Listeners sit on the document: a history restore by htmx replaces the header.
(function () {
  function parts() {
    var button = document.getElementById("menu-toggle");
    return button ? { button: button, header: button.closest("header") } : null;
  }
  function setOpen(p, open) {
    p.button.setAttribute("aria-expanded", open ? "true" : "false");
    p.header.classList.toggle("menu-open", open);
  }
  function fold() {
    var p = parts();
    if (!p) return;
    p.header.classList.add("menu-folds");
    p.button.hidden = false;
    setOpen(p, false);
  }
  fold();
  document.addEventListener("htmx:historyRestore", fold);
  document.addEventListener("click", function (e) {
    var p = parts();
    if (!p) return;
    if (e.target.closest && e.target.closest("#menu-toggle")) setOpen(p, p.button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (e) {
    var p = parts();
    if (e.key !== "Escape" || !p || p.button.getAttribute("aria-expanded") !== "true") return;
    setOpen(p, false);
    if (p.header.contains(document.activeElement)) p.button.focus();  // back to the button that opened it
  });
})();

// Completion: the suggestion list under the search box is a listbox driven from the keyboard
// (ARIA combobox pattern). Without JS the list never appears and the form still searches.
(function () {
  function parts() {
    var input = document.getElementById("q");
    var list = document.getElementById("suggestions");
    return { input: input, list: list, options: list ? Array.prototype.slice.call(list.querySelectorAll("[role=option]")) : [] };
  }
  function setOpen(p, open) {
    if (!p.list) return;
    p.list.hidden = !open || p.options.length === 0;
    p.input.setAttribute("aria-expanded", p.list.hidden ? "false" : "true");
    if (p.list.hidden) p.input.removeAttribute("aria-activedescendant");
  }
  function activate(p, index) {
    p.options.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
    if (index >= 0) p.input.setAttribute("aria-activedescendant", p.options[index].id);
    else p.input.removeAttribute("aria-activedescendant");
  }
  function choose(p, option) {
    p.input.value = option.getAttribute("data-value");
    setOpen(p, false);
    p.input.form.requestSubmit ? p.input.form.requestSubmit() : p.input.form.submit();
  }
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "suggestions" || (e.detail.elt && e.detail.elt.id === "suggestions")) {
      var p = parts();
      if (p.input && document.activeElement === p.input) setOpen(p, true); else setOpen(p, false);
    }
  });
  // Back and forward: htmx puts back a copy of the page as it was left, in which the box holds
  // only the text the page was first served with (typed text is no attribute) and the list may be
  // open for a later query. The box takes the query of the address returned to; the list shuts.
  document.addEventListener("htmx:historyRestore", function () {
    var p = parts();
    if (!p.input) return;
    p.input.value = new URLSearchParams(location.search).get("q") || "";
    setOpen(p, false);
  });
  document.addEventListener("keydown", function (e) {
    if (!e.target || e.target.id !== "q") return;
    var p = parts();
    if (!p.list || p.list.hidden) { if (e.key === "ArrowDown" && p.options.length) { setOpen(p, true); activate(p, 0); e.preventDefault(); } return; }
    var current = p.options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (e.key === "ArrowDown") { activate(p, Math.min(current + 1, p.options.length - 1)); e.preventDefault(); }
    else if (e.key === "ArrowUp") { activate(p, current - 1); e.preventDefault(); }
    else if (e.key === "Escape") { setOpen(p, false); e.preventDefault(); }
    else if (e.key === "Enter" && current >= 0) { e.preventDefault(); choose(p, p.options[current]); }
  });
  document.addEventListener("click", function (e) {
    var p = parts();
    if (!p.list) return;
    var option = e.target.closest && e.target.closest("#suggestions [role=option]");
    if (option) { e.preventDefault(); choose(p, option); return; }
    if (e.target !== p.input) setOpen(p, false);
  });
})();

// Quick replies: a button puts its template text into the reply box (support desk).
document.addEventListener("click", function (e) {
  var b = e.target.closest && e.target.closest("[data-insert]");
  if (!b) return;
  var box = document.getElementById(b.getAttribute("data-target"));
  if (!box) return;
  box.value = box.value ? box.value.replace(/\s*$/, "\n") + b.getAttribute("data-insert") : b.getAttribute("data-insert");
  box.focus();
});

// A panel that polls (hx-trigger="every …") skips a beat while its tab is hidden, and while the
// selector in its data-poll-paused-by matches (ticked tickets of the queue a refresh would untick).
// Here and not in an htmx trigger filter ([…]): those are evaluated strings, which the CSP forbids.
document.addEventListener("htmx:beforeRequest", function (e) {
  var elt = e.detail && e.detail.elt;
  if (!elt || !elt.getAttribute || !/^\s*every\s/.test(elt.getAttribute("hx-trigger") || "")) return;
  var pausedBy = elt.getAttribute("data-poll-paused-by");
  if (document.visibilityState !== "visible" || (pausedBy && document.querySelector(pausedBy))) e.preventDefault();
});

// A live region (aria-live) stays in the page and htmx replaces the element inside it, so a screen
// reader hears the new content. A panel that polls (a ticket's history, an approval's route) would
// then be read out every 15 or 30 seconds even when nothing happened: a poll whose answer reads the
// same as what is shown is not swapped.
document.addEventListener("htmx:beforeSwap", function (e) {
  var d = e.detail, elt = d.elt, target = d.target;
  if (!target || !d.xhr || d.xhr.status !== 200 || !target.closest("[aria-live]")) return;
  if (!/^\s*every\s/.test((elt && elt.getAttribute && elt.getAttribute("hx-trigger")) || "")) return;
  var fresh = document.createElement("template");
  fresh.innerHTML = d.serverResponse;
  function text(node) { return (node.textContent || "").replace(/\s+/g, " ").trim(); }
  if (text(fresh.content) === text(target)) d.shouldSwap = false;
});
