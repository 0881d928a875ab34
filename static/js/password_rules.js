// The password rules beside a new-password field tick off (✓) as they are met while typing.
// Only a help: the server checks the same rules (and the password history) on every path.
(function () {
  function met(rule, value, list) {
    switch (rule) {
      case "too_short": return value.length >= parseInt(list.getAttribute("data-min-length") || "8", 10);
      case "no_letter": return /[A-Za-z]/.test(value);
      case "no_digit": return /[0-9]/.test(value);
      case "no_special": return /[^\p{L}\p{N}\s]/u.test(value);
      case "contains_username": {
        var name = (list.getAttribute("data-username") || "").toLowerCase();
        return value.length > 0 && (!name || value.toLowerCase().indexOf(name) < 0);
      }
      default: return null; // the history is known to the server only
    }
  }
  function update(input) {
    var list = document.getElementById(input.getAttribute("data-password-rules"));
    if (!list) return;
    list.querySelectorAll("li[data-rule]").forEach(function (li) {
      var ok = met(li.getAttribute("data-rule"), input.value, list);
      if (ok === null) return;
      li.classList.toggle("met", ok);
      li.querySelector(".mark").textContent = ok ? "✓" : "•";
    });
  }
  document.addEventListener("input", function (e) {
    if (e.target && e.target.matches("[data-password-rules]")) update(e.target);
  });
})();
