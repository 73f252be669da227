// Small behaviours that the CSP forbids inline: auto-submitting selects, confirm prompts.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
    el.form.submit();
  }
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
// The large-text mode (长辈模式) of the resident pages: switch in place, so nothing
// typed into a form is lost, and remember it on this device in the cookie the server
// reads (core/views.py); without a script the same button posts to /large-text/.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = form.querySelector && form.querySelector("[data-large-text-switch]");
  if (!button || event.defaultPrevented) {
    return;
  }
  event.preventDefault();
  var on = !document.documentElement.classList.contains("large-text");
  document.documentElement.classList.toggle("large-text", on);
  button.setAttribute("aria-pressed", on ? "true" : "false");
  // Labels carry their usual and their plain words (templatetags/jiceng_core.py).
  document.querySelectorAll("[data-words-plain]").forEach(function (el) {
    el.textContent = el.getAttribute(on ? "data-words-plain" : "data-words-standard");
  });
  document.cookie = "jiceng_large_text=" + (on ? "1; max-age=31536000" : "; max-age=0") +
    "; path=/; samesite=lax";
});

// A ledger's print button (台账): the page's print stylesheet leaves the table and its
// header block only.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
