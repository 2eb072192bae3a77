// The markdown editor's enhancements (templates/_macros.html `textarea`): a formatting toolbar, a draft kept in this
// browser, and @mention suggestions. Progressive enhancement only: without this file the textarea works as before.
(function () {
  "use strict";

  var DRAFT_PREFIX = "abc-draft:";
  var PENDING_KEY = "abc-draft-submitted";

  // --- the toolbar ------------------------------------------------------------------------------------------

  function replaceSelection(textarea, text, selectFrom, selectTo) {
    var start = textarea.selectionStart;
    textarea.setRangeText(text, start, textarea.selectionEnd, "end");
    textarea.setSelectionRange(start + selectFrom, start + selectTo);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));  // the draft is saved like typed text
  }

  function wrap(textarea, mark) {
    var selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
    replaceSelection(textarea, mark + selected + mark, mark.length, mark.length + selected.length);
  }

  function prefixLines(textarea, prefix) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = textarea.selectionEnd;
    if (end > start && value.charAt(end - 1) === "\n") { end -= 1; }
    textarea.setSelectionRange(start, end);
    var lines = value.slice(start, end).split("\n").map(function (line) { return prefix + line; }).join("\n");
    replaceSelection(textarea, lines, lines.length, lines.length);
  }

  function link(textarea, placeholder) {
    var selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd) || placeholder;
    var text = "[" + selected + "](https://)";
    // the address is selected, ready to be typed over
    replaceSelection(textarea, text, selected.length + 3, text.length - 1);
  }

  function format(textarea, kind, toolbar) {
    if (kind === "bold") { wrap(textarea, "**"); }
    else if (kind === "italic") { wrap(textarea, "*"); }
    else if (kind === "list") { prefixLines(textarea, "- "); }
    else if (kind === "quote") { prefixLines(textarea, "> "); }
    else if (kind === "link") { link(textarea, toolbar.getAttribute("data-link-text") || "Link"); }
  }

  function addToolbar(container, textarea) {
    var template = container.querySelector("template[data-markdown-toolbar]");
    if (!template || !textarea.setRangeText) { return; }
    var toolbar = template.content.firstElementChild.cloneNode(true);
    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button"));
    // One tab stop for the whole toolbar; the arrow keys move between its buttons (ARIA toolbar pattern).
    buttons.forEach(function (button, index) { button.tabIndex = index === 0 ? 0 : -1; });
    toolbar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index === -1) { return; }
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      next = (next + buttons.length) % buttons.length;
      buttons[index].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-format]");
      if (!button) { return; }
      textarea.focus();
      format(textarea, button.getAttribute("data-format"), toolbar);
    });
    textarea.parentNode.insertBefore(toolbar, textarea);
  }

  // --- the draft --------------------------------------------------------------------------------------------

  function draftKey(textarea) {
    return DRAFT_PREFIX + textarea.form.action + "#" + textarea.name;
  }

  function storage(kind) {
    try { return window[kind]; } catch (error) { return null; }  // blocked storage: no drafts, nothing breaks
  }

  function pending() {
    var session = storage("sessionStorage");
    try { return JSON.parse((session && session.getItem(PENDING_KEY)) || "[]"); } catch (error) { return []; }
  }

  // After a submit the page that follows decides: the text back in its field (an error, a preview, the
  // client-data warning) keeps the draft; a success or info message without the text means it was saved.
  function settleSubmittedDrafts(textareas) {
    var local = storage("localStorage");
    var session = storage("sessionStorage");
    var keys = pending();
    if (!local || !session || !keys.length) { return; }
    session.removeItem(PENDING_KEY);
    var kept = textareas.filter(function (textarea) { return textarea.value.trim(); }).map(draftKey);
    var saved = document.querySelector(".flash.kern-alert--success, .flash.kern-alert--info");
    keys.forEach(function (key) {
      if (saved && kept.indexOf(key) === -1) { local.removeItem(key); }
    });
  }

  // Logging out forgets every draft: the next person at this computer must not find them.
  function forgetDraftsOnLogout() {
    Array.prototype.forEach.call(document.querySelectorAll("form[action$='/accounts/logout']"),
      function (form) {
        form.addEventListener("submit", function () {
          var local = storage("localStorage");
          if (!local) { return; }
          Object.keys(local).forEach(function (key) {
            if (key.indexOf(DRAFT_PREFIX) === 0) { local.removeItem(key); }
          });
        });
      });
  }

  function keepDraft(container, textarea, announce) {
    var local = storage("localStorage");
    if (!local || !textarea.form || !textarea.name) { return; }
    var key = draftKey(textarea);
    var draft = local.getItem(key);
    if (draft && !textarea.value.trim()) {
      textarea.value = draft;
      announce(container);
    }
    textarea.addEventListener("input", function () {
      try {
        if (textarea.value.trim()) { local.setItem(key, textarea.value); } else { local.removeItem(key); }
      } catch (error) { /* storage full: the text is still in the field */ }
    });
    textarea.form.addEventListener("submit", function () {
      var session = storage("sessionStorage");
      var keys = pending();
      if (session && keys.indexOf(key) === -1) {
        keys.push(key);
        session.setItem(PENDING_KEY, JSON.stringify(keys));
      }
    });
  }

  // --- @mention suggestions ---------------------------------------------------------------------------------

  // "@" and at least two letters right before the caret, not inside a word or an address ("a@b.de").
  var TYPED_MENTION = /(?:^|[^\w@/\\[`])@([^\s\d_@[\]`.,;:!?()]{2,}(?: [^\s\d_@[\]`.,;:!?()]*)?)$/u;

  function addMentions(container, textarea) {
    var url = container.getAttribute("data-mention-url");
    if (!url || !window.fetch) { return; }
    var listId = textarea.id + "-mentions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", container.getAttribute("data-mention-label") || "");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "kern-sr-only";
    status.setAttribute("role", "status");
    textarea.parentNode.insertBefore(list, textarea.nextSibling);
    textarea.parentNode.insertBefore(status, list.nextSibling);
    // The textarea stays a textbox (a textarea may have no other role) and owns the listbox, as in the combobox
    // pattern: aria-autocomplete, aria-controls and aria-activedescendant.
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", listId);
    var members = [];
    var active = -1;
    var start = -1;
    var asked = 0;
    var timer = null;

    function close() {
      list.hidden = true;
      list.textContent = "";
      members = [];
      active = -1;
      textarea.removeAttribute("aria-activedescendant");
    }

    // closed by the user: a suggestion still on its way is not shown
    function cancel() {
      asked += 1;
      window.clearTimeout(timer);
      close();
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, each) {
        option.setAttribute("aria-selected", each === index ? "true" : "false");
      });
      textarea.setAttribute("aria-activedescendant", listId + "-" + index);
    }

    function choose(index) {
      var member = members[index];
      if (!member) { return; }
      var end = textarea.selectionStart;
      textarea.setSelectionRange(start, end);
      var text = member.handle + " ";
      textarea.setRangeText(text, start, end, "end");
      close();
      textarea.focus();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function show(found) {
      close();
      members = found;
      if (!members.length) { status.textContent = ""; return; }
      members.forEach(function (member, index) {
        var option = document.createElement("li");
        option.id = listId + "-" + index;
        option.setAttribute("role", "option");
        option.textContent = member.name;
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(index); });
        list.appendChild(option);
      });
      list.hidden = false;
      highlight(0);
      status.textContent = (container.getAttribute("data-mention-count") || "{count}")
        .replace("{count}", String(members.length));
    }

    textarea.addEventListener("input", function () {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = TYPED_MENTION.exec(before);
      if (!match) { asked += 1; close(); return; }
      start = textarea.selectionStart - match[1].length - 1;
      var number = ++asked;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {  // one request when the typing pauses, not one per letter
        fetch(url + "?q=" + encodeURIComponent(match[1]), {
          headers: { "Accept": "application/json" }, credentials: "same-origin"
        }).then(function (response) {
          if (!response.ok) { throw new Error("no suggestions"); }
          return response.json();
        }).then(function (answer) {
          if (number === asked) { show(answer.members || []); }  // an older answer arriving late is ignored
        }).catch(close);
      }, 150);
    });

    textarea.addEventListener("keydown", function (event) {
      if (list.hidden || !members.length) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + members.length) % members.length);
      } else if (event.key === "Enter") {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Tab") {
        close();
      } else if (event.key === "Escape") {
        event.preventDefault();
        cancel();
        status.textContent = "";
      }
    });
    textarea.addEventListener("blur", cancel);
  }

  // --- wiring -----------------------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", function () {
    var containers = Array.prototype.slice.call(document.querySelectorAll("[data-markdown-field]"));
    var drafts = [];
    containers.forEach(function (container) {
      var textarea = container.querySelector("textarea");
      if (textarea && container.hasAttribute("data-draft-restored")) { drafts.push(textarea); }
    });
    settleSubmittedDrafts(drafts);
    forgetDraftsOnLogout();
    var announced = false;
    function announce(container) {
      var region = container.querySelector("[data-draft-status]");
      if (announced || !region) { return; }
      announced = true;  // once per page, however many fields came back
      // set after a moment, so screen readers notice the change of an existing live region
      window.setTimeout(function () {
        region.textContent = container.getAttribute("data-draft-restored");
      }, 300);
    }
    containers.forEach(function (container) {
      var textarea = container.querySelector("textarea");
      if (!textarea) { return; }
      addToolbar(container, textarea);
      if (drafts.indexOf(textarea) !== -1) { keepDraft(container, textarea, announce); }
      addMentions(container, textarea);
    });
  });
})();
