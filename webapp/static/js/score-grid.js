/* The expert's points grid: keyboard only, checked against each task's maximum, saved as it
   goes. Without this file the same form posts as a plain HTML form. No library. */
(function () {
  "use strict";
  var form = document.getElementById("score-grid");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-max]"));
  var status = document.getElementById("grid-status");
  var total = document.getElementById("grid-total");
  var token = form.querySelector("input[name=csrf_token]");
  var timer = null;
  var saving = false;
  var again = false;

  function value(input) {
    var text = input.value.trim();
    if (text === "") { return null; }
    if (!/^\d+$/.test(text)) { return NaN; }
    return parseInt(text, 10);
  }

  function check(input) {
    var v = value(input);
    var max = parseInt(input.getAttribute("data-max"), 10);
    var ok = v === null || (!isNaN(v) && v >= 0 && v <= max);
    input.classList.toggle("is-invalid", !ok);
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    return ok;
  }

  function points() {
    return inputs.map(value);
  }

  function refreshTotal() {
    var sum = 0;
    points().forEach(function (v) { if (typeof v === "number" && !isNaN(v)) { sum += v; } });
    total.textContent = String(sum);
  }

  function say(text) { status.textContent = text; }

  function save() {
    if (!inputs.every(check)) {
      say("Исправьте выделенные баллы: целое число от 0 до максимума задания.");
      return;
    }
    if (saving) { again = true; return; }
    saving = true;
    say("Сохранение…");
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    if (token) { headers["X-CSRFToken"] = token.value; }
    fetch(form.getAttribute("data-autosave"), {
      method: "POST", headers: headers, credentials: "same-origin",
      body: JSON.stringify({ points: points() })
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        var lock = form.querySelector("input[name=lock_version]");
        if (lock) { lock.value = result.data.lock_version; }
        say("Сохранено.");
      } else {
        say(result.data.message || (result.data.error && result.data.error.message) || "Не сохранено.");
      }
    }).catch(function () {
      say("Нет связи: баллы не сохранены. Нажмите «Сохранить», когда связь вернётся.");
    }).then(function () {
      saving = false;
      if (again) { again = false; save(); }
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  }

  inputs.forEach(function (input, i) {
    input.addEventListener("input", function () { check(input); refreshTotal(); schedule(); });
    input.addEventListener("keydown", function (event) {
      var next = null;
      if (event.key === "Enter" || event.key === "ArrowDown") { next = inputs[i + 1]; }
      else if (event.key === "ArrowUp") { next = inputs[i - 1]; }
      else { return; }
      event.preventDefault();
      if (next) { next.focus(); next.select(); }
      else if (event.key === "Enter") { document.getElementById("grid-submit").focus(); }
    });
  });
})();
