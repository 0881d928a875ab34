// The question form shows only the parts of the chosen kind (choices, answer, rubric).
(function () {
  var form = document.getElementById("question-form"), kind = document.getElementById("q-kind");
  function sync() {
    form.querySelectorAll("[data-kinds]").forEach(function (part) {
      var on = part.getAttribute("data-kinds").split(" ").indexOf(kind.value) >= 0;
      part.hidden = !on;
      part.disabled = !on;
    });
  }
  kind.addEventListener("change", sync);
  sync();
})();
