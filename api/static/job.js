// The progress page of a large upload (api/pages/page_jobs.py): polls the job's state every
// second, shows its step and progress, and opens the result page once the job has ended.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var statusUrl = box.getAttribute("data-status-url");
  var pageUrl = box.getAttribute("data-page-url");
  function show(state) {
    var bar = document.getElementById("job-bar");
    var percent = document.getElementById("job-percent");
    if (bar) { bar.value = state.progress; }
    if (percent) { percent.textContent = Math.round(state.progress * 100) + "%"; }
    document.getElementById("job-status").textContent = state.status_zh;
    document.getElementById("job-step").textContent = state.step_zh;
  }
  function poll() {
    fetch(statusUrl, { credentials: "same-origin", cache: "no-store" }).then(function (answer) {
      if (!answer.ok) { throw new Error(String(answer.status)); }
      return answer.json();
    }).then(function (state) {
      show(state);
      if (state.status === "queued" || state.status === "running") {
        window.setTimeout(poll, 1000);
      } else {
        window.location.replace(pageUrl);
      }
    }).catch(function () { window.setTimeout(function () { window.location.replace(pageUrl); }, 2000); });
  }
  window.setTimeout(poll, 500);
}());
