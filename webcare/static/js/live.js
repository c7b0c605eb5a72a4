/* Webcare live parts shared by every page: the realtime stream (server-sent events), the CSRF token for
   fetch calls, swapping server-rendered regions, and the keyboard help dialog ("?"). No inline scripts. */
(function () {
  "use strict";
  var W = (window.Webcare = window.Webcare || {});

  W.csrf = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) return meta.getAttribute("content");
    var input = document.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  };

  /* Is the user typing in a field? Then single-key shortcuts stay out of the way. */
  W.typing = function (event) {
    var t = event.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  };

  /* Fetch a page and replace every [data-swap] region that is on both pages. */
  W.refresh = function (url) {
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-swap]").forEach(function (old) {
          var fresh = doc.querySelector('[data-swap="' + old.getAttribute("data-swap") + '"]');
          if (fresh) old.replaceWith(document.importNode(fresh, true));
        });
        document.dispatchEvent(new CustomEvent("webcare:swapped"));
      });
  };

  /* Open the realtime stream; `handlers` maps event types to functions. The server ends a stream after
     a while (it holds a thread); the browser reconnects, and `onReconnect` catches up on what was missed. */
  W.stream = function (url, handlers, onReconnect) {
    if (!url || !window.EventSource) return null;
    var source = new EventSource(url);
    var opened = false;
    source.addEventListener("open", function () {
      document.body.setAttribute("data-stream", "connected");
      if (opened && onReconnect) onReconnect();
      opened = true;
    });
    source.addEventListener("error", function () {
      document.body.setAttribute("data-stream", "reconnecting");
    });
    Object.keys(handlers).forEach(function (type) {
      source.addEventListener(type, function (e) {
        var data = {};
        try { data = JSON.parse(e.data); } catch (err) { return; }
        handlers[type](data);
      });
    });
    window.addEventListener("pagehide", function () { source.close(); });
    return source;
  };

  W.debounce = function (fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  };

  document.addEventListener("keydown", function (event) {
    if (event.key !== "?" || W.typing(event)) return;
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.showModal && !dialog.open) {
      event.preventDefault();
      dialog.showModal();
    }
  });
})();
