// Pictures in the article editor: a chosen, dropped or pasted PNG/JPEG/WebP is posted to the
// picture form's address and ![description](address) goes in at the cursor. A refusal is said in
// the status line and the text stays exactly as typed. Without this file the picture form still
// posts into a new tab that shows the line to copy.
(function () {
  var form = document.getElementById("picture-form"), widget = form;
  if (!form || !window.fetch || !window.FormData) return;
  var box = document.getElementById(widget.getAttribute("data-target"));
  var chooser = document.getElementById("picture-file");
  var alt = document.getElementById("picture-alt");
  var status = document.getElementById("picture-status");
  var maxBytes = parseInt(widget.getAttribute("data-max-bytes"), 10) || 0;
  var TYPES = ["image/png", "image/jpeg", "image/webp"];
  var queue = Promise.resolve();

  function say(kind, text) {
    status.textContent = text;
    status.className = "picture-status" + (kind ? " " + kind : "");
    status.setAttribute("role", kind === "error" ? "alert" : "status");
  }
  function message(name) { return widget.getAttribute("data-msg-" + name); }

  function defaultAlt(file) {
    var stem = (file.name || "").replace(/\.[^.]*$/, "").replace(/[_-]+/g, " ").trim();
    return /^(image|blob|clipboard|screenshot)?$/i.test(stem) ? "" : stem;
  }

  function insert(markdown) {
    // on a line of its own, so the picture is a paragraph of the text
    var start = box.selectionStart, end = box.selectionEnd, value = box.value;
    var before = value.slice(0, start), after = value.slice(end);
    var lead = !before || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var tail = !after || /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    box.setRangeText(lead + markdown + tail, start, end, "end");
    box.dispatchEvent(new Event("input", { bubbles: true })); // the live preview follows
  }

  function upload(file) {
    if (TYPES.indexOf(file.type) < 0 && file.type) { say("error", message("type")); return Promise.resolve(); }
    if (maxBytes && file.size > maxBytes) { say("error", message("too-big")); return Promise.resolve(); }
    var data = new FormData();
    data.append("csrf_token", form.querySelector("[name=csrf_token]").value);
    data.append("file", file, file.name || "picture");
    data.append("alt", (alt && alt.value.trim()) || defaultAlt(file));
    say("busy", message("uploading"));
    widget.setAttribute("aria-busy", "true");
    return fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok && body.markdown) {
            insert(body.markdown);
            if (alt) alt.value = "";
            say("ok", message("inserted"));
          } else {
            say("error", (body.error && body.error.message) || message("failed"));
          }
        });
      })
      .catch(function () { say("error", message("failed")); })
      .then(function () { widget.removeAttribute("aria-busy"); });
  }

  function uploadAll(files) {
    var pictures = Array.prototype.slice.call(files || []);
    pictures.forEach(function (file) { queue = queue.then(function () { return upload(file); }); });
    return pictures.length;
  }

  chooser.addEventListener("change", function () {
    if (chooser.files.length) uploadAll(chooser.files);
    chooser.value = "";
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault(); // with the script the chooser has uploaded already
    if (chooser.files.length) uploadAll(chooser.files);
  });
  [box, form].forEach(function (zone) { // drop into the text, or onto this form
    zone.addEventListener("dragover", function (e) {
      if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0) {
        e.preventDefault();
        zone.classList.add("dropping");
      }
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dropping"); });
    zone.addEventListener("drop", function (e) {
      zone.classList.remove("dropping");
      if (e.dataTransfer && e.dataTransfer.files.length) {
        e.preventDefault();
        uploadAll(e.dataTransfer.files);
      }
    });
  });
  box.addEventListener("paste", function (e) {
    var files = e.clipboardData && e.clipboardData.files;
    if (files && files.length) {
      e.preventDefault(); // a pasted screenshot, not its file name as text
      uploadAll(files);
    }
  });
})();
