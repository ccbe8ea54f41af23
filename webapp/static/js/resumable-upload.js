/* Resumable upload of a document version over tus (progressive enhancement).
 *
 * Without JavaScript, or when tus-js-client cannot load, the form posts the file as before.
 * With it, the file goes in chunks to the tus endpoint (/uploads/tus/) with a progress bar; after
 * a dropped connection «Продолжить» resumes from the offset the server stored, and choosing the
 * same file again after a reload resumes too (tus-js-client keeps the upload URL in
 * localStorage, keyed by document and file). The library is fetched only on the first upload.
 */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.Promise || !window.Blob || !window.XMLHttpRequest) return;
  var data = form.dataset;
  var input = form.querySelector("input[type=file]");
  var submit = document.getElementById("upload-submit");
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-progress-bar");
  var status = document.getElementById("upload-status");
  var resume = document.getElementById("upload-resume");
  var current = null;

  function loadTus() {
    if (window.tus) return Promise.resolve(window.tus);
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = data.tusScript;
      script.onload = function () {
        if (window.tus && window.tus.isSupported) resolve(window.tus);
        else reject(new Error("tus unsupported"));
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1).replace(".", data.decimalMark || ",");
  }

  function fill(template, sent, total) {
    var percent = total ? Math.floor((sent / total) * 100) : 0;
    return template
      .replace("{sent}", megabytes(sent))
      .replace("{total}", megabytes(total))
      .replace("{percent}", String(percent));
  }

  function show(sent, total) {
    bar.value = total ? Math.floor((sent / total) * 100) : 0;
    status.textContent = fill(data.msgProgress, sent, total);
  }

  function idle() {
    current = null;
    submit.disabled = false;
    input.disabled = false;
  }

  function refused(error) {
    var response = error && error.originalResponse;
    if (!response) return null;
    var code = response.getStatus();
    // 409/423 are retried by the client; 5xx and network errors are worth a «Продолжить».
    if (code < 400 || code >= 500 || code === 409 || code === 423) return null;
    var type = response.getHeader("Content-Type") || "";
    // Our answers are plain text in the user's language; an HTML error page is not shown raw.
    return (type.indexOf("text/plain") === 0 && response.getBody()) || data.msgRefused;
  }

  function start(tus, file) {
    var csrf = form.querySelector("input[name=csrf_token]");
    var sent = 0;
    current = new tus.Upload(file, {
      endpoint: data.tusEndpoint,
      chunkSize: Number(data.chunkSize),
      retryDelays: data.retryDelays.split(",").map(Number),
      metadata: { filename: file.name, document_id: data.documentId },
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
      fingerprint: function (f) {
        var key = ["ekspertiza-tus", data.documentId, f.name, f.type, f.size, f.lastModified];
        return Promise.resolve(key.join("/"));
      },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: function (bytesSent, bytesTotal) {
        sent = bytesSent;
        show(bytesSent, bytesTotal);
      },
      onSuccess: function () {
        status.textContent = data.msgDone;
        window.location.assign(data.next);
      },
      onError: function (error) {
        var message = refused(error);
        if (message) {
          status.textContent = message;
          status.className = "alert alert-danger mt-2 mb-0";
          idle();
          return;
        }
        status.textContent = fill(data.msgDropped, sent, file.size);
        resume.hidden = false;
        resume.focus();
      },
    });
    box.hidden = false;
    status.className = "small mt-1 mb-0";
    show(0, file.size);
    current.findPreviousUploads().then(function (previous) {
      if (previous.length) current.resumeFromPreviousUpload(previous[0]);
      current.start();
    });
  }

  form.addEventListener("submit", function (event) {
    var file = input.files && input.files[0];
    if (!file) return;
    event.preventDefault();
    if (current) return;
    submit.disabled = true;
    loadTus().then(
      function (tus) {
        input.disabled = true;
        start(tus, file);
      },
      function () {
        submit.disabled = false;
        form.submit(); // the plain upload, as without JavaScript
      }
    );
  });

  resume.addEventListener("click", function () {
    if (!current) return;
    resume.hidden = true;
    status.textContent = data.msgResuming;
    current.start();
  });
})();
