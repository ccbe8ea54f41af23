/* Keeps an unfinished job's progress up to date in place, without reloading the page (a
   <meta refresh> would move a screen reader back to the top every few seconds: WCAG 2.2.1).
   The element with data-poll-url names the job's progress fragment; its label, bar and message
   are updated (the region is aria-live="polite"); once the job is finished the page is loaded
   again, once, to show the result. Without JavaScript the page offers a refresh link. */
(function () {
  "use strict";
  var box = document.querySelector("[data-poll-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-poll-url");
  var seconds = parseInt(box.getAttribute("data-poll-seconds"), 10) || 2;
  var finished = ["succeeded", "failed", "cancelled"];
  function copy(fresh, id, attr) {
    var from = fresh.querySelector("#" + id), to = document.getElementById(id);
    if (!from || !to) { return; }
    if (attr) { to.setAttribute(attr, from.getAttribute(attr)); } else { to.textContent = from.textContent; }
  }
  function tick() {
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("template");
      holder.innerHTML = html;
      var fresh = holder.content.querySelector("#job-progress");
      if (!fresh) { return; }
      if (finished.indexOf(fresh.getAttribute("data-state")) >= 0) { window.location.reload(); return; }
      copy(fresh, "job-state");
      copy(fresh, "job-progress-label");
      copy(fresh, "job-bar", "value");
      copy(fresh, "job-message");
      window.setTimeout(tick, seconds * 1000);
    }).catch(function () { window.setTimeout(tick, seconds * 3000); });
  }
  window.setTimeout(tick, seconds * 1000);
}());
