// The bell in the top bar: keep the unread count fresh without reloading the page.
// Polls the JSON endpoint every 30 seconds and when the tab becomes visible again; the realtime
// stream (when the page has one) can ask for an immediate refresh by dispatching the DOM event
// "webcare:notification" on document.
(function () {
  "use strict";
  var bell = document.querySelector(".bell[data-unread-url]");
  if (!bell) { return; }
  var counter = bell.querySelector("[data-bell-count]");
  var url = bell.getAttribute("data-unread-url");
  var busy = false;

  function show(count) {
    counter.textContent = String(count);
    counter.classList.toggle("is-empty", count === 0);
  }

  function refresh() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && typeof data.unread === "number") { show(data.unread); } })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, 30000);
  document.addEventListener("visibilitychange", refresh);
  document.addEventListener("webcare:notification", refresh);
})();
