// Ideenbörse: while a title and summary are typed into the idea form, ask which ideas are similar and show
// them in the form's polite live region. Progressive enhancement only: without this file the form's button
// "Ähnliche Ansätze anzeigen" shows the same list after a reload.
(function () {
  "use strict";

  var box = document.querySelector("[data-similar-ideas]");
  if (!box || !window.fetch || !window.URLSearchParams) { return; }
  var form = box.closest("form");
  var title = form && form.querySelector("[name=title]");
  var summary = form && form.querySelector("[name=summary]");
  if (!title || !summary) { return; }
  var timer = null;
  var asked = "";

  function ask() {
    var text = (title.value + " " + summary.value).trim();
    if (text.length < 8 || text === asked) { return; }
    asked = text;
    var query = new URLSearchParams({ title: title.value, summary: summary.value, idea: box.dataset.idea || "" });
    fetch(box.dataset.url + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { box.innerHTML = html; } })
      .catch(function () { /* no list, the form works as before */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 700);
  }

  title.addEventListener("input", later);
  summary.addEventListener("input", later);
})();
