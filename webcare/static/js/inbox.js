/* The inbox and the department workspace: j/k to move, o (or Enter) to open, / to search; rows refresh
   live when the realtime stream reports a new or changed ticket, keeping the selection. */
(function () {
  "use strict";
  var W = window.Webcare;
  var root = document.querySelector('[data-live="inbox"]');
  if (!root || !W) return;
  var selectedId = null;

  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".ticket-row")); }

  function select(index) {
    var all = rows();
    if (!all.length) return;
    index = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (r) { r.classList.remove("is-selected"); r.removeAttribute("aria-selected"); });
    var row = all[index];
    row.classList.add("is-selected");
    row.setAttribute("aria-selected", "true");
    selectedId = row.getAttribute("data-ticket-id");
    var link = row.querySelector(".ticket-link");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function currentIndex() {
    return rows().findIndex(function (r) { return r.getAttribute("data-ticket-id") === selectedId; });
  }

  function open() {
    var row = rows()[currentIndex()];
    if (row) window.location.href = row.getAttribute("data-href");
  }

  document.addEventListener("keydown", function (event) {
    if (W.typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") { select(currentIndex() + 1); event.preventDefault(); }
    else if (event.key === "k") { select(currentIndex() < 0 ? 0 : currentIndex() - 1); event.preventDefault(); }
    else if (event.key === "o" || (event.key === "Enter" && selectedId)) { open(); event.preventDefault(); }
    else if (event.key === "/") {
      var search = document.querySelector('input[type="search"]');
      if (search) { search.focus(); event.preventDefault(); }
    }
  });

  root.addEventListener("click", function (event) {
    var row = event.target.closest(".ticket-row");
    if (row && !event.target.closest("a, button, input, select")) window.location.href = row.getAttribute("data-href");
  });

  document.addEventListener("webcare:swapped", function () {
    var index = currentIndex();
    if (index >= 0) {
      rows()[index].classList.add("is-selected");
    }
  });

  // The filter form leaves out the fields left empty, so the address says only what was chosen and can be shared.
  var filters = document.querySelector("form.filters");
  if (filters) filters.addEventListener("submit", function (event) {
    var query = new URLSearchParams();
    new FormData(filters).forEach(function (value, name) { if (value !== "") query.append(name, value); });
    event.preventDefault();
    var text = query.toString();
    window.location.assign(filters.getAttribute("action") + (text ? "?" + text : ""));
  });

  var refresh = W.debounce(function () { W.refresh(window.location.href); }, 300);
  var handlers = {};
  ["ticket_created", "ticket_updated", "message_created", "delivery_updated"].forEach(function (type) {
    handlers[type] = refresh;
  });
  W.stream(root.getAttribute("data-stream-url"), handlers, refresh);
})();
