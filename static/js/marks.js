// An article or chapter opened from a search result has the searched words marked (<mark>, by
// the server); bring the first one in its text into view, unless the address names a place of
// its own (#a-heading). Without this file the words are still marked.
(function () {
  if (location.hash) return;
  var body = document.getElementById("article-body");
  var first = body && body.querySelector("mark");
  if (first) first.scrollIntoView({ block: "center" });
})();
