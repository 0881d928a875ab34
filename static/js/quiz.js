// The quiz timer: shows the time the server gave; at zero it hands the paper in (the server
// enforces the limit anyway, this only saves the trainee a click).
(function () {
  var box = document.getElementById("timer");
  if (!box) return;
  var text = document.getElementById("timer-text");
  var end = Date.now() + parseInt(box.dataset.secondsLeft, 10) * 1000;
  var sent = false;
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    text.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    box.classList.toggle("low", left <= 60);
    if (left === 0 && !sent) {
      sent = true;
      var form = document.querySelector(box.dataset.submit);
      if (form) form.submit();
      return;
    }
    setTimeout(tick, 1000);
  }
  tick();
})();
