/* The ticket page: reply composer (counter, canned responses, department's proposed reply), presence of
   colleagues (viewing/typing), the thread refreshing live, and the shortcuts r (reply), n (note),
   e (resolve), u (back to the inbox). */
(function () {
  "use strict";
  var W = window.Webcare;
  var root = document.querySelector('[data-live="ticket"]');
  if (!root || !W) return;
  var ticketId = root.getAttribute("data-ticket-id");
  var text = document.getElementById("reply-text");
  var counter = document.getElementById("reply-counter");
  var send = document.getElementById("send-reply");
  var lastTyped = 0;

  function count() {
    if (!text || !counter) return;
    var limit = parseInt(counter.getAttribute("data-limit"), 10);
    var length = Array.from(text.value).length;
    counter.textContent = String(length);
    var over = length > limit;
    counter.parentNode.classList.toggle("over-limit", over);
    if (send) send.disabled = over;
  }

  function insert(value) {
    if (!text) return;
    text.value = text.value.trim() ? text.value.replace(/\s*$/, "") + "\n\n" + value : value;
    count();
    text.focus();
  }

  if (text) {
    text.addEventListener("input", function () { lastTyped = Date.now(); count(); });
    count();
  }
  var canned = document.getElementById("canned");
  if (canned) {
    canned.addEventListener("change", function () {
      var option = canned.options[canned.selectedIndex];
      if (option && option.getAttribute("data-text")) insert(option.getAttribute("data-text"));
      canned.selectedIndex = 0;
    });
  }
  root.addEventListener("click", function (event) {
    var button = event.target.closest(".use-reply");
    if (button) insert(button.getAttribute("data-text"));
  });

  document.addEventListener("keydown", function (event) {
    if (W.typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "r" && text) { text.focus(); event.preventDefault(); }
    else if (event.key === "n") {
      var panel = document.getElementById("note-panel");
      if (panel) { panel.open = true; document.getElementById("note-text").focus(); event.preventDefault(); }
    } else if (event.key === "e") {
      var status = document.getElementById("status-select");
      if (status && status.querySelector('option[value="resolved"]')) {
        status.value = "resolved";
        document.getElementById("status-text").focus();
        event.preventDefault();
      }
    } else if (event.key === "u") {
      var page = document.querySelector(".ticket-page[data-back-url]");
      window.location.href = page ? page.getAttribute("data-back-url") : "/";
    }
  });

  /* Presence: a heartbeat says "I am here (and typing)"; the answer lists the others. */
  var presence = document.getElementById("presence");
  function beat(leave) {
    var body = new URLSearchParams();
    body.set("typing", Date.now() - lastTyped < 8000 ? "1" : "0");
    if (leave) body.set("leave", "1");
    return fetch(root.getAttribute("data-presence-url"), {
      method: "POST", credentials: "same-origin", keepalive: !!leave, body: body,
      headers: { "X-CSRFToken": W.csrf() }
    }).then(function (r) { return r.ok ? r.json() : { others: [] }; }).then(function (data) {
      if (!presence || leave) return;
      presence.textContent = (data.others || []).length ? (presence.getAttribute("data-label") || "") + " " : "";
      (data.others || []).forEach(function (person) {
        var span = document.createElement("span");
        span.className = "person" + (person.typing ? " is-typing" : "");
        span.textContent = person.name + (person.typing ? " ✎" : "");
        span.title = person.typing ? presence.getAttribute("data-typing") || "" : "";
        presence.appendChild(span);
      });
      presence.classList.toggle("has-others", (data.others || []).length > 0);
    }).catch(function () {});
  }
  beat(false);
  setInterval(function () { beat(false); }, 5000);
  window.addEventListener("pagehide", function () { beat(true); });

  /* Live thread: re-render it when something happens in this ticket; say so when new messages came in. */
  var banner = document.getElementById("stale-banner");
  var seen = document.querySelector('input[name="seen_message_id"]');
  function refreshThread() {
    W.refresh(window.location.pathname).then(function () {
      var thread = document.querySelector("#thread ol.thread");
      var last = thread ? parseInt(thread.getAttribute("data-last-message-id"), 10) : 0;
      if (banner && seen && last > parseInt(seen.value || "0", 10)) banner.hidden = false;
    });
  }
  var onChange = W.debounce(refreshThread, 200);
  function mine(data) { if (String(data.ticket_id) === ticketId) onChange(); }
  W.stream(root.getAttribute("data-stream-url"),
           { message_created: mine, delivery_updated: mine, ticket_updated: mine }, onChange);
})();
