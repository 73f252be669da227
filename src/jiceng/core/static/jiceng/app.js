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
// Sharing the phone's position on the report page (appeals/report.html): the browser
// asks the resident; the position (WGS-84, as navigator.geolocation gives it) fills the
// form's latitude/longitude and the place shown below is looked up again.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-geolocate]");
  if (!button || !button.form) {
    return;
  }
  event.preventDefault();
  var form = button.form;
  var status = document.getElementById(button.getAttribute("data-geolocate"));
  if (!navigator.geolocation) {
    if (status) { status.textContent = button.getAttribute("data-unavailable"); }
    return;
  }
  if (status) { status.textContent = button.getAttribute("data-waiting"); }
  navigator.geolocation.getCurrentPosition(function (position) {
    form.elements.latitude.value = position.coords.latitude.toFixed(6);
    form.elements.longitude.value = position.coords.longitude.toFixed(6);
    if (status) { status.textContent = button.getAttribute("data-done"); }
    var where = form.querySelector("[data-locate]");
    if (where && window.htmx) { window.htmx.trigger(where, "located"); }
  }, function () {
    if (status) { status.textContent = button.getAttribute("data-unavailable"); }
  }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
});

// A ledger's print button (台账): the page's print stylesheet leaves the table and its
// header block only.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});

// A picker's search (core/pickers.py) replaced its select's options: when exactly one
// place or org matched, choose it, so a phone user need not open the select again.
document.addEventListener("htmx:afterSwap", function (event) {
  var select = event.target;
  if (!select.matches || !select.matches(".picker select")) {
    return;
  }
  var found = select.querySelectorAll("option:not([disabled]):not([value=''])");
  if (found.length === 1) {
    select.value = found[0].value;
  }
});
