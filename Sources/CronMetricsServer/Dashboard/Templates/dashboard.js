// Live updates for the dashboard: rows and counts change as results arrive
// (Server-Sent Events from /dashboard/events), and relative times stay
// current. Without this script the pages still work: plain links and forms,
// and a <noscript> refresh.
(function () {
  "use strict";
  function rel(iso) {
    var t = Date.parse(iso);
    if (isNaN(t)) return "";
    var s = (Date.now() - t) / 1000, m = Math.abs(s), text;
    if (m < 45) return s >= 0 ? "just now" : "in a moment";
    if (m < 5400) text = Math.round(m / 60) + " min";
    else if (m < 129600) text = Math.round(m / 3600) + " h";
    else text = Math.round(m / 86400) + " d";
    return s >= 0 ? text + " ago" : "in " + text;
  }
  function setTime(el, iso, title, text) {
    if (iso) { el.setAttribute("datetime", iso); el.textContent = rel(iso); } else { el.removeAttribute("datetime"); el.textContent = text || ""; }
    el.title = title || "";
  }
  function update(job) {
    var holders = document.querySelectorAll("[data-job]");
    for (var i = 0; i < holders.length; i++) {
      var el = holders[i];
      if (el.getAttribute("data-job") !== job.id) continue;
      el.className = el.className.replace(/\bs-[a-z]+\b/, "s-" + job.state);
      var state = el.querySelector("[data-field=state]");
      if (state) { state.textContent = job.state; state.title = job.status; }
      var last = el.querySelector("[data-field=last_run]");
      if (last) setTime(last, job.last_run, job.last_run_title, job.last_run_text);
      var next = el.querySelector("[data-field=next]");
      if (next) setTime(next, job.next, job.next_title, job.next_text);
      var duration = el.querySelector("[data-field=duration]");
      if (duration) duration.textContent = job.duration;
      var running = el.querySelector("[data-field=running]");
      if (running) running.hidden = job.running === 0;
      if (el.tagName === "TR") { el.classList.add("flash-row"); setTimeout(function (row) { row.classList.remove("flash-row"); }, 1500, el); }
    }
  }
  function counts(values) {
    var links = document.querySelectorAll("[data-count]");
    for (var i = 0; i < links.length; i++) {
      var n = values[links[i].getAttribute("data-count")];
      if (n !== undefined) links[i].querySelector(".n").textContent = n;
    }
  }
  setInterval(function () {
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) times[i].textContent = rel(times[i].getAttribute("datetime"));
  }, 30000);
  if (!window.EventSource || !document.querySelector("[data-job]")) return;
  var status = document.getElementById("live");
  // Only the jobs this page shows: the server sends nothing about the others.
  var ids = [], seen = {}, holders = document.querySelectorAll("[data-job]");
  for (var h = 0; h < holders.length; h++) {
    var id = holders[h].getAttribute("data-job");
    if (!seen[id]) { seen[id] = true; ids.push(encodeURIComponent(id)); }
  }
  var source = new EventSource("/dashboard/events?jobs=" + ids.join(","));
  source.addEventListener("jobs", function (event) {
    var data = JSON.parse(event.data);
    data.jobs.forEach(update);
    if (data.counts) counts(data.counts);
    if (status) { status.hidden = false; status.textContent = "live · updated " + new Date().toLocaleTimeString(); }
  });
  source.onerror = function () { if (status) { status.hidden = false; status.textContent = "live updates paused, retrying…"; } };
})();
