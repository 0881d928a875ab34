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
