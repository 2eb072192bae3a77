// Ideenbörse: vote and withdraw without reloading the page. Progressive enhancement only: without this file
// the vote form is an ordinary POST and the page reloads with a message.
(function () {
  "use strict";

  function enhanceVoteForm(form) {
    var section = form.closest("section") || document;
    var summary = section.querySelector("[data-vote-summary]");
    var status = section.querySelector("[data-vote-status]");
    var label = form.querySelector("[data-vote-label]");
    var button = form.querySelector("button[type=submit]");
    var busy = false;

    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }
      event.preventDefault();
      if (busy) { return; }
      busy = true;
      button.setAttribute("aria-disabled", "true");
      // The CSRF token travels in the form's hidden field; the server answers JSON because we ask for it.
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") === -1) { throw new Error("no JSON answer"); }
        return response.json();
      }).then(function (answer) {
        summary.textContent = answer.summary;
        status.textContent = answer.message;  // aria-live="polite": read out to screen-reader users
        label.textContent = answer.button;
        form.action = answer.action;
        button.classList.toggle("kern-btn--primary", !answer.voted);
        button.classList.toggle("kern-btn--secondary", answer.voted);
      }).catch(function () {
        // Expired session, lost connection, a refusal: let the server answer with a whole page instead.
        form.submit();
      }).then(function () {
        busy = false;
        button.removeAttribute("aria-disabled");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-vote-form]"), enhanceVoteForm);
  });
})();
